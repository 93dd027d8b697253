import { describe, expect, it } from 'vitest';
import { PruneGuard } from '../../../controllers/runtime/prune-guard.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import type { SourceSnapshot } from '../../../controllers/ports.js';

const res = (name: string): DesiredResource => ({
  key: `SwarmStack/default/${name}`,
  kind: 'SwarmStack',
  namespace: 'default',
  name,
  spec: {},
  origin: { file: `${name}.yml` },
  baseDir: '.',
});
const snap = (...names: string[]): SourceSnapshot => ({
  source: 'dir:x',
  root: '/x',
  revision: 'r',
  resources: names.map(res),
  errors: [],
});

describe('PruneGuard', () => {
  it.each([
    ['first snapshot', undefined, snap(), 0.5, false, true],
    ['nothing dropped', snap('a', 'b'), snap('a', 'b', 'c'), 0.5, false, true],
    ['drops within the fraction', snap('a', 'b', 'c', 'd'), snap('a', 'b', 'c'), 0.5, false, true],
    ['drops more than the fraction', snap('a', 'b', 'c', 'd'), snap('a'), 0.5, false, false],
    ['suddenly empty', snap('a'), snap(), 1, false, false],
    ['suddenly empty with allowEmpty', snap('a'), snap(), 0.5, true, true],
  ] as const)('%s', (_n, prev, next, fraction, allowEmpty, allowed) => {
    const v = new PruneGuard(fraction, allowEmpty).check(prev, next);
    expect(v.allowed).toBe(allowed);
    if (!allowed) expect(v.keep.map((r) => r.name).sort()).toEqual(prev!.resources.map((r) => r.name).sort());
  });

  it('names the source and the counts', () => {
    expect(new PruneGuard(0.5, false).check(snap('a', 'b'), snap()).message).toBe(
      'dir:x suddenly yields no resources (had 2); nothing is pruned without allowEmpty (--allow-empty)',
    );
    expect(new PruneGuard(0.25, false).check(snap('a', 'b', 'c', 'd'), snap('a', 'b')).error?.code).toBe(
      'SK_ERR_PRUNE_BLOCKED',
    );
  });
});
