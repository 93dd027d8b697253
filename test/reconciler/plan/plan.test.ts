import { describe, expect, it } from 'vitest';
import {
  LABEL_INSTANCE,
  LABEL_OWNER,
  LABEL_SPEC_HASH,
  LABEL_STACK_NAMESPACE,
  ownerLabels,
} from '../../../reconciler/model/ownership.js';
import type { ObservedState } from '../../../reconciler/model/objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import type { UpdateAction } from '../../../reconciler/plan/types.js';
import {
  cfg,
  deployed,
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
} from './fixtures.js';

const web = svc('web', {}, { Env: ['A=1'], Args: ['httpd', '-f'] });
const front = net('front');
const fileRef = (name: string) => ({ ConfigName: name, File: { Name: '/etc/c', UID: '0', GID: '0', Mode: 0o444 } });
const withNet = (s = web) => ({
  ...s,
  spec: { ...s.spec, TaskTemplate: { ...s.spec.TaskTemplate, Networks: [{ Target: front.name, Aliases: ['web'] }] } },
});
const labelsOf = (o: ObservedState, name: string) => o.objects.find((x) => x.name === name)?.labels;

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
    expect(plan(d, deployed(d), opts({ prune: true }))).toEqual({ owner: 'SwarmStack/ns/app', actions: [], blocked: [] });
  });
});

