import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Resync, type ResyncOptions } from '../../../../controllers/runtime/queue/resync.js';
import { partition } from '../../../../controllers/runtime/queue/resync-shards.js';
import type { KeysProvider } from '../../../../controllers/runtime/queue/types.js';
import { redisForFile } from '../../../support/redis-server.js';

let redis: Redis;

redisForFile((r) => {
  redis = r;
});
afterEach(() => {
  vi.useRealTimers();
});

const BASE = 'q:resync';
const KEYS = ['Stack/ns/a', 'Stack/ns/b', 'Node/-/n1'];
const MANY = Array.from({ length: 60 }, (_, i) => `Stack/ns/s${i}`);
/** Shards of MANY that hold keys (a pass is called for those only). */
const NON_EMPTY = partition(MANY, 16).filter((s) => s.length > 0).length;
const SLOT = 1_000; // the slot of the tests' clock (interval 10 s)
const claims = async () => (await redis.keys(`${BASE}:*`)).sort();

/** pollUntil on the real timers (captured before a test fakes them). */
const realSetTimeout = globalThis.setTimeout;
async function waitFor(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => realSetTimeout(r, 10));
  }
}

/** A promise and the function that resolves it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/**
 * A Resync on a settable clock whose enqueues, pass calls (one per claimed shard), provider reads
 * and logs are recorded; `onPass` runs inside each pass call.
 */
function resync(
  o: {
    intervalMs?: number;
    provider?: KeysProvider;
    withPass?: boolean;
    onPass?: (keys: string[]) => Promise<void>;
  } & ResyncOptions = {},
) {
  const enqueued: string[] = [];
  const passes: string[][] = [];
  const reads: boolean[] = [];
  const clock = { t: SLOT * (o.intervalMs ?? 10_000) + 1 };
  const log = { error: vi.fn(), debug: vi.fn(), info: vi.fn(), warn: vi.fn() };
  const provider = o.provider ?? (() => KEYS);
  const r = new Resync(
    redis,
    BASE,
    o.intervalMs ?? 10_000,
    log as unknown as Logger,
    async (key) => void enqueued.push(key),
    o.withPass === false
      ? undefined
      : async (keys) => {
          passes.push(keys);
          await o.onPass?.(keys);
          return { inProcess: keys.length - 1, queued: 1 };
        },
    {
      now: o.now ?? (() => clock.t),
      random: o.random ?? (() => 0),
      ...(o.shards ? { shards: o.shards } : {}),
    },
  );
  r.setProvider((ctx) => {
    reads.push(ctx.fresh);
    return provider(ctx);
  });
  return { r, enqueued, passes, reads, log, clock, done: () => passes.flat() };
}

