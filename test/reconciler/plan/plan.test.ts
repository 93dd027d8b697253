import { describe, expect, it } from 'vitest';
import {
  LABEL_INSTANCE,
  LABEL_OWNER,
  LABEL_SPEC_HASH,
  LABEL_STACK_NAMESPACE,
  ownerLabels,
} from '../../../reconciler/model/ownership.js';
import { plan } from '../../../reconciler/plan/plan.js';
import type { UpdateAction } from '../../../reconciler/plan/types.js';
import {
  cfg,
  deployed,
  front,
  INSTANCE,
  mutate,
  net,
  ops,
  opts,
  OTHER_OWNER,
  OWNER,
  sec,
  stackDeployed,
  state,
  svc,
  web,
  withNet,
} from './fixtures.js';

describe('plan: create and resync', () => {
  it('creates dependencies first, in kind order', () => {
    const c = cfg('conf', 'x');
    const d = state(svc('api'), withNet(), sec('pw', 's3cret'), c, front);
    expect(ops(plan(d, { objects: [] }, opts()))).toEqual([
      'create network app_front',
      `create config ${c.name}`,
      `create secret ${sec('pw', 's3cret').name}`,
      'create service app_api',
      'create service app_web',
    ]);
  });

  it('puts ownership, logical-name and spec-hash labels on what it creates', () => {
    const p = plan(state(cfg('conf', 'x'), web), { objects: [] }, opts());
    const [c, s] = p.actions;
    expect(c?.op === 'create' && c.desired.spec.Labels).toMatchObject({
      ...ownerLabels(OWNER, INSTANCE),
      'swarmkeeper.io/logical-name': 'app_conf',
    });
    expect(s?.op === 'create' && s.desired.spec.Labels?.[LABEL_SPEC_HASH]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a no-op resync plans nothing', () => {
    const d = state(front, withNet(), cfg('conf', 'x'), sec('pw', 's'));
    expect(plan(d, deployed(d), opts({ prune: true }))).toEqual({
      owner: 'SwarmStack/ns/app',
      actions: [],
      blocked: [],
    });
  });
});

describe('plan: ownership and adoption', () => {
  const stack = stackDeployed([web, front]);
  const conflict = (kind: string, name: string, owner: string) =>
    `${kind} ${name} exists and is not owned by SwarmStack/ns/app (owner: ${owner}); set adopt or rename`;

  it('adopts a docker-stack-deploy service with a labels-only update', () => {
    const p = plan(state(web), stack, opts({ adopt: true }));
    expect(ops(p)).toEqual(['update service app_web']);
    const u = p.actions[0] as UpdateAction;
    expect(u).toMatchObject({ adopt: true, labelsOnly: true });
    expect(u.changes.map((c) => c.path).sort()).toEqual([
      `Labels["${LABEL_INSTANCE}"]`,
      `Labels["${LABEL_OWNER}"]`,
    ]);
  });

  it.each([[{ adopt: true }], [{}]])('uses an equal unowned network of the same stack as is (%j)', (o) => {
    // it cannot be relabelled, and using it changes nothing about it, so adopt is not needed
    expect(plan(state(front), stack, opts(o))).toMatchObject({ actions: [], blocked: [] });
  });

  it.each([
    ['service', web, stack, {}, conflict('service', 'app_web', 'none')],
    [
      'network of another stack',
      front,
      mutate(stack, 'app_front', (o) => (o.labels[LABEL_STACK_NAMESPACE] = 'B')),
      {},
      conflict('network', 'app_front', 'none'),
    ],
    [
      'network of another owner',
      front,
      deployed({ owner: OTHER_OWNER, objects: [front] }),
      { adopt: true },
      'network app_front exists and is not owned by SwarmStack/ns/app (owner: SwarmStack/ns/other, instance i1); adopt only takes objects without an owner labelled com.docker.stack.namespace=app; rename or remove it',
    ],
    [
      'service of another instance',
      web,
      deployed(state(web), undefined, { instanceId: 'i2' }),
      {},
      conflict('service', 'app_web', 'SwarmStack/ns/app, instance i2'),
    ],
  ])('blocks a %s it does not own', (_n, obj, observed, o, message) => {
    const p = plan(state(obj), observed, opts(o));
    expect(p.actions).toEqual([]);
    expect(p.blocked).toEqual([
      { kind: obj.kind, name: obj.name, code: 'SK_ERR_OWNERSHIP_CONFLICT', message },
    ]);
  });

  it('does not adopt from another stack namespace', () => {
    const other = mutate(stack, 'app_web', (o) => (o.labels[LABEL_STACK_NAMESPACE] = 'B'));
    const p = plan(state(web), other, opts({ adopt: true }));
    expect(p.actions).toEqual([]);
    expect(p.blocked[0]?.code).toBe('SK_ERR_OWNERSHIP_CONFLICT');
  });

  it('blocks adopting a network whose spec differs', () => {
    const p = plan(state(net('front', { Attachable: true })), stack, opts({ adopt: true }));
    expect(p.blocked).toMatchObject([
      { code: 'SK_ERR_OWNERSHIP_CONFLICT', changes: [{ path: 'Attachable', to: true }] },
    ]);
  });

  it('never removes or updates objects it does not own, even with prune', () => {
    const theirs = deployed(
      { owner: OTHER_OWNER, objects: [svc('old'), net('old'), cfg('old', '1')] },
      stack,
    );
    expect(plan(state(), theirs, opts({ prune: true }))).toMatchObject({ actions: [], blocked: [] });
  });
});

describe('plan: prune, external', () => {
  const d = state(front, withNet(), svc('old'), cfg('old', '1'), net('old'));
  const obs = deployed(d);
  const next = state(front, withNet());

  it('leaves objects no longer desired without prune', () => {
    expect(plan(next, obs, opts()).actions).toEqual([]);
  });

  it('prunes them with prune, services first and networks last', () => {
    expect(
      plan(next, obs, opts({ prune: true })).actions.map(
        (a) => a.op === 'remove' && `${a.kind} ${a.name} ${a.why}`,
      ),
    ).toEqual(['service app_old pruned', `config ${cfg('old', '1').name} pruned`, 'network app_old pruned']);
  });

  it('never touches external objects', () => {
    const ext = {
      ...next,
      external: [{ kind: 'network' as const, name: 'app_old' }],
      objects: [...next.objects, net('old', { Attachable: true })],
    };
    expect(ops(plan(ext, obs, opts({ prune: true })))).toEqual([
      'remove service app_old',
      `remove config ${cfg('old', '1').name}`,
    ]);
  });
});