describe('plan: service updates', () => {
  const d = state(web);
  const obs = deployed(d);

  it.each([
    ['image', svc('web', {}, { Env: ['A=1'], Args: ['httpd', '-f'], Image: 'img:2' }), 'TaskTemplate.ContainerSpec.Image'],
    ['env', svc('web', {}, { Env: ['A=2'], Args: ['httpd', '-f'] }), 'TaskTemplate.ContainerSpec.Env[0]'],
    ['replicas', svc('web', { Mode: { Replicated: { Replicas: 3 } } }, { Env: ['A=1'], Args: ['httpd', '-f'] }), 'Mode.Replicated.Replicas'],
  ])('updates when %s changes, with the field change', (_n, changed, path) => {
    const p = plan(state(changed), obs, opts());
    expect(ops(p)).toEqual(['update service app_web']);
    const u = p.actions[0] as UpdateAction;
    expect(u.changes.map((c) => c.path)).toEqual([path]);
    expect(u).toMatchObject({ id: obs.objects[0]?.id, version: obs.objects[0]?.version, labelsOnly: false });
  });

  it('an observed label added by someone else is drift, fixed without restarting tasks', () => {
    const drifted = mutate(obs, 'app_web', (o) => {
      (o.spec as { Labels: Record<string, string> }).Labels['x'] = 'y';
      o.labels['x'] = 'y';
    });
    const u = plan(d, drifted, opts()).actions[0] as UpdateAction;
    expect(u.changes).toEqual([{ path: 'Labels.x', from: 'y' }]);
    expect(u.labelsOnly).toBe(true);
  });

  it('notices a field removed from the desired state through the spec hash', () => {
    const without = svc('web', {}, { Env: ['A=1'] });
    const u = plan(state(without), obs, opts()).actions[0] as UpdateAction;
    expect(u.changes).toEqual([{ path: 'TaskTemplate.ContainerSpec.Args', from: ['httpd', '-f'] }]);
    expect(u.desired.spec).not.toHaveProperty('TaskTemplate.ContainerSpec.Args');
  });

  it('a field added outside swarmkeeper (same spec hash) is not a difference: absent means "not managed"', () => {
    const drifted = mutate(obs, 'app_web', (o) => {
      (o.spec as { TaskTemplate: { ContainerSpec: Record<string, unknown> } }).TaskTemplate.ContainerSpec['User'] = 'x';
    });
    expect(plan(d, drifted, opts()).actions).toEqual([]);
  });

  it('zero values equal absent ones (no update, same spec hash)', () => {
    const zeroed = svc('web', {}, { Env: ['A=1'], Args: ['httpd', '-f'], Mounts: [], ReadOnly: false, Dir: '' });
    expect(plan(state(zeroed), obs, opts()).actions).toEqual([]);
  });

  it('ignore paths keep the observed value (autoscaler replicas) and drop the difference', () => {
    const two = (cs = {}) => svc('web', { Mode: { Replicated: { Replicas: 2 } } }, { Env: ['A=1'], ...cs });
    const ignore = ['Mode.Replicated.Replicas'];
    const scale = (o: ObservedState) =>
      mutate(o, 'app_web', (x) => {
        (x.spec as { Mode: unknown }).Mode = { Replicated: { Replicas: 7 } };
      });
    const u0 = plan(state(two()), scale(deployed(state(two()))), opts()).actions[0] as UpdateAction;
    expect(u0.changes).toEqual([{ path: 'Mode.Replicated.Replicas', from: 7, to: 2 }]);
    const scaled = scale(deployed(state(two()), undefined, { ignore }));
    expect(plan(state(two()), scaled, opts({ ignore })).actions).toEqual([]);
    const u = plan(state(two({ Image: 'img:2' })), scaled, opts({ ignore })).actions[0] as UpdateAction;
    expect(u.changes.map((c) => c.path)).toEqual(['TaskTemplate.ContainerSpec.Image']);
    expect(u.desired.kind === 'service' && u.desired.spec.Mode).toEqual({ Replicated: { Replicas: 7 } });
  });

  it.each([['TaskTemplate.ContainerSpec.Env[*]'], ['TaskTemplate.ContainerSpec.Env'], ['TaskTemplate.ContainerSpec']])(
    'ignore %s: an env var added outside is kept, also when another field changes',
    (ignore) => {
      const drifted = mutate(deployed(d, undefined, { ignore: [ignore] }), 'app_web', (o) => {
        (o.spec as { TaskTemplate: { ContainerSpec: { Env: string[] } } }).TaskTemplate.ContainerSpec.Env.push('B=2');
      });
      expect(plan(d, drifted, opts({ ignore: [ignore] })).actions).toEqual([]);
      const img = svc('web', { Mode: { Replicated: { Replicas: 3 } } }, { Env: ['A=1'], Args: ['httpd', '-f'] });
      const u = plan(state(img), drifted, opts({ ignore: [ignore] })).actions[0] as UpdateAction;
      expect(u.changes.map((c) => c.path)).toEqual(['Mode.Replicated.Replicas']);
      const env = u.desired.kind === 'service' && u.desired.spec.TaskTemplate.ContainerSpec.Env;
      expect(env).toEqual(['A=1', 'B=2']);
    },
  );

  it('without ignore an env var added outside is drift', () => {
    const drifted = mutate(obs, 'app_web', (o) => {
      (o.spec as { TaskTemplate: { ContainerSpec: { Env: string[] } } }).TaskTemplate.ContainerSpec.Env.push('B=2');
    });
    const u = plan(d, drifted, opts()).actions[0] as UpdateAction;
    expect(u.changes).toEqual([{ path: 'TaskTemplate.ContainerSpec.Env[1]', from: 'B=2' }]);
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
    expect(u.changes.map((c) => c.path).sort()).toEqual([`Labels["${LABEL_INSTANCE}"]`, `Labels["${LABEL_OWNER}"]`]);
  });

  it('uses an equal unowned network as is when adopting', () => {
    expect(plan(state(front), stack, opts({ adopt: true }))).toMatchObject({ actions: [], blocked: [] });
  });

  it.each([
    ['service', web, stack, {}, conflict('service', 'app_web', 'none')],
    ['network', front, stack, {}, conflict('network', 'app_front', 'none')],
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
    expect(p.blocked).toEqual([{ kind: obj.kind, name: obj.name, code: 'SK_ERR_OWNERSHIP_CONFLICT', message }]);
  });

  it('does not adopt from another stack namespace', () => {
    const other = mutate(stack, 'app_web', (o) => (o.labels[LABEL_STACK_NAMESPACE] = 'B'));
    const p = plan(state(web), other, opts({ adopt: true }));
    expect(p.actions).toEqual([]);
    expect(p.blocked[0]?.code).toBe('SK_ERR_OWNERSHIP_CONFLICT');
  });

  it('blocks adopting a network whose spec differs', () => {
    const p = plan(state(net('front', { Attachable: true })), stack, opts({ adopt: true }));
    expect(p.blocked).toMatchObject([{ code: 'SK_ERR_OWNERSHIP_CONFLICT', changes: [{ path: 'Attachable', to: true }] }]);
  });

  it('never removes or updates objects it does not own, even with prune', () => {
    const theirs = deployed({ owner: OTHER_OWNER, objects: [svc('old'), net('old'), cfg('old', '1')] }, stack);
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
    expect(plan(next, obs, opts({ prune: true })).actions.map((a) => a.op === 'remove' && `${a.kind} ${a.name} ${a.why}`)).toEqual([
      'service app_old pruned',
      `config ${cfg('old', '1').name} pruned`,
      'network app_old pruned',
    ]);
  });

  it('never touches external objects', () => {
    const ext = { ...next, external: [{ kind: 'network' as const, name: 'app_old' }], objects: [...next.objects, net('old', { Attachable: true })] };
    expect(ops(plan(ext, obs, opts({ prune: true })))).toEqual(['remove service app_old', `remove config ${cfg('old', '1').name}`]);
  });
});

