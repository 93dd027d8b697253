import { describe, expect, it } from 'vitest';
import { skError } from '../../../../reconciler/errors.js';
import { DEBUG, ERROR, poll, useQueueHarness, WARN } from './work-queue-harness.js';

const h = useQueueHarness();
const K = 'Stack/ns/a';
const lockKey = (name: string, key = K) => `t:${name}:sk:lock:${key}`;
const outcomes = (ends: { outcome: { kind: string; requeueAfterMs?: number } }[]) =>
  ends.map((e) => [e.outcome.kind, e.outcome.requeueAfterMs]);

describe('WorkQueue: what one reconcile sees and how it ends', { timeout: 20_000 }, () => {
  it('runs an enqueued key once, holding its key lock meanwhile, and reports success', async () => {
    let lockTtl = 0;
    let jobLockTtl = 0;
    const { q, runs, starts, ends, logs } = h.queue('ok', async (key) => {
      lockTtl = await h.redis.pttl(lockKey('ok', key));
      const [jobLock] = await h.redis.keys('t:ok:*:lock');
      jobLockTtl = await h.redis.pttl(jobLock ?? '');
    });
    await q.enqueue(K);
    await q.enqueue(K);
    await q.start();
    const stalledCheckTtl = await h.redis.pttl('t:ok:stalled-check');
    await poll('the run to end', () => (ends.length === 1 ? true : undefined));
    expect(runs).toHaveLength(1);
    const { ctx } = runs[0] ?? { ctx: undefined };
    expect(ctx).toMatchObject({ attempt: 0 });
    expect(ctx).not.toHaveProperty('via');
    expect(ctx?.signal.aborted).toBe(false);
    expect(ctx?.reconcileId).toMatch(/^[0-9a-f-]{36}$/);
    expect(starts).toEqual([{ key: K, id: ctx?.reconcileId }]);
    expect(ends[0]).toMatchObject({ key: K, id: ctx?.reconcileId, outcome: { kind: 'success' } });
    expect(ends[0]?.outcome).not.toHaveProperty('requeueAfterMs');
    // The default lock TTL is 10 s; the lock is released at the end.
    expect(lockTtl).toBeGreaterThan(8000);
    expect(lockTtl).toBeLessThanOrEqual(10_000);
    // BullMQ's job lock has the same TTL; its stalled-job check runs every half of it.
    expect(jobLockTtl).toBeGreaterThan(8000);
    expect(jobLockTtl).toBeLessThanOrEqual(10_000);
    expect(stalledCheckTtl).toBeGreaterThan(3000);
    expect(stalledCheckTtl).toBeLessThanOrEqual(5000);
    expect(await h.redis.exists(lockKey('ok'))).toBe(0);
    expect(
      logs.filter((l) => l.key === K).map((l) => [l.level, l.msg, l['attempt'] ?? l['outcome']]),
    ).toEqual([
      [DEBUG, 'reconcile start', 0],
      [DEBUG, 'reconcile end', 'success'],
    ]);
    // Every line of the run names its queue, key and reconcileId (logger.child bindings).
    for (const l of logs.filter((x) => x.key === K))
      expect(l).toMatchObject({ queue: 'ok', reconcileId: ctx?.reconcileId });
    expect(logs.filter((l) => l.level >= WARN)).toEqual([]);
    await poll('the job to be gone', async () => {
      const d = await q.depth();
      return d.waiting + d.active + d.delayed === 0 ? true : undefined;
    });
  });

  it('tells the reconcile that the resync enqueued the key last', async () => {
    const { q, runs, ends } = h.queue('via');
    await q.enqueue(K, { via: 'resync' });
    await q.start();
    await poll('the run to end', () => (ends.length === 1 ? true : undefined));
    expect(runs[0]?.ctx.via).toBe('resync');
  });

  it('a transient error that carries requeueAfterMs still backs off and counts as a failure', async () => {
    const { q, runs, ends, logs } = h.queue(
      'transient',
      async (_key, { attempt }) => {
        if (attempt < 3) throw skError('DOCKER_API', `docker down ${attempt}`, { requeueAfterMs: 60_000 });
      },
      { backoff: { baseMs: 20 } },
    );
    await q.start();
    await q.enqueue(K);
    await poll('the key to succeed', () => (ends.at(-1)?.outcome.kind === 'success' ? true : undefined));
    expect(runs.map((r) => r.ctx.attempt)).toEqual([0, 1, 2, 3]);
    expect(outcomes(ends)).toEqual([
      ['backoff', 20],
      ['backoff', 40],
      ['backoff', 80],
      ['success', undefined],
    ]);
    expect((ends[0]?.outcome.error as Error).message).toBe('docker down 0');
    const gaps = runs.slice(1).map((r, i) => r.t - (runs[i]?.t ?? 0));
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(20 * 2 ** i - 1));
    const failed = logs.filter((l) => l.msg === 'reconcile failed');
    expect(failed.map((l) => [l.level, l['err'], l['requeueAfterMs'], l['key']])).toEqual([
      [WARN, 'docker down 0', 20, K],
      [WARN, 'docker down 1', 40, K],
      [WARN, 'docker down 2', 80, K],
    ]);
    // The success reset the count: the next run is attempt 0 again.
    await q.enqueue(K);
    await poll('the rerun', () => (runs.length === 5 ? true : undefined));
    expect(runs[4]?.ctx.attempt).toBe(0);
  });

  it('a thrown non-Error is a transient failure, logged as its text', async () => {
    const { q, ends, logs } = h.queue(
      'string',
      async () => {
        if (ends.length === 0) throw 'plain text';
      },
      { backoff: { baseMs: 10 } },
    );
    await q.start();
    await q.enqueue(K);
    await poll('the rerun', () => (ends.length === 2 ? true : undefined));
    expect(outcomes(ends)).toEqual([
      ['backoff', 10],
      ['success', undefined],
    ]);
    expect(logs.find((l) => l.msg === 'reconcile failed')?.['err']).toBe('plain text');
  });

  it('the failure count is shared: another process continues the backoff', async () => {
    const fail = async () => {
      throw new Error('boom');
    };
    const a = h.queue('shared', fail, { backoff: { baseMs: 60_000, maxMs: 120_000 } });
    await a.q.start();
    await a.q.enqueue(K);
    await poll('the failure', () => (a.ends.length === 1 ? true : undefined));
    await a.q.close(500);
    const b = h.queue('shared', fail, { backoff: { baseMs: 60_000, maxMs: 120_000 } });
    await b.q.enqueue(K);
    await b.q.start();
    await poll('the second failure', () => (b.ends.length === 1 ? true : undefined));
    expect(b.runs[0]?.ctx.attempt).toBe(1);
    expect(outcomes(b.ends)).toEqual([['backoff', 120_000]]);
  });

  it('a terminal error is not retried, calls onTerminal, and resets the failure count', async () => {
    const invalid = skError('COMPOSE_INVALID', 'services.web.image: required');
    const { q, runs, ends, terminal, logs } = h.queue(
      'terminal',
      async (_key, { attempt }) => {
        if (attempt === 0 && runs.length === 1) throw new Error('flaky');
        if (runs.length === 2) throw invalid;
      },
      { backoff: { baseMs: 10 } },
    );
    await q.start();
    await q.enqueue(K);
    await poll('the terminal end', () => (terminal.length === 1 ? true : undefined));
    expect(outcomes(ends)).toEqual([
      ['backoff', 10],
      ['terminal', undefined],
    ]);
    expect(terminal).toEqual([{ key: K, err: invalid }]);
    const line = logs.find((l) => l.msg === 'reconcile failed terminally; not retried');
    expect(line).toMatchObject({ level: ERROR, err: 'services.web.image: required', key: K });
    await q.enqueue(K);
    await poll('the next run', () => (ends.length === 3 ? true : undefined));
    expect(runs.map((r) => r.ctx.attempt)).toEqual([0, 1, 0]);
  });

  it('a waiting error and a requeueAfter result run the key again after their delay', async () => {
    const { q, runs, ends, logs } = h.queue(
      'later',
      async (key) => {
        const n = runs.filter((r) => r.key === key).length;
        if (key === 'W/ns/w' && n === 1)
          throw skError('DEPENDENCY_NOT_READY', 'db not ready', { requeueAfterMs: 150 });
        if (key === 'W/ns/f' && n === 1) throw new Error('flaky');
        if (key === 'W/ns/f' && n === 2) throw skError('DEPENDENCY_NOT_READY', 'db', { requeueAfterMs: 50 });
        if (key === 'W/ns/r' && n === 1) return { requeueAfterMs: 150 };
      },
      { backoff: { baseMs: 10 } },
    );
    await q.start();
    for (const k of ['W/ns/w', 'W/ns/r', 'W/ns/f']) await q.enqueue(k);
    await poll('every key to end in success', () =>
      ['W/ns/w', 'W/ns/r', 'W/ns/f'].every(
        (k) => ends.filter((e) => e.key === k).at(-1)?.outcome.kind === 'success',
      )
        ? true
        : undefined,
    );
    const of = (k: string) => ends.filter((e) => e.key === k);
    expect(outcomes(of('W/ns/w'))).toEqual([
      ['waiting', 150],
      ['success', undefined],
    ]);
    expect(outcomes(of('W/ns/r'))).toEqual([
      ['requeue', 150],
      ['success', undefined],
    ]);
    for (const k of ['W/ns/w', 'W/ns/r']) {
      const [r1, r2] = runs.filter((r) => r.key === k);
      expect((r2?.t ?? 0) - (r1?.t ?? 0)).toBeGreaterThanOrEqual(149);
    }
    expect(logs.find((l) => l.msg === 'reconcile waiting')).toMatchObject({
      level: 30,
      err: 'db not ready',
      requeueAfterMs: 150,
      key: 'W/ns/w',
    });
    // A waiting end resets the failure count too.
    expect(outcomes(of('W/ns/f'))).toEqual([
      ['backoff', 10],
      ['waiting', 50],
      ['success', undefined],
    ]);
    expect(runs.filter((r) => r.key === 'W/ns/f').map((r) => r.ctx.attempt)).toEqual([0, 1, 0]);
  });
});
