import { describe, expect, it } from 'vitest';
import {
  type GcFlavor,
  IdleGc,
  majorGc,
  youngGenerationBytes,
} from '../../../controllers/runtime/idle-gc.js';

const MiB = 2 ** 20;

/** A fake process: each check reads one utilization and young-generation sizes in turn. */
function fake(util: number[], young: number[]) {
  const collected: GcFlavor[] = [];
  const reports: { youngBefore: number; youngAfter: number; flavors: GcFlavor[] }[] = [];
  let u = 0;
  let y = 0;
  const gc = new IdleGc({
    utilization: () => util[u++] ?? 0,
    youngBytes: () => young[Math.min(y++, young.length - 1)] ?? 0,
    collect: (f) => collected.push(f),
    onCollected: ({ youngBefore, youngAfter, flavors }) => reports.push({ youngBefore, youngAfter, flavors }),
  });
  return { gc, collected, reports };
}

describe('IdleGc', () => {
  it.each([
    // name, utilization, young sizes read in turn, flavors of the one check
    ['busy: no GC', [0.5], [64 * MiB], []],
    ['idle after the start-up burst, young grown: one regular GC', [0.01], [64 * MiB, 1 * MiB], ['regular']],
    ['idle, young at its minimum: no GC', [0.01], [1 * MiB], []],
    ['idle, just under the threshold: no GC', [0.01], [4 * MiB - 1], []],
    [
      'regular GC did not shrink it: last-resort',
      [0.01],
      [64 * MiB, 64 * MiB, 1 * MiB],
      ['regular', 'last-resort'],
    ],
    ['utilization at the busy threshold counts as busy', [0.1], [64 * MiB], []],
  ] as const)('%s', (_n, util, young, flavors) => {
    const { gc, collected } = fake([...util], [...young]);
    expect(gc.check()).toEqual(flavors);
    expect(collected).toEqual(flavors);
  });

  it('collects at most once per busy period, and again after the next one', () => {
    // a young generation that never shrinks: without the rule it would be collected every check
    const { gc, collected } = fake([0.01, 0.01, 0.01, 0.9, 0.02, 0.02], [64 * MiB]);
    const per = Array.from({ length: 6 }, () => gc.check().length > 0);
    expect(per).toEqual([true, false, false, false, true, false]);
    expect(collected).toEqual(['regular', 'last-resort', 'regular', 'last-resort']);
  });

  it('reports the young generation before and after', () => {
    const { gc, reports } = fake([0.01], [48 * MiB, 2 * MiB]);
    gc.check();
    expect(reports).toEqual([{ youngBefore: 48 * MiB, youngAfter: 2 * MiB, flavors: ['regular'] }]);
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