describe('plan: networks are immutable', () => {
  const d = state(front, withNet());
  const obs = deployed(d);
  const changed = state(net('front', { Attachable: true }), withNet(svc('web', {}, { Image: 'img:2', Env: ['A=1'], Args: ['httpd', '-f'] })));

  it('blocks a recreate when recreatePolicy is Never', () => {
    const p = plan(changed, obs, opts());
    expect(ops(p)).toEqual(['update service app_web']);
    expect(p.blocked).toEqual([
      {
        kind: 'network',
        name: 'app_front',
        code: 'SK_ERR_RECREATE_BLOCKED',
        message:
          'network app_front must be recreated to change Attachable (networks are immutable) and recreatePolicy is Never; affected services: app_web; set recreatePolicy: Always to allow it',
        changes: [{ path: 'Attachable', to: true }],
        affectedServices: ['app_web'],
      },
    ]);
  });

  it('recreates before service updates when recreatePolicy is Always', () => {
    const p = plan(changed, obs, opts({ recreatePolicy: 'Always' }));
    expect(ops(p)).toEqual(['recreate network app_front', 'update service app_web']);
    expect(p.actions[0]).toMatchObject({ affectedServices: ['app_web'], changes: [{ path: 'Attachable', to: true }] });
  });

  it('does not recreate a network a service of another owner uses', () => {
    const shared = deployed({ owner: OTHER_OWNER, objects: [withNet(svc('theirs'))] }, obs);
    const p = plan(changed, shared, opts({ recreatePolicy: 'Always' }));
    expect(p.blocked).toMatchObject([{ code: 'SK_ERR_RECREATE_BLOCKED', affectedServices: ['app_theirs', 'app_web'] }]);
  });
});

describe('plan: hashed configs and secrets', () => {
  const v = (n: number) => cfg('conf', `v${n}`);
  const using = (n: number) => svc('web', {}, { Configs: [fileRef(v(n).name)] });
  /** Versions 1..n deployed one after the other, with retention high enough to keep all. */
  const history = (n: number): ObservedState => {
    let obs: ObservedState = { objects: [] };
    for (let i = 1; i <= n; i++) obs = deployed(state(v(i), using(i)), obs, { configRetention: 99 });
    return obs;
  };

  it('a content change creates the new version and updates the service; the old one is kept', () => {
    const p = plan(state(v(2), using(2)), history(1), opts());
    expect(ops(p)).toEqual([`create config ${v(2).name}`, 'update service app_web']);
  });

  it.each([
    [0, [1, 2, 3]],
    [1, [1, 2]],
    [2, [1]],
    [3, []],
  ])('retention %i retires versions %j (oldest first out), even without prune', (configRetention, retired) => {
    const p = plan(state(v(4), using(4)), history(4), opts({ configRetention }));
    const removes = p.actions.filter((a) => a.op === 'remove');
    expect(removes.map((a) => a.op === 'remove' && [a.name, a.why])).toEqual(
      retired.map((i) => [v(i).name, 'retired']).sort(),
    );
  });

  it('the service update comes before the removal of the version it stops using', () => {
    const p = plan(state(v(2), using(2)), history(1), opts({ configRetention: 0 }));
    expect(ops(p)).toEqual([`create config ${v(2).name}`, 'update service app_web', `remove config ${v(1).name}`]);
  });

  it('keeps a version a service of another owner still uses', () => {
    const obs = deployed({ owner: OTHER_OWNER, objects: [svc('theirs', {}, { Configs: [fileRef(v(1).name)] })] }, history(1));
    const p = plan(state(v(2), using(2)), obs, opts({ configRetention: 0, prune: true }));
    expect(ops(p)).toEqual([`create config ${v(2).name}`, 'update service app_web']);
  });

  it('does not re-create or update an owned config with the desired name', () => {
    const obs = history(1);
    expect(labelsOf(obs, v(1).name)).toMatchObject({ 'swarmkeeper.io/content-hash': v(1).hash });
    expect(plan(state(v(1), using(1)), obs, opts()).actions).toEqual([]);
  });
});
