import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyLocks, renewEveryMs } from '../../../../controllers/runtime/queue/key-lock.js';
import { pollUntil } from '../../../integration/helpers/poll.js';
import { redisForFile } from '../../../support/redis-server.js';

let redis: Redis;

redisForFile((r) => {
  redis = r;
});
afterEach(() => {
  vi.useRealTimers();
});

const TTL = 60_000;
const KEY = 'Stack/ns/a';
const RKEY = `q:lock:${KEY}`;
/** Only the renewal timer is faked: Redis and the polls run on real time. */
const fakeIntervals = () => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
const poll = <T>(what: string, check: () => Promise<T | undefined> | T | undefined) =>
  pollUntil(what, 3000, check, 10);

describe('renewEveryMs', () => {
  it.each([
    [60_000, 20_000],
    [34, 11],
    [30, 10],
    [29, 10],
    [3, 10],
    [0, 10],
  ])('TTL %d ms -> renewed every %d ms', (ttl, every) => {
    expect(renewEveryMs(ttl)).toBe(every);
  });
});

describe('KeyLocks on a real Redis', { timeout: 20_000 }, () => {
  it('holds prefix+key with a random token for the TTL; nobody else gets it until released', async () => {
    const locks = new KeyLocks(redis, 'q:lock:', TTL);
    expect(locks.redisKey(KEY)).toBe(RKEY);
    const a = await locks.tryAcquire(KEY);
    expect(a?.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(await redis.get(RKEY)).toBe(a?.token);
    const pttl = await redis.pttl(RKEY);
    expect(pttl).toBeGreaterThan(TTL - 5000);
    expect(pttl).toBeLessThanOrEqual(TTL);
    // Another worker, in this process or another one, is refused.
    expect(await locks.tryAcquire(KEY)).toBeUndefined();
    expect(await new KeyLocks(redis, 'q:lock:', TTL).tryAcquire(KEY)).toBeUndefined();
    expect(await redis.get(RKEY)).toBe(a?.token);
    // Another key is independent and gets its own token.
    const b = await locks.tryAcquire('Stack/ns/b');
    expect(b?.token).toBeDefined();
    expect(b?.token).not.toBe(a?.token);
    await a?.release();
    expect(await redis.exists(RKEY)).toBe(0);
    const again = await locks.tryAcquire(KEY);
    expect(again?.token).toBeDefined();
    expect(again?.token).not.toBe(a?.token);
    await Promise.all([b?.release(), again?.release()]);
  });

  it('release does not delete a lock that another holder took after this one expired', async () => {
    const lock = await new KeyLocks(redis, 'q:lock:', TTL).tryAcquire(KEY);
    await redis.set(RKEY, 'someone-else', 'PX', 5000);
    await lock?.release();
    expect(await redis.get(RKEY)).toBe('someone-else');
  });

  it('renews the TTL every third of it while held', async () => {
    fakeIntervals();
    const lock = await new KeyLocks(redis, 'q:lock:', TTL).tryAcquire(KEY);
    await redis.pexpire(RKEY, 5000); // as if time had passed
    vi.advanceTimersByTime(TTL / 3 - 1);
    await redis.ping();
    expect(await redis.pttl(RKEY)).toBeLessThanOrEqual(5000);
    vi.advanceTimersByTime(1);
    await poll('the lock to be renewed', async () => ((await redis.pttl(RKEY)) > 50_000 ? true : undefined));
    expect(await redis.get(RKEY)).toBe(lock?.token);
    expect(lock?.lost.aborted).toBe(false);
    await lock?.release();
  });

  it.each([
    ['taken by another holder', () => redis.set(RKEY, 'someone-else', 'PX', 5000), 'someone-else'],
    ['expired', () => redis.del(RKEY), null],
  ])(
    'signals `lost` when a renewal finds the lock %s, and leaves the key alone',
    async (_n, change, value) => {
      fakeIntervals();
      const lock = await new KeyLocks(redis, 'q:lock:', TTL).tryAcquire(KEY);
      await change();
      vi.advanceTimersByTime(TTL / 3);
      await poll('lost to be signalled', () => (lock?.lost.aborted ? true : undefined));
      expect((lock?.lost.reason as Error).message).toBe(`lock on ${KEY} lost`);
      expect(await redis.get(RKEY)).toBe(value);
      if (value) expect(await redis.pttl(RKEY)).toBeLessThanOrEqual(5000);
      await lock?.release();
    },
  );

  it('a renewal that fails is retried on the next tick, not reported as lost', async () => {
    fakeIntervals();
    const lock = await new KeyLocks(redis, 'q:lock:', TTL).tryAcquire(KEY);
    // A Redis error on renewal (here WRONGTYPE: the key briefly holds a hash).
    await redis.del(RKEY);
    await redis.hset(RKEY, 'f', 'v');
    vi.advanceTimersByTime(TTL / 3);
    await redis.ping();
    await new Promise((r) => setImmediate(r));
    expect(lock?.lost.aborted).toBe(false);
    await redis.del(RKEY);
    await redis.set(RKEY, lock?.token ?? '', 'PX', 5000);
    vi.advanceTimersByTime(TTL / 3);
    await poll('the lock to be renewed', async () => ((await redis.pttl(RKEY)) > 50_000 ? true : undefined));
    expect(lock?.lost.aborted).toBe(false);
    await lock?.release();
  });

  it('release stops renewing; a renewal in flight at release does not report the lock lost', async () => {
    fakeIntervals();
    const lock = await new KeyLocks(redis, 'q:lock:', TTL).tryAcquire(KEY);
    expect(vi.getTimerCount()).toBe(1);
    await redis.del(RKEY);
    vi.advanceTimersByTime(TTL / 3); // the renewal's EXTEND is sent and will find no lock
    await lock?.release();
    await redis.ping();
    await new Promise((r) => setImmediate(r));
    expect(lock?.lost.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
