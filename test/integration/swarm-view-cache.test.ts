/**
 * SwarmViewCache with a real Redis (the epoch is shared by every replica). The snapshots are stubs
 * built by a counting `take`: what is under test is when one is served, built or bypassed.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwarmSnapshot } from '../../controllers/docker/swarm-snapshot.js';
import { SwarmViewCache, type SnapshotResult } from '../../controllers/runtime/swarm-view-cache.js';
import { labVars, uniq } from './helpers/controller-swarm.js';

let redis: Redis;
const keys: string[] = [];

function stub(epoch: string, takenAt: number): SwarmSnapshot {
  return { epoch, takenAt, observe: () => ({ objects: [] }), health: () => [] };
}

/** A cache over a fresh epoch key, with a controllable clock and a log of takes and results. */
function cache(
  opts: {
    epochKey?: string;
    maxAgeMs?: number;
    minRebuildMs?: number;
    rebuildCostFactor?: number;
    /** ms the clock moves while a build reads the Swarm */
    buildMs?: number;
    take?: (e: string) => Promise<SwarmSnapshot>;
  } = {},
) {
  const epochKey = opts.epochKey ?? `sk-test:${uniq('epoch')}`;
  keys.push(epochKey);
  const clock = { now: 1_000_000 };
  const takes: string[] = [];
  const results: SnapshotResult[] = [];
  const c = new SwarmViewCache({
    redis,
    epochKey,
    take:
      opts.take ??
      (async (epoch) => {
        takes.push(epoch);
        const takenAt = clock.now;
        clock.now += opts.buildMs ?? 0;
        return stub(epoch, takenAt);
      }),
    minRebuildMs: opts.minRebuildMs ?? 0,
    ...(opts.rebuildCostFactor !== undefined ? { rebuildCostFactor: opts.rebuildCostFactor } : {}),
    ...(opts.maxAgeMs !== undefined ? { maxAgeMs: opts.maxAgeMs } : {}),
    onResult: (r) => results.push(r),
    now: () => clock.now,
  });
  return { c, clock, takes, results, epochKey };
}

beforeAll(() => {
  redis = new Redis(labVars().redisUrl, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('SwarmViewCache (real Redis)', () => {
  it('builds one snapshot for concurrent reconciles, then serves it', async () => {
    const { c, takes, results } = cache();
    const got = await Promise.all([c.get(), c.get(), c.get()]);
    expect(takes).toEqual(['0']);
    expect(new Set(got).size).toBe(1);
    expect(await c.get()).toBe(got[0]);
    expect(results.sort()).toEqual(['built', 'hit', 'hit', 'hit']);
  });

  it('a bump by another replica (same epoch key) makes the next get build a new one', async () => {
    const a = cache();
    const b = cache({ epochKey: a.epochKey });
    const first = await a.c.get();
    await b.c.bump();
    const second = await a.c.get();
    expect(second).not.toBe(first);
    expect(a.takes).toEqual(['0', '1']);
  });

  it('never serves a snapshot whose lists were read while the epoch moved', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = cache({
      take: async (epoch) => {
        await gate;
        return stub(epoch, 1_000_000);
      },
    });
    const pending = slow.c.get();
    await new Promise((r) => setImmediate(r));
    await redis.incr(slow.epochKey); // a change announced while the lists were being read
    release();
    expect((await pending)?.epoch).toBe('0'); // it started before the change: its caller may use it
    expect((await slow.c.get())?.epoch).toBe('1');
  });

  it('after a build, a stale snapshot is bypassed (not rebuilt) for minRebuildMs', async () => {
    const { c, clock, takes, results } = cache({ minRebuildMs: 1000 });
    await c.get();
    await c.bump();
    expect(await c.get()).toBeUndefined();
    clock.now += 1000;
    expect((await c.get())?.epoch).toBe('1');
    expect(takes).toEqual(['0', '1']);
    expect(results).toEqual(['built', 'bypassed', 'built']);
  });

  // At scale a build costs seconds (10,000 services listed with their task counts): a Swarm that
  // changes all the time (a start-up pass creating everything) must not be re-listed every second.
  it.each([
    { buildMs: 0, factor: 10, bypassedUntil: 1000 },
    { buildMs: 300, factor: 10, bypassedUntil: 3000 },
    { buildMs: 2000, factor: 5, bypassedUntil: 10_000 },
    { buildMs: 5000, factor: 10, bypassedUntil: 30_000 }, // never longer than maxAgeMs (30 s)
  ])(
    'a build of $buildMs ms: a stale snapshot is bypassed for max(minRebuildMs, $factor x that, at most maxAgeMs) after it',
    async ({ buildMs, factor, bypassedUntil }) => {
      const { c, clock, takes, results } = cache({ minRebuildMs: 1000, buildMs, rebuildCostFactor: factor });
      await c.get();
      const built = clock.now; // the end of the build
      await c.bump();
      clock.now = built + bypassedUntil - 1;
      expect(await c.get()).toBeUndefined();
      clock.now = built + bypassedUntil;
      expect((await c.get())?.epoch).toBe('1');
      expect(takes).toEqual(['0', '1']);
      expect(results).toEqual(['built', 'bypassed', 'built']);
    },
  );

  it('a snapshot older than maxAgeMs is rebuilt even when the epoch did not move', async () => {
    const { c, clock, takes } = cache({ maxAgeMs: 5000 });
    await c.get();
    clock.now += 4999;
    await c.get();
    clock.now += 1;
    await c.get();
    expect(takes).toEqual(['0', '0']);
  });

  it('a failed read of the Swarm is bypassed (the reconcile observes alone and reports it)', async () => {
    const { c, results } = cache({
      take: () => Promise.reject(new Error('connect ENOENT /var/run/docker.sock')),
    });
    expect(await c.get()).toBeUndefined();
    expect(results).toEqual(['bypassed']);
  });
});
