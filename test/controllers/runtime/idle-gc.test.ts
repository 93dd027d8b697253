import { describe, expect, it } from 'vitest';
import {
  type GcFlavor,
  IdleGc,
  majorGc,
  youngGenerationBytes,
} from '../../../controllers/runtime/idle-gc.js';

const MiB = 2 ** 20;

/** A fake process: each check reads one utilization; young-generation sizes are read in turn. */
function fake(util: number[], young: number[]) {
  const collected: GcFlavor[] = [];
  const reports: { youngBefore: number; youngAfter: number }[] = [];
  let u = 0;
  let y = 0;
  const gc = new IdleGc({
    utilization: () => util[u++] ?? 0,
    youngBytes: () => young[Math.min(y++, young.length - 1)] ?? 0,
    collect: (f) => collected.push(f),
    onCollected: ({ youngBefore, youngAfter }) => reports.push({ youngBefore, youngAfter }),
  });
  return { gc, collected, reports };
}

describe('IdleGc', () => {
  it.each([
    // name, utilization, young generation size, collects
    ['busy: no GC', 0.5, 64 * MiB, false],
    ['idle after the start-up burst, young generation grown: one GC', 0.01, 64 * MiB, true],
    ['idle, young generation at its minimum: no GC', 0.01, 1 * MiB, false],
    ['idle, just under the threshold: no GC', 0.01, 4 * MiB - 1, false],
    ['idle, at the threshold: one GC', 0.01, 4 * MiB, true],
    ['utilization at the busy threshold counts as busy', 0.1, 64 * MiB, false],
  ] as const)('%s', (_n, util, young, collects) => {
    const { gc, collected } = fake([util], [young]);
    expect(gc.check()).toBe(collects);
    expect(collected).toEqual(collects ? ['last-resort'] : []);
  });

  it('collects at most once per busy period, and again after the next one', () => {
    // a young generation that never shrinks: without the rule it would be collected every check
    const { gc, collected } = fake([0.01, 0.01, 0.01, 0.9, 0.02, 0.02], [64 * MiB]);
    const per = Array.from({ length: 6 }, () => gc.check());
    expect(per).toEqual([true, false, false, false, true, false]);
    expect(collected).toHaveLength(2);
  });

  it('reports the young generation before and after', () => {
    const { gc, reports } = fake([0.01], [48 * MiB, 1 * MiB]);
    gc.check();
    expect(reports).toEqual([{ youngBefore: 48 * MiB, youngAfter: 1 * MiB }]);
  });
});

describe('majorGc', () => {
  it.each(['regular', 'last-resort'] as const)('runs a %s GC without exposing a global gc', (flavor) => {
    const hadGc = 'gc' in globalThis;
    expect(() => majorGc(flavor)).not.toThrow();
    expect('gc' in globalThis).toBe(hadGc);
  });

  it('reads the young generation size', () => {
    expect(youngGenerationBytes()).toBeGreaterThan(0);
  });
});
