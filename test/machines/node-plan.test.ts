import { describe, expect, it } from 'vitest';
import { nodeDrift } from '../../machines/node-plan.js';
import type { DesiredNode, SwarmNodeView } from '../../machines/node.types.js';
import { CONVERGED, INSTANCE, KEY, view } from './node-harness.js';

describe('nodeDrift', () => {
  const desired: DesiredNode = { role: 'worker', availability: 'active', labels: { zone: 'a' } };
  it.each<[string, SwarmNodeView, DesiredNode | undefined, string[]]>([
    ['in sync', CONVERGED, desired, []],
    ['role changed', { ...CONVERGED, role: 'manager' }, desired, ['Spec.Role']],
    ['paused', { ...CONVERGED, availability: 'pause' }, desired, ['Spec.Availability']],
    [
      'undrained while the spec drains',
      CONVERGED,
      { ...desired, availability: 'drain' },
      ['Spec.Availability'],
    ],
    [
      'drained as the spec wants',
      { ...CONVERGED, availability: 'drain' },
      { ...desired, availability: 'drain' },
      [],
    ],
    [
      'a managed label edited, another added by hand (not ours: ignored)',
      { ...CONVERGED, labels: { ...CONVERGED.labels, zone: 'b', rack: '7' } },
      desired,
      ['Spec.Labels.zone'],
    ],
    [
      'every label removed (ownership included)',
      view(),
      desired,
      [
        'Spec.Labels.swarmkeeper.io/instance',
        'Spec.Labels.swarmkeeper.io/node-labels',
        'Spec.Labels.swarmkeeper.io/owner',
        'Spec.Labels.zone',
      ],
    ],
    ['nothing asked for but ownership', CONVERGED, undefined, []],
    [
      'fields the spec leaves alone',
      { ...CONVERGED, role: 'manager', availability: 'pause' },
      { labels: { zone: 'a' } },
      [],
    ],
  ])('%s', (_n, v, d, paths) => {
    expect(nodeDrift({ view: v, ...(d ? { desired: d } : {}), key: KEY, instance: INSTANCE })).toEqual(paths);
  });
});
