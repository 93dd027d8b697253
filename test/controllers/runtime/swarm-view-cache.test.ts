/**
 * SwarmViewCache's hold on a snapshot it can no longer serve (test/integration/swarm-view-cache.test.ts
 * covers serving, building and bypassing with a real Redis). The epoch store here is an in-memory
 * stand-in for the two Redis calls the cache makes (GET and INCR of the epoch key).
 */
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { SwarmSnapshot } from '../../../controllers/docker/swarm-snapshot.js';
import { SwarmViewCache } from '../../../controllers/runtime/swarm-view-cache.js';

function memoryEpoch(): Redis {
  let epoch = 0;
  return {
    get: async () => String(epoch),
    incr: async () => ++epoch,
  } as unknown as Redis;
}

function harness(opts: { maxAgeMs?: number; buildMs: number }) {
  const clock = { now: 1_000_000 };
  const timers: { fn: () => void; ms: number }[] = [];
  let takes = 0;
  const c = new SwarmViewCache({
    redis: memoryEpoch(),
    epochKey: 'epoch',
    take: async (epoch): Promise<SwarmSnapshot> => {
      takes++;
      const takenAt = clock.now;
      clock.now += opts.buildMs;
      return { epoch, takenAt, observe: () => ({ objects: [] }), health: () => [] };
    },
    minRebuildMs: 0,
    rebuildCostFactor: 0,
    ...(opts.maxAgeMs !== undefined ? { maxAgeMs: opts.maxAgeMs } : {}),
    now: () => clock.now,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
  });
  return { c, clock, timers, takes: () => takes };
}

describe('SwarmViewCache lets a snapshot go once it can no longer be served', () => {
  it.each([
    { maxAgeMs: undefined, buildMs: 0, dropAfter: 30_000 },
    { maxAgeMs: 5_000, buildMs: 0, dropAfter: 5_000 },
    { maxAgeMs: 5_000, buildMs: 1_200, dropAfter: 3_800 }, // the age counts from before the lists
    { maxAgeMs: 1_000, buildMs: 2_500, dropAfter: 0 }, // expired already when the lists came back
  ])('maxAgeMs $maxAgeMs, a build of $buildMs ms: dropped $dropAfter ms after it', async (t) => {
    const h = harness(t);
    const snap = await h.c.get();
    expect(snap).toBeDefined();
    expect(h.c.holding).toBe(true);
    expect(h.timers.map((x) => x.ms)).toEqual([t.dropAfter]);
    h.clock.now += t.dropAfter;
    h.timers[0]!.fn();
    expect(h.c.holding).toBe(false);
    // and a later get builds a new one, as it would have for the expired one
    const again = await h.c.get();
    expect(again).not.toBe(snap);
    expect(h.takes()).toBe(2);
  });

  it("an older snapshot's timer does not drop the one that replaced it", async () => {
    const h = harness({ maxAgeMs: 10_000, buildMs: 0 });
    const first = await h.c.get();
    await h.c.bump(); // the Swarm changed: the next get builds anew
    const second = await h.c.get();
    expect(second).not.toBe(first);
    h.timers[0]!.fn(); // the first snapshot's expiry
    expect(h.c.holding).toBe(true);
    expect(await h.c.get()).toBe(second);
    h.timers[1]!.fn();
    expect(h.c.holding).toBe(false);
  });

  it('holds nothing after a bump, before any timer', async () => {
    const h = harness({ buildMs: 0 });
    await h.c.get();
    await h.c.bump();
    expect(h.c.holding).toBe(false);
  });
});
