import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkQueue, type Outcome, type ReconcileFn } from '../../controllers/runtime/queue/index.js';
import { skError } from '../../reconciler/errors.js';
import {
  deleteQueueKeys,
  harnessKeys,
  pollUntil,
  readRecords,
  REDIS_URL,
  spawnWorker,
  stopWorker,
  TEST_PREFIX,
  uniqueQueueName,
  type Rec,
  type WorkerChild,
} from './fixtures/queue-harness.js';

let redis: Redis;
const names: string[] = [];
const children: WorkerChild[] = [];
const queues: WorkQueue[] = [];

function newName(label: string): string {
  const name = uniqueQueueName(label);
  names.push(name);
  return name;
}

function inProcess(
  name: string,
  reconcile: ReconcileFn,
  extra: Partial<ConstructorParameters<typeof WorkQueue>[0]> = {},
) {
  const q = new WorkQueue({
    connection: { url: REDIS_URL },
    name,
    prefix: TEST_PREFIX,
    concurrency: 4,
    reconcile,
    ...extra,
  });
  queues.push(q);
  return q;
}

/** A producer that never starts: enqueues and reads depth through the caller's Redis client. */
function producer(name: string): WorkQueue {
  const q = new WorkQueue({
    connection: redis,
    name,
    prefix: TEST_PREFIX,
    concurrency: 1,
    reconcile: async () => {},
  });
  queues.push(q);
  return q;
}

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
});
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stopWorker(c)));
  await Promise.all(queues.splice(0).map((q) => q.close(2000)));
  for (const name of names.splice(0)) await deleteQueueKeys(redis, TEST_PREFIX, name);
});
afterAll(async () => {
  await redis.quit();
});

/** Per key, records must alternate start/end: a second start before the end is an overlap. */
function overlaps(recs: Rec[]): string[] {
  const open = new Map<string, boolean>();
  const bad: string[] = [];
  for (const r of recs) {
    if (r.ev === 'start' && open.get(r.key)) bad.push(`${r.key} started twice (run ${r.run})`);
    if (r.ev === 'end' && !open.get(r.key)) bad.push(`${r.key} ended while not running (run ${r.run})`);
    open.set(r.key, r.ev === 'start');
  }
  return bad;
}

