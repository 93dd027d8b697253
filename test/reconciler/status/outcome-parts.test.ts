import { describe, expect, it } from 'vitest';
import type { DesiredState, ObservedObject } from '../../../reconciler/model/objects.js';
import type { Plan } from '../../../reconciler/plan/types.js';
import { driftChanges, hookStatuses, unallocatedNetworks } from '../../../reconciler/status/outcome-parts.js';

const net = (name: string, unknown?: string[]): ObservedObject => ({
  kind: 'network',
  id: `id-${name}`,
  name,
  labels: {},
  spec: {},
  ...(unknown ? { unknownFields: unknown } : {}),
});

const desired = (networks: string[], external: string[] = []): DesiredState =>
  ({
    owner: { kind: 'SwarmStack', namespace: 'default', name: 's' },
    objects: networks.map((name) => ({ kind: 'network', name, spec: { Name: name } })),
    external: external.map((name) => ({ kind: 'network', name })),
  }) as unknown as DesiredState;

describe('unallocatedNetworks', () => {
  it.each([
    ['none observed', desired(['s_a']), [], []],
    ['allocated', desired(['s_a']), [net('s_a')], []],
    ['its own, not allocated', desired(['s_a']), [net('s_a', ['Driver'])], ['s_a']],
    ['an empty unknown list is allocated', desired(['s_a']), [net('s_a', [])], []],
    ['an external one it uses', desired([], ['shared']), [net('shared', ['Driver'])], ['shared']],
    ["another stack's", desired(['s_a']), [net('t_a', ['Driver'])], []],
    ['sorted', desired(['s_b', 's_a']), [net('s_b', ['Driver']), net('s_a', ['IPAM'])], ['s_a', 's_b']],
  ])('%s', (_n, d, observed, want) => {
    expect(unallocatedNetworks(d, observed)).toStrictEqual(want);
  });

  it('a service or volume with unknown fields is not a network', () => {
    const o = { ...net('s_a', ['Driver']), kind: 'volume' } as ObservedObject;
    expect(unallocatedNetworks(desired(['s_a']), [o])).toStrictEqual([]);
  });
});

describe('driftChanges and hookStatuses', () => {
  const plan = {
    actions: [
      { op: 'update', kind: 'service', name: 's_web', changes: [{ path: 'Mode.Replicated.Replicas' }] },
      { op: 'create', kind: 'config', name: 's_c1', changes: [] },
      { op: 'remove', kind: 'service', name: 's_old', changes: [] },
    ],
    blocked: [],
    hooks: [
      { phase: 'pre-deploy', service: 's_migrate', revision: 'r1', state: 'done', exitCode: 0 },
      { phase: 'post-deploy', service: 's_notify', revision: 'r1', state: 'pending' },
    ],
  } as unknown as Plan;

  it('each action as the paths status shows', () => {
    expect(driftChanges(plan)).toStrictEqual([
      { path: 'service s_web: Mode.Replicated.Replicas' },
      { path: 'config s_c1: missing' },
      { path: 'service s_old: unexpected' },
    ]);
  });

  it('each hook step with its exit code when it has one', () => {
    expect(hookStatuses(plan)).toStrictEqual([
      { phase: 'pre-deploy', service: 's_migrate', revision: 'r1', state: 'done', exitCode: 0 },
      { phase: 'post-deploy', service: 's_notify', revision: 'r1', state: 'pending' },
    ]);
    expect(hookStatuses({ ...plan, hooks: undefined } as unknown as Plan)).toStrictEqual([]);
  });
});
