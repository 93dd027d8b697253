import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Resync } from '../../../../controllers/runtime/queue/resync.js';
import type { KeysProvider } from '../../../../controllers/runtime/queue/types.js';
import { pollUntil } from '../../../integration/helpers/poll.js';
import { redisForFile } from '../../../support/redis-server.js';

let redis: Redis;

redisForFile((r) => {
  redis = r;
});
afterEach(() => {
  vi.useRealTimers();
});

const LEADER = 'q:resync';
const KEYS = ['Stack/ns/a', 'Stack/ns/b', 'Node/-/n1'];

/** A Resync whose enqueues and logs are recorded. */
function resync(intervalMs = 10_000, provider?: KeysProvider) {
  const enqueued: string[] = [];
  const log = { error: vi.fn(), debug: vi.fn() };
  const r = new Resync(redis, LEADER, intervalMs, log as unknown as Logger, async (key) => {
    enqueued.push(key);
  });
  if (provider) r.setProvider(provider);
  return { r, enqueued, log };
}

describe('Resync on a real Redis', { timeout: 20_000 }, () => {
  it('without a provider it enqueues nothing and takes no interval', async () => {
    const { r, enqueued } = resync();
    expect(await r.runOnce(true)).toBe(0);
    expect(await r.runOnce(false)).toBe(0);
    expect(enqueued).toEqual([]);
    expect(await redis.exists(LEADER)).toBe(0);
  });

  it.each<[string, KeysProvider]>([
    ['sync', () => KEYS],
    ['async', async () => KEYS],
  ])('runOnce(false) enqueues every key of a %s provider in order, elected or not', async (_n, provider) => {
    await redis.set(LEADER, 'another-process', 'PX', 10_000);
    const { r, enqueued, log } = resync(10_000, provider);
    expect(await r.runOnce(false)).toBe(3);
    expect(enqueued).toEqual(KEYS);
    expect(log.debug).toHaveBeenCalledWith({ keys: 3 }, 'resync enqueued');
    expect(await redis.get(LEADER)).toBe('another-process');
  });

  it('runOnce(true): one process per interval does the work', async () => {
    const a = resync(10_000, () => KEYS);
    const b = resync(10_000, () => KEYS);
    expect(await a.r.runOnce(true)).toBe(3);
    expect(await b.r.runOnce(true)).toBe(0);
    expect(await a.r.runOnce(true)).toBe(0);
    expect(a.enqueued).toEqual(KEYS);
    expect(b.enqueued).toEqual([]);
    expect(b.log.debug).not.toHaveBeenCalled();
    // The interval's claim lasts 80% of it, so the next interval has a new election.
    const pttl = await redis.pttl(LEADER);
    expect(pttl).toBeGreaterThan(7000);
    expect(pttl).toBeLessThanOrEqual(8000);
    await redis.del(LEADER); // the claim expired
    expect(await b.r.runOnce(true)).toBe(3);
  });

  it.each([1, 2, 1001])(
    'an interval of %d ms still elects (a whole, positive claim TTL)',
    async (interval) => {
      const { r, enqueued } = resync(interval, () => KEYS);
      expect(await r.runOnce(true)).toBe(3);
      expect(enqueued).toEqual(KEYS);
    },
  );

  it('start() runs an elected resync every interval until stop()', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { r, enqueued } = resync(10_000, () => KEYS);
    r.start();
    r.start(); // a second start keeps the one timer
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(9999);
    await redis.ping();
    expect(enqueued).toEqual([]);
    vi.advanceTimersByTime(1);
    await pollUntil('the first tick', 3000, () => (enqueued.length === 3 ? true : undefined), 10);
    await redis.del(LEADER);
    vi.advanceTimersByTime(10_000);
    await pollUntil('the second tick', 3000, () => (enqueued.length === 6 ? true : undefined), 10);
    r.stop();
    expect(vi.getTimerCount()).toBe(0);
    r.start();
    r.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the timer elects: of two processes sharing Redis, one enqueues per interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const a = resync(10_000, () => KEYS);
    const b = resync(10_000, () => KEYS);
    const claims: string[] = [];
    const set = redis.set.bind(redis);
    const spy = vi.spyOn(redis, 'set').mockImplementation(((...args: Parameters<typeof redis.set>) => {
      claims.push(String(args[0]));
      return set(...args);
    }) as typeof redis.set);
    try {
      a.r.start();
      b.r.start();
      vi.advanceTimersByTime(10_000);
      await pollUntil(
        'both ticks to claim the interval',
        3000,
        () => (claims.length === 2 ? true : undefined),
        10,
      );
      await pollUntil(
        'the winner to enqueue',
        3000,
        () => (a.enqueued.length + b.enqueued.length === 3 ? true : undefined),
        10,
      );
      await redis.ping();
      expect(claims).toEqual([LEADER, LEADER]);
      expect([...a.enqueued, ...b.enqueued]).toEqual(KEYS);
    } finally {
      a.r.stop();
      b.r.stop();
      spy.mockRestore();
    }
  });

  it('start() without a provider does nothing', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    resync().r.start();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a failed tick is logged, and the next tick runs', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const boom = new Error('store unavailable');
    let calls = 0;
    const { r, log, enqueued } = resync(10_000, () => {
      calls += 1;
      if (calls === 1) throw boom;
      return KEYS;
    });
    r.start();
    vi.advanceTimersByTime(10_000);
    await pollUntil(
      'the error to be logged',
      5000,
      () => (log.error.mock.calls.length ? true : undefined),
      10,
    );
    expect(log.error).toHaveBeenCalledWith({ err: boom }, 'resync failed');
    await redis.del(LEADER);
    vi.advanceTimersByTime(10_000);
    await pollUntil('the next tick', 3000, () => (enqueued.length === 3 ? true : undefined), 10);
    r.stop();
  });
});