describe('Resync on a real Redis', { timeout: 20_000 }, () => {
  it('without a provider it enqueues nothing and claims nothing', async () => {
    const log = { error: vi.fn(), debug: vi.fn(), info: vi.fn(), warn: vi.fn() };
    const r = new Resync(redis, BASE, 10_000, log as unknown as Logger, async () => {});
    expect(await r.runOnce(true)).toBe(0);
    expect(await r.runOnce(false)).toBe(0);
    expect(await claims()).toEqual([]);
  });

  it.each<[string, KeysProvider]>([
    ['sync', () => KEYS],
    ['async', async () => KEYS],
  ])(
    'runOnce(false) enqueues every key of a %s provider in order, as a fresh read, slot claimed or not',
    async (_n, provider) => {
      await redis.set(`${BASE}:${SLOT}:0`, 'another-process', 'PX', 10_000);
      const { r, enqueued, passes, reads, log } = resync({ provider });
      expect(await r.runOnce(false)).toBe(3);
      expect(enqueued).toEqual(KEYS);
      expect(passes).toEqual([]);
      expect(reads).toEqual([true]);
      expect(log.debug).toHaveBeenCalledWith({ keys: 3 }, 'resync enqueued');
    },
  );

  it.each([
    ['in process (pass)', true],
    ['through the queue (no pass: a global rate limit)', false],
  ])('a process alone takes every shard of the slot %s, once per slot', async (_n, withPass) => {
    const a = resync({ provider: () => MANY, withPass });
    const handled = () => (withPass ? a.done() : a.enqueued);
    expect(await a.r.runOnce(true)).toBe(60);
    expect([...handled()].sort()).toEqual([...MANY].sort());
    // shard by shard, each shard's keys in the provider's order; the keys read once, fresh (shard 0)
    if (withPass) expect(a.passes).toEqual(partition(MANY, 16).filter((s) => s.length > 0));
    expect(a.reads).toEqual([true]);
    expect(await claims()).toEqual(Array.from({ length: 16 }, (_, s) => `${BASE}:${SLOT}:${s}`).sort());
    // a claim lives two intervals: a tick of the same slot that runs late still sees it
    const pttl = await redis.pttl(`${BASE}:${SLOT}:0`);
    expect(pttl).toBeGreaterThan(15_000);
    expect(pttl).toBeLessThanOrEqual(20_000);
    expect(a.log.info).toHaveBeenCalledWith(
      expect.objectContaining({
        slot: SLOT,
        shards: 16,
        keys: 60,
        // the pass's counts, summed over the shards (the fake queues one key of each)
        ...(withPass ? { inProcess: 60 - NON_EMPTY, queued: NON_EMPTY } : { inProcess: 0, queued: 60 }),
      }),
      'resync share done',
    );
    expect(await a.r.runOnce(true)).toBe(0); // the same slot: nothing left
    a.clock.t += 10_000;
    expect(await a.r.runOnce(true)).toBe(60); // the next slot
    expect(handled()).toHaveLength(120);
  });

  it.each([1, 2, 1001])(
    'an interval of %d ms still claims (a whole, positive claim TTL)',
    async (interval) => {
      const { r, done } = resync({ intervalMs: interval });
      expect(await r.runOnce(true)).toBe(3);
      expect(done().sort()).toEqual([...KEYS].sort());
    },
  );

  it.each([2, 3])(
    '%d processes ticking together share the slot: every key once, every process a share',
    async (n) => {
      // each process's first shard waits until every process holds one: none can take them all
      let entered = 0;
      const all = gate();
      const firstShard = new Set<number>();
      const procs = Array.from({ length: n }, (_, i) =>
        resync({
          provider: () => MANY,
          onPass: async () => {
            if (firstShard.has(i)) return;
            firstShard.add(i);
            if (++entered === n) all.open();
            await all.wait;
          },
        }),
      );
      const counts = await Promise.all(procs.map((p) => p.r.runOnce(true)));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(60);
      expect(procs.flatMap((p) => p.done()).sort()).toEqual([...MANY].sort());
      for (const p of procs) expect(p.passes.length).toBeGreaterThan(0);
      // the fresh read (which starts the pass's new view of the world) is made once: by shard 0's claimer
      expect(procs.flatMap((p) => p.reads).filter(Boolean)).toEqual([true]);
    },
  );

  it('a slow process takes fewer shards: the others take what it cannot start', async () => {
    const slowHolds = gate();
    const slow = resync({ provider: () => MANY, onPass: () => slowHolds.wait });
    const fast = resync({ provider: () => MANY });
    const slowRun = slow.r.runOnce(true);
    await waitFor('the slow process to hold a shard', () => slow.passes.length > 0);
    const fastCount = await fast.r.runOnce(true);
    slowHolds.open();
    const slowCount = await slowRun;
    expect(slow.passes).toHaveLength(1);
    expect(fast.passes).toHaveLength(NON_EMPTY - 1);
    expect(slowCount + fastCount).toBe(60);
    expect([...slow.done(), ...fast.done()].sort()).toEqual([...MANY].sort());
  });

  it('a process still running its share when the next slot comes claims nothing in it (skip guard), the others take it all', async () => {
    const held = gate();
    const a = resync({ provider: () => MANY, onPass: () => held.wait });
    const b = resync({ provider: () => MANY });
    const first = a.r.runOnce(true);
    await waitFor('a to hold a shard', () => a.passes.length > 0);
    a.clock.t += 10_000;
    b.clock.t += 10_000;
    expect(await a.r.runOnce(true)).toBe(0);
    expect(a.log.warn).toHaveBeenCalledWith(
      { slot: SLOT + 1 },
      'resync pass skipped: the previous pass is still running',
    );
    expect(await claims()).not.toContain(`${BASE}:${SLOT + 1}:0`);
    expect(await b.r.runOnce(true)).toBe(60);
    held.open();
    expect(await first).toBe(60);
    expect(a.passes).toHaveLength(NON_EMPTY);
  });

  it('a process stopped mid-slot hands the rest of the slot to the queue (claimed: no one runs it twice)', async () => {
    const a = resync({ provider: () => MANY });
    const b = resync({ provider: () => MANY });
    const set = redis.set.bind(redis);
    const spy = vi.spyOn(redis, 'set').mockImplementation(((...args: Parameters<typeof redis.set>) => {
      void a.r.stop(); // the process is told to stop while its first claim is on the wire
      return set(...args);
    }) as typeof redis.set);
    try {
      expect(await a.r.runOnce(true)).toBe(60);
    } finally {
      spy.mockRestore();
    }
    expect(a.passes).toEqual([]);
    expect([...a.enqueued].sort()).toEqual([...MANY].sort());
    expect(await claims()).toHaveLength(16);
    expect(await b.r.runOnce(true)).toBe(0);
  });

  it("a pass that throws is the tick's error; a failing provider claims shards once, and the next slot runs", async () => {
    let calls = 0;
    const boom = new Error('store unavailable');
    const a = resync({
      provider: () => {
        calls += 1;
        if (calls === 1) throw boom;
        return KEYS;
      },
    });
    await expect(a.r.runOnce(true)).rejects.toBe(boom);
    a.clock.t += 10_000;
    expect(await a.r.runOnce(true)).toBe(3);
  });

  it('start() ticks at each slot start plus jitter, re-armed each time, until stop()', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const a = resync({ random: () => 0.5 }); // jitter 0.5 x min(10 s / 10, 2 s) = 500 ms
    a.clock.t = SLOT * 10_000 + 2500;
    a.r.start();
    a.r.start(); // a second start keeps the one timer
    expect(vi.getTimerCount()).toBe(1);
    a.clock.t += 7999;
    vi.advanceTimersByTime(7999);
    await redis.ping();
    expect(a.passes).toEqual([]);
    a.clock.t += 1;
    vi.advanceTimersByTime(1); // slot SLOT + 1, 500 ms in
    await waitFor('the first tick', () => a.done().length === 3);
    expect(await claims()).toContain(`${BASE}:${SLOT + 1}:0`);
    expect(vi.getTimerCount()).toBe(1); // re-armed
    a.clock.t += 10_000;
    vi.advanceTimersByTime(10_000);
    await waitFor('the second tick', () => a.done().length === 6);
    expect(await claims()).toContain(`${BASE}:${SLOT + 2}:0`);
    void a.r.stop();
    expect(vi.getTimerCount()).toBe(0);
    a.r.start();
    void a.r.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    // started this far into a slot (of 10 s), random 0: the first tick after this many ms
    [0, 10_000],
    [2500, 7500],
    [5000, 5000],
    [5001, 14_999], // the next slot starts within half an interval: the start-up resync just ran
    [9999, 10_001],
  ])('started %d ms into a slot, the first tick comes %d ms later', async (into, after) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const a = resync();
    a.clock.t = SLOT * 10_000 + into;
    a.r.start();
    a.clock.t += after - 1;
    vi.advanceTimersByTime(after - 1);
    await redis.ping();
    expect(a.passes).toEqual([]);
    a.clock.t += 1;
    vi.advanceTimersByTime(1);
    await waitFor('the first tick', () => a.done().length === 3);
    expect(await claims()).toContain(`${BASE}:${Math.floor(a.clock.t / 10_000)}:0`);
    void a.r.stop();
  });

  it('a tick that fires late, in a later slot, runs that slot (not the one it was armed for)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const a = resync();
    a.r.start();
    a.clock.t += 35_000; // the event loop was blocked past three slot starts
    vi.advanceTimersByTime(10_000);
    await waitFor('the late tick', () => a.done().length === 3);
    expect((await claims()).filter((c) => c.endsWith(':0'))).toEqual([`${BASE}:${SLOT + 3}:0`]);
    void a.r.stop();
  });

  it('start() without a provider does nothing', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const log = { error: vi.fn(), debug: vi.fn(), info: vi.fn(), warn: vi.fn() };
    new Resync(redis, BASE, 10_000, log as unknown as Logger, async () => {}).start();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a failed tick is logged, and the next tick runs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const boom = new Error('store unavailable');
    let calls = 0;
    const a = resync({
      provider: () => {
        calls += 1;
        if (calls === 1) throw boom;
        return KEYS;
      },
    });
    a.r.start();
    a.clock.t += 10_000;
    vi.advanceTimersByTime(10_000);
    await waitFor('the error to be logged', () => a.log.error.mock.calls.length > 0);
    expect(a.log.error).toHaveBeenCalledWith({ err: boom }, 'resync failed');
    a.clock.t += 10_000;
    vi.advanceTimersByTime(10_000);
    await waitFor('the next tick', () => a.done().length === 3);
    void a.r.stop();
  });
});
