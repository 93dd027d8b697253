import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  delayToNextSlot,
  partition,
  shardOf,
  slotOf,
  stableHash,
} from '../../../../controllers/runtime/queue/resync-shards.js';

const key = fc.stringMatching(/^[A-Za-z]{1,12}\/[a-z0-9-]{1,12}\/[a-z0-9-]{1,20}$/);

describe('resync shards', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('stableHash(%j) is FNV-1a 32 (the same in every process and version)', (s, h) => {
    expect(stableHash(s)).toBe(h);
  });

  it('the shards partition the keys: each key once, in its own shard, in the given order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 200 }), fc.integer({ min: 1, max: 64 }), (keys, n) => {
        const shards = partition(keys, n);
        expect(shards).toHaveLength(n);
        expect(shards.flat().sort()).toEqual([...keys].sort());
        shards.forEach((s, i) => {
          for (const k of s) expect(shardOf(k, n)).toBe(i);
          expect(s).toEqual(keys.filter((k) => shardOf(k, n) === i));
        });
      }),
    );
  });

  it('every replica cuts the same keys the same way, whatever order it read them in', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { minLength: 1, maxLength: 100 }),
        fc.integer({ min: 1, max: 32 }),
        (keys, n) => {
          const reversed = partition([...keys].reverse(), n);
          expect(reversed.map((s) => [...s].sort())).toEqual(partition(keys, n).map((s) => [...s].sort()));
        },
      ),
    );
  });

  it('1,000 stack keys spread over 16 shards (none empty, none over twice the mean)', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `SwarmStack/ns-${i % 7}/stack-${i}`);
    const sizes = partition(keys, 16).map((s) => s.length);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThan(2 * (1000 / 16));
  });

  it.each([
    [0, 1000, 0],
    [999, 1000, 0],
    [1000, 1000, 1],
    [1_765_000_012_345, 5000, 353_000_002],
  ])('slotOf(%d, %d) = %d', (now, interval, slot) => {
    expect(slotOf(now, interval)).toBe(slot);
  });

  it.each([
    // now, interval, random, delay
    [0, 10_000, 0, 10_000],
    [2500, 10_000, 0, 7500],
    [2500, 10_000, 0.5, 8000], // jitter up to interval / 10
    [9999, 10_000, 0.999, 1000],
    [12_000, 600_000, 0.5, 589_000], // jitter capped at 2 s
    [10_000, 10_000, 0, 10_000], // on a boundary: the next one
  ])('delayToNextSlot(%d, %d, %d) = %d', (now, interval, random, delay) => {
    expect(delayToNextSlot(now, interval, random)).toBe(delay);
  });

  it('a tick lands in the next slot, within its jitter window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (now, interval, r) => {
          const at = now + delayToNextSlot(now, interval, r);
          const start = (slotOf(now, interval) + 1) * interval;
          expect(at).toBeGreaterThanOrEqual(start);
          expect(at - start).toBeLessThanOrEqual(Math.min(interval / 10, 2000));
          expect(slotOf(at, interval)).toBe(slotOf(now, interval) + 1);
        },
      ),
    );
  });
});
