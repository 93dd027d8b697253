import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../../controllers/runtime/queue/index.js';
import { gate, poll, useQueueHarness } from './work-queue-harness.js';

const h = useQueueHarness();
const KEYS = ['S/ns/a', 'S/ns/b', 'S/ns/c', 'S/ns/d'];
/** BullMQ's job id counter: absent while no job was ever added to the queue. */
const jobsAdded = async (name: string) => Number((await h.redis.get(`t:${name}:id`)) ?? 0);

describe(
  'WorkQueue: the periodic resync pass runs in process, in the replica that claims the shard',
  { timeout: 20_000 },
  () => {
    it('a no-op pass reconciles every key once in process, as a resync, and adds no queue job', async () => {
      const { q, runs, ends } = h.queue('noop');
      q.registerResync(() => KEYS);
      expect(await q.resyncElected()).toBe(4);
      expect(runs.map((r) => [r.key, r.ctx.via, r.ctx.attempt]).sort()).toEqual(
        KEYS.map((k) => [k, 'resync', 0]),
      );
      expect(ends.map((e) => e.outcome.kind)).toEqual(['success', 'success', 'success', 'success']);
      expect(await jobsAdded('noop')).toBe(0);
      expect(await h.redis.keys('t:noop:sk:lock:*')).toEqual([]); // every key lock released
    });

    it('of two replicas, one after the other in a slot, the first takes every shard of it', async () => {
      const a = h.queue('elect');
      const b = h.queue('elect');
      a.q.registerResync(() => KEYS);
      b.q.registerResync(() => KEYS);
      expect(await a.q.resyncElected()).toBe(4);
      expect(await b.q.resyncElected()).toBe(0);
      expect(a.runs).toHaveLength(4);
      expect(b.runs).toHaveLength(0);
    });

    it('a key failing in the pass goes to the queue with its own backoff, and the others do not', async () => {
      const { q, runs, ends } = h.queue(
        'fail',
        async (key, ctx) => {
          if (key === 'S/ns/b' && ctx.attempt === 0) throw new Error('docker said no');
        },
        { backoff: { baseMs: 40 } },
      );
      q.registerResync(() => KEYS);
      await q.resyncElected();
      expect(
        ends.filter((e) => e.key === 'S/ns/b').map((e) => [e.outcome.kind, e.outcome.requeueAfterMs]),
      ).toEqual([['backoff', backoffDelay(1, { baseMs: 40, maxMs: 1000 * 1000 })]]);
      expect(await h.redis.hget('t:fail:sk:failures', 'S/ns/b')).toBe('1');
      await poll('the retry to be in the queue', async () =>
        (await q.depth()).delayed === 1 ? true : undefined,
      );
      expect(await jobsAdded('fail')).toBe(1); // only the failed key's retry
      await q.start();
      await poll('the retry to succeed', () => (ends.length === 5 ? true : undefined));
      const retry = runs.at(-1);
      expect([retry?.key, retry?.ctx.attempt, ends.at(-1)?.outcome.kind]).toEqual(['S/ns/b', 1, 'success']);
      expect(await h.redis.hget('t:fail:sk:failures', 'S/ns/b')).toBeNull();
    });

    it('a key already in backoff is enqueued (run by the queue with its attempt), not run in the pass', async () => {
      const { q, runs } = h.queue('backoff');
      await h.redis.hset('t:backoff:sk:failures', 'S/ns/c', '3');
      q.registerResync(() => KEYS);
      await q.resyncElected();
      expect(runs.map((r) => r.key).sort()).toEqual(['S/ns/a', 'S/ns/b', 'S/ns/d']);
      await q.start();
      await poll('the queued key to run', () => (runs.length === 4 ? true : undefined));
      expect([runs[3]?.key, runs[3]?.ctx.attempt, runs[3]?.ctx.via]).toEqual(['S/ns/c', 3, 'resync']);
    });

    it('a key that failed elsewhere after the pass began runs with its attempt, and its success resets the backoff', async () => {
      const { q, runs } = h.queue(
        'late',
        async (key) => {
          // another replica's worker fails S/ns/d while the pass runs its first key
          if (key === 'S/ns/a') await h.redis.hset('t:late:sk:failures', 'S/ns/d', '2');
        },
        { resyncConcurrency: 1, resyncShards: 1 }, // one shard: the provider's order
      );
      q.registerResync(() => KEYS);
      await q.resyncElected();
      expect(runs.map((r) => [r.key, r.ctx.attempt])).toEqual([
        ['S/ns/a', 0],
        ['S/ns/b', 0],
        ['S/ns/c', 0],
        ['S/ns/d', 2],
      ]);
      expect(await h.redis.hget('t:late:sk:failures', 'S/ns/d')).toBeNull();
    });

    it('two replicas never reconcile the same key at once: a key busy elsewhere is retried through the queue', async () => {
      const inFlight = new Map<string, number>();
      const overlaps: string[] = [];
      const held = gate();
      const track = async (key: string, hold: boolean) => {
        const n = (inFlight.get(key) ?? 0) + 1;
        inFlight.set(key, n);
        if (n > 1) overlaps.push(key);
        if (hold) await held.wait;
        inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      };
      // replica B's worker holds a and b; replica A runs the pass over every key meanwhile
      const b = h.queue('pair', (key) => track(key, true), { busyRetryMs: 30 });
      const a = h.queue('pair', (key) => track(key, false), { busyRetryMs: 30 });
      await b.q.start();
      await b.q.enqueue('S/ns/a');
      await b.q.enqueue('S/ns/b');
      await poll('B to hold a and b', () => (b.runs.length === 2 ? true : undefined));
      a.q.registerResync(() => KEYS);
      await a.q.resyncElected();
      expect(a.runs.map((r) => r.key).sort()).toEqual(['S/ns/c', 'S/ns/d']);
      const busy = a.logs.filter((l) => l.msg === 'key locked by another worker; requeueing');
      expect(busy.map((l) => l.key).sort()).toEqual(['S/ns/a', 'S/ns/b']);
      held.open();
      // the busy keys run again after B released them (on B's worker: A's is not started)
      await poll('a and b to run again', () => (b.runs.length === 4 ? true : undefined));
      expect(
        b.runs
          .slice(2)
          .map((r) => r.key)
          .sort(),
      ).toEqual(['S/ns/a', 'S/ns/b']);
      expect(overlaps).toEqual([]);
    });

    it('a pass interrupted by close() hands the keys it had not started, in its shard and the rest of the slot, to the queue (another replica takes them)', async () => {
      let closing: Promise<void> | undefined;
      const { q, runs } = h.queue(
        'close',
        async () => {
          closing ??= q.close(2000); // the process is told to stop while the pass runs its first key
        },
        { resyncConcurrency: 1 },
      );
      q.registerResync(() => KEYS);
      await q.start();
      await q.resyncElected();
      await closing;
      expect(runs).toHaveLength(1);
      const other = h.queue('close');
      expect(await other.q.depth()).toMatchObject({ waiting: 3 });
      await other.q.start();
      await poll('the other replica to run them', () => (other.runs.length === 3 ? true : undefined));
      expect(other.runs.map((r) => [r.key, r.ctx.via]).sort()).toEqual(
        KEYS.filter((k) => k !== runs[0]?.key).map((k) => [k, 'resync']),
      );
    });

    it('with a global rate limit the pass goes through the queue (the limiter counts jobs)', async () => {
      const { q, runs } = h.queue('limited', async () => {}, { rateLimit: { max: 100, durationMs: 1000 } });
      q.registerResync(() => KEYS);
      expect(await q.resyncElected()).toBe(4);
      expect(runs).toEqual([]);
      expect(await jobsAdded('limited')).toBe(4);
      await q.start();
      await poll('the queue to run them', () => (runs.length === 4 ? true : undefined));
    });
  },
);