describe('WorkQueue on real Redis', () => {
  it('never reconciles a key twice at once across 2 processes, and loses no burst', async () => {
    const name = newName('load');
    const keys = harnessKeys(TEST_PREFIX, name);
    const env = { QUEUE_NAME: name, QUEUE_PREFIX: TEST_PREFIX, CONCURRENCY: '4', WORK_MAX_MS: '8' };
    children.push(...(await Promise.all([spawnWorker(env), spawnWorker(env)])));
    const p = producer(name);
    const K = 50;
    const BURSTS = 4;
    const PER_BURST = 5;
    const resourceKeys = Array.from({ length: K }, (_, i) => `Stack/ns/s${i}`);
    const burstEnds = new Map<string, number[]>(resourceKeys.map((k) => [k, []]));

    const t0 = Date.now();
    for (let b = 0; b < BURSTS; b++) {
      await Promise.all(
        resourceKeys.map(async (key) => {
          let gen = 0;
          // An event: the state changes first (generation), then the key is enqueued.
          for (let j = 0; j < PER_BURST; j++) {
            gen = await redis.incr(keys.gen(key));
            await p.enqueue(key);
          }
          burstEnds.get(key)?.push(gen);
        }),
      );
      // Load shape: let some reconciles run between bursts (not synchronisation).
      await new Promise((r) => setTimeout(r, Math.random() * 15));
    }

    const final = BURSTS * PER_BURST;
    const recs = await pollUntil(
      'every key reconciled at its final generation',
      async () => {
        const all = await readRecords(redis, keys.rec);
        const done = resourceKeys.every((key) => {
          const mine = all.filter((r) => r.key === key);
          return mine.some((r) => r.ev === 'start' && r.gen === final) && mine.at(-1)?.ev === 'end';
        });
        const d = await p.depth();
        return done && d.waiting + d.active + d.delayed === 0 ? all : undefined;
      },
      60_000,
    );
    const elapsed = Date.now() - t0;

    expect(overlaps(recs)).toEqual([]);
    for (const key of resourceKeys) {
      const starts = recs.filter(
        (r): r is Extract<Rec, { ev: 'start' }> => r.ev === 'start' && r.key === key,
      );
      for (const g of burstEnds.get(key) ?? []) expect(starts.some((s) => s.gen >= g)).toBe(true);
    }
    const starts = recs.filter((r) => r.ev === 'start');
    const pids = new Set(starts.map((r) => r.pid));
    expect(pids.size).toBe(2);
    expect(starts.length).toBeLessThan(K * BURSTS * PER_BURST); // coalesced
    console.log(
      `[work-queue] ${K * BURSTS * PER_BURST} enqueues -> ${starts.length} reconciles in ${elapsed} ms ` +
        `(${Math.round((starts.length * 1000) / elapsed)} reconciles/s, 2 processes x concurrency 4)`,
    );
  });

  it('backs off transient errors, drops terminal ones, requeues waiting ones after their delay', async () => {
    const name = newName('errors');
    const starts = new Map<string, { t: number; attempt: number }[]>();
    const ends = new Map<string, Outcome[]>();
    const terminal: [string, unknown][] = [];
    const reconcile: ReconcileFn = async (key, { attempt }) => {
      const mine = starts.get(key) ?? [];
      mine.push({ t: performance.now(), attempt });
      starts.set(key, mine);
      const first = mine.length === 1;
      if (key === 'T/ns/transient' && mine.length <= 5) throw new Error('docker down');
      if (key === 'T/ns/terminal')
        throw skError('COMPOSE_INVALID', 'compose.yaml: services.web.image: required');
      if (key === 'T/ns/waiting' && first)
        throw skError('DEPENDENCY_NOT_READY', 'db not ready', { requeueAfterMs: 300 });
      if (key === 'T/ns/requeue' && first) return { requeueAfterMs: 250 };
      if (key === 'T/ns/later' && first) return { requeueAfterMs: 60_000 };
    };
    const q = inProcess(name, reconcile, {
      backoff: { baseMs: 20, maxMs: 10_000 },
      hooks: {
        onEnd: (key, _id, outcome) => ends.set(key, [...(ends.get(key) ?? []), outcome]),
        onTerminal: (key, err) => terminal.push([key, err]),
      },
    });
    await q.start();
    for (const k of ['transient', 'terminal', 'waiting', 'requeue', 'later']) await q.enqueue(`T/ns/${k}`);

    // transient: 5 failures then success, with delays 20, 40, 80, 160, 320 ms.
    await pollUntil('transient key to succeed', () =>
      ends.get('T/ns/transient')?.at(-1)?.kind === 'success' ? true : undefined,
    );
    const tr = starts.get('T/ns/transient') ?? [];
    expect(tr.map((s) => s.attempt)).toEqual([0, 1, 2, 3, 4, 5]);
    const gaps = tr.slice(1).map((s, i) => s.t - (tr[i]?.t ?? 0));
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(20 * 2 ** i - 1));
    expect(gaps[4]).toBeGreaterThan(gaps[0] ?? Infinity);
    expect(
      ends
        .get('T/ns/transient')
        ?.slice(0, 5)
        .map((o) => [o.kind, o.requeueAfterMs]),
    ).toEqual([
      ['backoff', 20],
      ['backoff', 40],
      ['backoff', 80],
      ['backoff', 160],
      ['backoff', 320],
    ]);

    // terminal: onTerminal once, never retried (a backoff retry would have run within the transient run's span).
    expect(terminal.map(([k, e]) => [k, (e as Error).message])).toEqual([
      ['T/ns/terminal', 'compose.yaml: services.web.image: required'],
    ]);
    expect(starts.get('T/ns/terminal')).toHaveLength(1);
    expect(ends.get('T/ns/terminal')?.map((o) => [o.kind, o.requeueAfterMs])).toEqual([
      ['terminal', undefined],
    ]);

    // waiting and requeueAfter: run again after their delay, not before.
    await pollUntil('waiting key to rerun', () =>
      (starts.get('T/ns/waiting')?.length ?? 0) >= 2 ? true : undefined,
    );
    await pollUntil('requeue key to rerun', () =>
      (starts.get('T/ns/requeue')?.length ?? 0) >= 2 ? true : undefined,
    );
    const [w1, w2] = starts.get('T/ns/waiting') ?? [];
    const [r1, r2] = starts.get('T/ns/requeue') ?? [];
    expect((w2?.t ?? 0) - (w1?.t ?? 0)).toBeGreaterThanOrEqual(299);
    expect((r2?.t ?? 0) - (r1?.t ?? 0)).toBeGreaterThanOrEqual(249);

    // A new event for a key that only has a (60 s) delayed requeue runs promptly.
    await pollUntil('later key to be delayed', async () =>
      (await q.depth()).delayed === 1 ? true : undefined,
    );
    const before = performance.now();
    await q.enqueue('T/ns/later');
    await pollUntil(
      'later key to rerun',
      () => ((starts.get('T/ns/later')?.length ?? 0) >= 2 ? true : undefined),
      5000,
    );
    expect((starts.get('T/ns/later')?.[1]?.t ?? Infinity) - before).toBeLessThan(2000);
    await pollUntil('queue idle', async () => ((await q.depth()).delayed === 0 ? true : undefined));

    // Success reset the failure count: the next run of the transient key starts at attempt 0.
    await q.enqueue('T/ns/transient');
    await pollUntil('transient rerun', () =>
      (starts.get('T/ns/transient')?.length ?? 0) >= 7 ? true : undefined,
    );
    expect(starts.get('T/ns/transient')?.[6]?.attempt).toBe(0);
  });

  it('after kill -9 of the process mid-reconcile, the other process reconciles the key', async () => {
    const name = newName('crash');
    const keys = harnessKeys(TEST_PREFIX, name);
    const env = { QUEUE_NAME: name, QUEUE_PREFIX: TEST_PREFIX, CONCURRENCY: '2', LOCK_TTL_MS: '3000' };
    const ws = await Promise.all([spawnWorker(env), spawnWorker(env)]);
    children.push(...ws);
    await producer(name).enqueue('hang/ns/k');
    const first = await pollUntil('hang key to start', async () =>
      (await readRecords(redis, keys.rec)).find((r) => r.ev === 'start'),
    );
    const victim = ws.find((w) => w.pid === first.pid);
    expect(victim).toBeDefined();
    victim?.proc.kill('SIGKILL');
    await victim?.exited;
    const killedAt = Date.now();
    const recs = await pollUntil(
      'the surviving process to reconcile the key',
      async () => {
        const all = await readRecords(redis, keys.rec);
        return all.some((r) => r.ev === 'end' && r.run === 2) ? all : undefined;
      },
      40_000,
    );
    const second = recs.find((r) => r.ev === 'start' && r.run === 2);
    expect(second?.pid).not.toBe(first.pid);
    expect(recs.filter((r) => r.ev === 'start')).toHaveLength(2);
    console.log(`[work-queue] key recovered ${Date.now() - killedAt} ms after kill -9 (lock TTL 3000 ms)`);
  });

  it('waits while another holder has the key lock, and takes the key once the lock expires', async () => {
    const name = newName('busy');
    const starts: number[] = [];
    const q = inProcess(name, async () => void starts.push(Date.now()), { busyRetryMs: 50 });
    await q.start();
    // A stale holder: e.g. a worker whose job the stalled checker moved back while it still ran.
    const lockKey = `${TEST_PREFIX}:${name}:sk:lock:B/ns/k`;
    await redis.set(lockKey, 'someone-else', 'PX', 1500);
    const lockedAt = Date.now();
    await q.enqueue('B/ns/k');
    await pollUntil(
      'key to run after the lock expired',
      () => (starts.length > 0 ? true : undefined),
      10_000,
    );
    expect(starts[0]).toBeGreaterThanOrEqual(lockedAt + 1400);
    expect(starts).toHaveLength(1);
    expect(await redis.exists(lockKey)).toBe(0); // released after the reconcile
  });

  it('close() stops taking jobs and waits for the active reconcile', async () => {
    const name = newName('close');
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = inProcess(name, async (key) => {
      order.push(`start ${key}`);
      await gate;
      order.push(`end ${key}`);
    });
    await q.start();
    await q.enqueue('S/ns/slow');
    await pollUntil('slow key to start', () => (order.length === 1 ? true : undefined));
    const closed = q.close(10_000).then(() => order.push('closed'));
    const p = producer(name);
    await p.enqueue('S/ns/other');
    // The close cannot finish while the reconcile holds the gate; the new key is not taken.
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['start S/ns/slow']);
    release();
    await closed;
    expect(order).toEqual(['start S/ns/slow', 'end S/ns/slow', 'closed']);
    expect(await p.depth()).toEqual({ waiting: 1, active: 0, delayed: 0 });
  });

  it('close() aborts a reconcile still running at the deadline and requeues its key', async () => {
    const name = newName('abort');
    const ends: Outcome[] = [];
    let started = false;
    const q = inProcess(
      name,
      async (_key, { signal }) => {
        started = true;
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      },
      { hooks: { onEnd: (_k, _id, o) => ends.push(o) } },
    );
    await q.start();
    await q.enqueue('S/ns/stuck');
    await pollUntil('stuck key to start', () => (started ? true : undefined));
    const t = performance.now();
    await q.close(300);
    expect(performance.now() - t).toBeGreaterThanOrEqual(299);
    expect(ends.map((o) => o.kind)).toEqual(['aborted']);
    expect(await producer(name).depth()).toEqual({ waiting: 1, active: 0, delayed: 0 });
  });
});
