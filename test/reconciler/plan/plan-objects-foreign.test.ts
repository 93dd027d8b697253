import { describe, expect, it } from 'vitest';
import type { ObservedState } from '../../../reconciler/model/objects.js';
import { LABEL_STACK_NAMESPACE } from '../../../reconciler/model/ownership.js';
import { immutableChanges } from '../../../reconciler/plan/plan-objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import type { UpdateAction } from '../../../reconciler/plan/types.js';
import {
  cfg,
  deployed,
  front,
  mutate,
  net,
  ops,
  opts,
  OTHER_OWNER,
  sec,
  stackDeployed,
  state,
  svc,
  withNet,
} from './fixtures.js';

const asDocker = <T extends { name: string; logicalName: string; spec: { Name: string } }>(o: T): T => ({
  ...o,
  name: o.logicalName,
  spec: { ...o.spec, Name: o.logicalName },
});

describe('plan: unowned objects of the same stack under a desired name', () => {
  it.each([['a config with other content', cfg('c', 'theirs'), cfg('c', 'ours')]])(
    '%s (no adopt) is a conflict listing the change',
    (_n, theirs, ours) => {
      // the hashed name of `ours` is taken by `theirs`: the same name, another content
      const found = stackDeployed([
        { ...theirs, name: ours.name, spec: { ...theirs.spec, Name: ours.name } },
      ]);
      const p = plan(state(ours), found, opts());
      expect(p.actions).toEqual([]);
      expect(p.blocked).toEqual([
        {
          kind: 'config',
          name: ours.name,
          code: 'SK_ERR_OWNERSHIP_CONFLICT',
          message: `config ${ours.name} exists and is not owned by SwarmStack/ns/app (owner: none); it differs from the desired config (Data) and cannot be changed in place; remove or rename it`,
          changes: [{ path: 'Data', from: theirs.spec.Data, to: ours.spec.Data }],
        },
      ]);
    },
  );

  it.each([
    ['an equal config', cfg('c', 'x')],
    ['a secret (its value cannot be read)', sec('s', 'x')],
    ['an equal network', front],
  ])('%s is used as it is, adopt or not', (_n, obj) => {
    for (const adopt of [false, true])
      expect(plan(state(obj), stackDeployed([obj]), opts({ adopt }))).toMatchObject({
        actions: [],
        blocked: [],
      });
  });

  it('a config of another stack namespace is a conflict', () => {
    const c = cfg('c', 'x');
    const found = mutate(stackDeployed([c]), c.name, (o) => (o.labels[LABEL_STACK_NAMESPACE] = 'other'));
    expect(plan(state(c), found, opts()).blocked.map((b) => b.code)).toEqual(['SK_ERR_OWNERSHIP_CONFLICT']);
  });
});

describe('plan: adopting docker-named configs and secrets', () => {
  it('the label update lists every label it adds or changes, and nothing else', () => {
    const c = cfg('c', 'x');
    const found = mutate(stackDeployed([asDocker(c)]), 'app_c', (o) => (o.labels['extra'] = 'kept'));
    const p = plan(state(c), found, opts({ adopt: true }));
    const u = p.actions[0] as UpdateAction;
    expect(u).toMatchObject({ op: 'update', kind: 'config', name: 'app_c', adopt: true, labelsOnly: true });
    expect(u.id).toBe(found.objects[0]?.id);
    expect(u.version).toBe(found.objects[0]?.version);
    expect(u.changes).toEqual([
      { path: 'Labels["swarmkeeper.io/content-hash"]', to: c.hash },
      { path: 'Labels["swarmkeeper.io/instance"]', to: 'i1' },
      { path: 'Labels["swarmkeeper.io/logical-name"]', to: 'app_c' },
      { path: 'Labels["swarmkeeper.io/owner"]', to: 'SwarmStack/ns/app' },
    ]);
  });

  it('a label with another value is listed with its old value', () => {
    const c = cfg('c', 'x');
    const found = mutate(stackDeployed([asDocker(c)]), 'app_c', (o) => {
      o.labels['swarmkeeper.io/logical-name'] = 'old';
    });
    // a logical-name label alone does not make it owned: still docker's, still adoptable
    const u = plan(state(c), found, opts({ adopt: true })).actions[0] as UpdateAction;
    expect(u.changes).toContainEqual({
      path: 'Labels["swarmkeeper.io/logical-name"]',
      from: 'old',
      to: 'app_c',
    });
  });

  it('a docker-named config with other content is not adopted: the hashed version is created', () => {
    const found = stackDeployed([asDocker(cfg('c', 'old'))]);
    expect(ops(plan(state(cfg('c', 'new')), found, opts({ adopt: true })))).toEqual([
      `create config ${cfg('c', 'new').name}`,
    ]);
  });
});

