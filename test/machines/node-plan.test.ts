import { describe, expect, it } from 'vitest';
import {
  convergeUpdate,
  drainDone,
  inThisSwarm,
  isManagerView,
  nodeDrift,
  ownedByMe,
  ownedByOther,
  unionIds,
  viewSettled,
} from '../../machines/node-plan.js';
import type { DesiredNode, NodeInspection, SwarmNodeView } from '../../machines/node.types.js';
import { CONVERGED, INSTANCE, inspection, KEY, OWNER_LABELS, view } from './node-harness.js';

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

describe('isManagerView (feeds the quorum guards)', () => {
  it.each<[string, SwarmNodeView | null | undefined, boolean]>([
    ['unknown', undefined, false],
    ['gone', null, false],
    ['a worker, no Raft member', view(), false],
    ['a worker still in Raft (demotion not finished)', view({ reachability: 'reachable' }), true],
    ['a worker still in Raft, unreachable', view({ reachability: 'unreachable' }), true],
    ['a manager without reachability yet (promotion not finished)', view({ role: 'manager' }), true],
    ['a reachable manager', view({ role: 'manager', reachability: 'reachable' }), true],
  ])('%s: %s', (_n, v, expected) => {
    expect(isManagerView(v)).toBe(expected);
  });
});

describe('viewSettled', () => {
  it.each<[string, SwarmNodeView | null | undefined, boolean]>([
    ['unknown', undefined, false],
    ['gone', null, false],
    ['a ready worker', view(), true],
    ['a down worker', view({ state: 'down' }), false],
    ['a ready worker still in Raft', view({ reachability: 'reachable' }), false],
    ['a ready reachable manager', view({ role: 'manager', reachability: 'reachable' }), true],
    ['a ready manager not yet in Raft', view({ role: 'manager' }), false],
    ['a ready unreachable manager', view({ role: 'manager', reachability: 'unreachable' }), false],
  ])('%s: %s', (_n, v, expected) => {
    expect(viewSettled(v)).toBe(expected);
  });
});

describe('inThisSwarm', () => {
  const C1 = { clusterId: 'C1' };
  it.each<[string, NodeInspection | undefined, boolean]>([
    ['not inspected', undefined, false],
    ['inactive', inspection({}), false],
    // A pending daemon is not joined, even when it names our cluster or the manager lists it.
    ['pending, our cluster', inspection({ localState: 'pending', nodeId: 'N2', ...C1 }), false],
    [
      'pending, known to the manager',
      inspection({ localState: 'pending', nodeId: 'N2' }, { knownToManager: true }),
      false,
    ],
    ['error, our cluster', inspection({ localState: 'error', ...C1 }, { knownToManager: true }), false],
    ['locked, known', inspection({ localState: 'locked' }, { knownToManager: true }), false],
    ['an active manager of our cluster', inspection({ localState: 'active', ...C1 }), true],
    [
      'an active manager of another cluster, listed',
      inspection({ localState: 'active', clusterId: 'C9' }, { knownToManager: true }),
      false,
    ],
    [
      'an active worker the manager lists',
      inspection({ localState: 'active' }, { knownToManager: true }),
      true,
    ],
    ['an active worker unknown to the manager', inspection({ localState: 'active' }), false],
    [
      'an empty cluster ID falls back to the manager list',
      inspection({ localState: 'active', clusterId: '' }, { knownToManager: true }),
      true,
    ],
    ['an empty cluster ID, unknown', inspection({ localState: 'active', clusterId: '' }), false],
  ])('%s: %s', (_n, i, expected) => {
    expect(inThisSwarm(i)).toBe(expected);
  });
});

describe('convergeUpdate', () => {
  const base = { key: KEY, instance: INSTANCE };
  it('a spec that drops all labels removes them (a removal-only change is an update)', () => {
    const u = convergeUpdate({ ...base, view: CONVERGED, desired: { labels: {} } });
    expect(u).toEqual({
      nodeId: 'N2',
      labels: { set: {}, remove: ['swarmkeeper.io/node-labels', 'zone'] },
    });
  });
  it.each<[string, SwarmNodeView | null | undefined, DesiredNode | undefined, unknown]>([
    ['no view', undefined, { role: 'manager' }, undefined],
    ['gone', null, { role: 'manager' }, undefined],
    ['converged', CONVERGED, { role: 'worker', availability: 'active', labels: { zone: 'a' } }, undefined],
    ['promotion', CONVERGED, { role: 'manager' }, { nodeId: 'N2', role: 'manager' }],
    ['pause', CONVERGED, { availability: 'pause' }, { nodeId: 'N2', availability: 'pause' }],
    ['drain is the drain machine’s', CONVERGED, { availability: 'drain' }, undefined],
    [
      'undrain',
      { ...CONVERGED, availability: 'drain' },
      { availability: 'active' },
      { nodeId: 'N2', availability: 'active' },
    ],
    [
      'no spec: owner labels only',
      view(),
      undefined,
      { nodeId: 'N2', labels: { set: OWNER_LABELS, remove: [] } },
    ],
  ])('%s', (_n, v, d, expected) => {
    expect(convergeUpdate({ ...base, view: v, ...(d ? { desired: d } : {}) })).toStrictEqual(expected);
  });
});

describe('drainDone and unionIds', () => {
  it.each([
    [0, [], true],
    [1, [], false],
    [0, [{ service: 's', running: 0, desired: 1 }], false],
  ] as const)('%i tasks left, %j pending: %s', (left, pending, expected) => {
    expect(drainDone({ tasksLeft: left, services: [], pending: [...pending] })).toBe(expected);
  });
  it('union is deduplicated and sorted', () => {
    expect(unionIds(['b', 'a'], ['c', 'a'])).toEqual(['a', 'b', 'c']);
  });
});

describe('ownership of an unknown node', () => {
  it.each([null, undefined])('view %s: neither mine nor another’s', (v) => {
    expect(ownedByOther({ view: v, key: KEY, instance: INSTANCE })).toBe(false);
    expect(ownedByMe({ view: v, key: KEY, instance: INSTANCE })).toBe(false);
  });
  it('a node not listed by the manager, spec drains: availability drift', () => {
    expect(
      nodeDrift({ view: null, desired: { availability: 'drain' }, key: KEY, instance: INSTANCE }),
    ).toEqual(['Spec.Availability']);
  });
});
