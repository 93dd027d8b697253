import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../../controllers/runtime/queue/index.js';
import { gate, poll, useQueueHarness, WARN } from './work-queue-harness.js';

const h = useQueueHarness();
const idle = { waiting: 0, active: 0, delayed: 0 };

describe('WorkQueue: start, concurrency, depth, resync and close', { timeout: 20_000 }, () => {
  it('runs at most `concurrency` reconciles at once, even when started twice', async () => {
    const g = gate();
    const { q, runs } = h.queue('conc', () => g.wait, { concurrency: 2 });
    await q.start();
    await q.start();
    for (const k of ['a', 'b', 'c', 'd']) await q.enqueue(`S/ns/${k}`);
    await poll('two runs', () => (runs.length === 2 ? true : undefined));
    await poll('depth', async () => {
      const d = await q.depth();
      return d.active === 2 && d.waiting === 2 ? true : undefined;
    });
    expect(runs).toHaveLength(2);
    g.open();
    await poll('all runs', () => (runs.length === 4 ? true : undefined));
  });

  it('depth counts waiting (and prioritized), active and delayed jobs', async () => {
    const { q } = h.queue('depth');
    expect(await q.depth()).toEqual(idle);
    await q.enqueue('S/ns/a');
    await q.enqueue('S/ns/b', { delayMs: 60_000 });
    await q.enqueue('S/ns/c', { delayMs: 0, via: 'resync' });
    expect(await q.depth()).toEqual({ waiting: 2, active: 0, delayed: 1 });
    // A job another producer added with a priority counts as waiting.
    const other = new (await import('bullmq')).Queue('depth', { connection: h.redis, prefix: 't' });
    await other.add('reconcile', { key: 'S/ns/d' }, { priority: 1 });
    await other.close();
    expect(await q.depth()).toEqual({ waiting: 3, active: 0, delayed: 1 });
  });

  it('uses the `swarmkeeper` key prefix by default', async () => {
    const q = new WorkQueue({
      connection: { url: h.server.url },
      name: 'dflt',
      concurrency: 1,
      reconcile: async () => {},
    });
    h.queues.push(q);
    await q.enqueue('S/ns/a');
    expect((await h.redis.keys('swarmkeeper:dflt:*')).length).toBeGreaterThan(0);
    expect(await h.redis.keys('t:*')).toEqual([]);
  });

  it('the resync enqueues every key of the provider, from start or from registration, until close', async () => {
    const { q, runs } = h.queue('resync', async () => {}, { resyncIntervalMs: 100 });
    expect(await q.resyncNow()).toBe(0);
    q.registerResync(() => ['R/ns/a', 'R/ns/b']);
    await q.start();
    await poll('a periodic resync', () => (runs.length >= 2 ? true : undefined));
    expect(
      runs
        .slice(0, 2)
        .map((r) => [r.key, r.ctx.via])
        .sort(),
    ).toEqual([
      ['R/ns/a', 'resync'],
      ['R/ns/b', 'resync'],
    ]);
    expect(await q.resyncNow()).toBe(2);

    const late = h.queue('resync-late', async () => {}, { resyncIntervalMs: 100 });
    await late.q.start();
    late.q.registerResync(() => ['R/ns/c']);
    await poll('a periodic resync after registration', () => (late.runs.length >= 1 ? true : undefined));

    // close() stops the resync, and a registration after close does not restart it.
    const closed = h.queue('resync-closed', async () => {}, { resyncIntervalMs: 50 });
    closed.q.registerResync(() => ['R/ns/d']);
    await closed.q.start();
    await poll('a periodic resync', () => (closed.runs.length >= 1 ? true : undefined));
    await closed.q.close(500);
    closed.q.registerResync(() => ['R/ns/e']);
    const probe = h.queue('resync-closed', async () => {});
    const atClose = await probe.q.depth();
    await new Promise((r) => setTimeout(r, 200)); // an absence: four intervals in which nothing may happen
    expect(await probe.q.depth()).toEqual(atClose);
    expect(closed.logs.filter((l) => l.msg === 'resync failed')).toEqual([]);
  });

  it('close() is idempotent and final; an idle worker closes without waiting for the deadline', async () => {
    const { q } = h.queue('close');
    await q.start();
    const t0 = performance.now();
    const c1 = q.close(10_000);
    expect(q.close(10_000)).toBe(c1);
    await c1;
    expect(performance.now() - t0).toBeLessThan(5000);
    await expect(q.start()).rejects.toThrow('work queue is closed');
  });

  it('close() lets an active reconcile finish within the deadline', async () => {
    const g = gate();
    const { q, runs, ends } = h.queue('close-wait', () => g.wait);
    await q.start();
    await q.enqueue('S/ns/a');
    await poll('the run', () => (runs.length === 1 ? true : undefined));
    const closed = q.close(10_000);
    setTimeout(g.open, 100);
    await closed;
    expect(ends.map((e) => e.outcome.kind)).toEqual(['success']);
    expect(runs[0]?.ctx.signal.aborted).toBe(false);
  });

  it('close() aborts a reconcile still running at the deadline and requeues its key', async () => {
    const { q, runs, ends, logs } = h.queue('close-abort', async (_k, { signal }) => {
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    });
    await q.start();
    await q.enqueue('S/ns/a');
    await poll('the run', () => (runs.length === 1 ? true : undefined));
    const t0 = performance.now();
    await q.close(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(199);
    expect(ends.map((e) => [e.outcome.kind, e.outcome.requeueAfterMs])).toEqual([['aborted', 0]]);
    expect((runs[0]?.ctx.signal.reason as Error).message).toBe('work queue closing');
    expect(logs.find((l) => l.msg === 'close deadline passed; aborting active reconciles')).toMatchObject({
      level: WARN,
      active: 1,
    });
    expect(await h.queue('close-abort').q.depth()).toEqual({ ...idle, waiting: 1 });
  });

  it('a Redis client passed in is kept open (default retry options work); a URL queue closes all it opened', async () => {
    const clients = async () =>
      String(await h.redis.client('LIST'))
        .trim()
        .split('\n').length;
    const before = await clients();
    const shared = new Redis(h.server.url);
    try {
      const ran = gate();
      const q = new WorkQueue({
        connection: shared,
        name: 'conn',
        prefix: 't',
        concurrency: 1,
        reconcile: async () => ran.open(),
      });
      await q.start();
      await q.enqueue('S/ns/a');
      await ran.wait;
      await q.close(500);
      expect(shared.status).toBe('ready');
    } finally {
      await shared.quit();
    }
    await poll('the shared client gone', async () => ((await clients()) === before ? true : undefined));
    const ran = gate();
    const owned = h.queue('conn', async () => ran.open());
    await owned.q.start();
    await owned.q.enqueue('S/ns/b');
    await ran.wait;
    expect(await clients()).toBeGreaterThan(before);
    await owned.q.close(500);
    await poll('every connection of the queue closed', async () =>
      (await clients()) === before ? true : undefined,
    );
  });

  it('rateLimit spaces reconciles over every process', async () => {
    const { q, runs } = h.queue('rate', async () => {}, { rateLimit: { max: 1, durationMs: 300 } });
    await q.start();
    for (const k of ['a', 'b', 'c']) await q.enqueue(`S/ns/${k}`);
    await poll('three runs', () => (runs.length === 3 ? true : undefined));
    const gaps = runs.slice(1).map((r, i) => r.t - (runs[i]?.t ?? 0));
    gaps.forEach((g) => expect(g).toBeGreaterThanOrEqual(250));
  });
});