describe('plan: recreating networks other owners use', () => {
  it('is blocked, naming the foreign services, sorted', () => {
    const mine = state(front, withNet());
    const obs = deployed(
      { owner: OTHER_OWNER, objects: [withNet(svc('zed')), withNet(svc('alpha'))] },
      deployed(mine),
    );
    const p = plan(
      state(net('front', { Attachable: true }), withNet()),
      obs,
      opts({ recreatePolicy: 'Always' }),
    );
    expect(p.actions).toEqual([]);
    expect(p.blocked).toEqual([
      {
        kind: 'network',
        name: 'app_front',
        code: 'SK_ERR_RECREATE_BLOCKED',
        message:
          'network app_front must be recreated to change Attachable, but services not owned by SwarmStack/ns/app use it: app_alpha, app_zed',
        changes: [{ path: 'Attachable', to: true }],
        affectedServices: ['app_alpha', 'app_web', 'app_zed'],
      },
    ]);
  });

  it('a blocked recreate of an unused network names no services', () => {
    const obs = deployed(state(front));
    expect(plan(state(net('front', { Attachable: true })), obs, opts()).blocked[0]?.message).toBe(
      'network app_front must be recreated to change Attachable (networks are immutable) and recreatePolicy is Never; set recreatePolicy: Always to allow it',
    );
  });
});

describe('immutableChanges', () => {
  const observedOf = (s: ObservedState, name: string) => s.objects.find((o) => o.name === name)?.spec;

  it.each([
    ['no IPAM config: the server-assigned one is no change', net('n'), []],
    [
      'a subnet without gateway: the server-picked gateway is no change',
      net('n', { IPAM: { Config: [{ Subnet: '10.9.0.0/24' }] } }),
      [],
    ],
  ])('%s', (_n, d, want) => {
    const obs = deployed(state(d));
    expect(immutableChanges(d, observedOf(obs, d.name), true)).toEqual(want);
  });

  it('a gateway the user set is compared', () => {
    const d = net('n', { IPAM: { Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1' }] } });
    const obs = deployed(state(d));
    const other = net('n', { IPAM: { Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.254' }] } });
    expect(immutableChanges(other, observedOf(obs, 'app_n'), true)).toEqual([
      { path: 'IPAM.Config[0].Gateway', from: '10.9.0.1', to: '10.9.0.254' },
    ]);
  });

  it('configs, secrets and services have no immutable changes', () => {
    for (const d of [cfg('c', 'x'), sec('s', 'x'), svc('web')]) expect(immutableChanges(d, {})).toEqual([]);
  });

  it('ownership labels count only unless left out', () => {
    const d = {
      ...front,
      spec: { ...front.spec, Labels: { ...front.spec.Labels, 'swarmkeeper.io/owner': 'x' } },
    };
    const o = { ...front.spec, Scope: 'swarm', IPAM: { Driver: 'default' } };
    expect(immutableChanges(d, o).map((c) => c.path)).toEqual(['Labels["swarmkeeper.io/owner"]']);
    expect(immutableChanges(d, o, true)).toEqual([]);
  });
});
