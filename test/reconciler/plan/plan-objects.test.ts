import { describe, expect, it } from 'vitest';
import type { ObservedState } from '../../../reconciler/model/objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import {
  cfg,
  deployed,
  fileRef,
  front,
  net,
  ops,
  opts,
  OTHER_OWNER,
  state,
  svc,
  withNet,
} from './fixtures.js';

const labelsOf = (o: ObservedState, name: string) => o.objects.find((x) => x.name === name)?.labels;

describe('plan: networks are immutable', () => {
  const d = state(front, withNet());
  const obs = deployed(d);
  const changed = state(
    net('front', { Attachable: true }),
    withNet(svc('web', {}, { Image: 'img:2', Env: ['A=1'], Args: ['httpd', '-f'] })),
  );

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
    expect(p.actions[0]).toMatchObject({
      affectedServices: ['app_web'],
      changes: [{ path: 'Attachable', to: true }],
    });
  });

  it('does not recreate a network a service of another owner uses', () => {
    const shared = deployed({ owner: OTHER_OWNER, objects: [withNet(svc('theirs'))] }, obs);
    const p = plan(changed, shared, opts({ recreatePolicy: 'Always' }));
    expect(p.blocked).toMatchObject([
      { code: 'SK_ERR_RECREATE_BLOCKED', affectedServices: ['app_theirs', 'app_web'] },
    ]);
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
  ])(
    'retention %i retires versions %j (oldest first out), even without prune',
    (configRetention, retired) => {
      const p = plan(state(v(4), using(4)), history(4), opts({ configRetention }));
      const removes = p.actions.filter((a) => a.op === 'remove');
      expect(removes.map((a) => a.op === 'remove' && [a.name, a.why])).toEqual(
        retired.map((i) => [v(i).name, 'retired']).sort(),
      );
    },
  );

  it('the service update comes before the removal of the version it stops using', () => {
    const p = plan(state(v(2), using(2)), history(1), opts({ configRetention: 0 }));
    expect(ops(p)).toEqual([
      `create config ${v(2).name}`,
      'update service app_web',
      `remove config ${v(1).name}`,
    ]);
  });

  it('keeps a version a service of another owner still uses', () => {
    const obs = deployed(
      { owner: OTHER_OWNER, objects: [svc('theirs', {}, { Configs: [fileRef(v(1).name)] })] },
      history(1),
    );
    const p = plan(state(v(2), using(2)), obs, opts({ configRetention: 0, prune: true }));
    expect(ops(p)).toEqual([`create config ${v(2).name}`, 'update service app_web']);
  });

  it('does not re-create or update an owned config with the desired name', () => {
    const obs = history(1);
    expect(labelsOf(obs, v(1).name)).toMatchObject({ 'swarmkeeper.io/content-hash': v(1).hash });
    expect(plan(state(v(1), using(1)), obs, opts()).actions).toEqual([]);
  });
});

describe('plan: volumes are immutable', () => {
  const vol = (opts: Record<string, string> = {}) => ({
    kind: 'volume' as const,
    name: 'app_data',
    spec: {
      Name: 'app_data',
      Driver: 'local',
      DriverOpts: opts,
      Labels: { 'com.docker.stack.namespace': 'app' },
    },
  });
  const user = svc('db', {}, { Mounts: [{ Type: 'volume', Source: 'app_data', Target: '/data' }] });
  const obs = deployed(state(vol(), user));

  it('a resync plans nothing', () => {
    expect(plan(state(vol(), user), obs, opts()).actions).toEqual([]);
  });

  it.each([
    ['Never', [], 'SK_ERR_RECREATE_BLOCKED'],
    ['Always', ['recreate volume app_data'], undefined],
  ] as const)('a DriverOpts change with recreatePolicy %s', (recreatePolicy, want, code) => {
    const p = plan(state(vol({ type: 'tmpfs' }), user), obs, opts({ recreatePolicy }));
    expect(ops(p)).toEqual(want);
    expect(p.blocked[0]?.code).toBe(code);
    const affected =
      p.blocked[0]?.affectedServices ?? (p.actions[0]?.op === 'recreate' && p.actions[0].affectedServices);
    expect(affected).toEqual(['app_db']);
  });
});

describe('plan: order of a plan with every kind of action', () => {
  it('creates, recreates, service changes, service removes, then object removes', () => {
    const v1 = cfg('conf', '1');
    const v2 = cfg('conf', '2');
    const using = (c: typeof v1) => withNet(svc('web', {}, { Configs: [fileRef(c.name)] }));
    const obs = deployed(state(front, v1, using(v1), svc('old'), net('old')));
    const back = net('back');
    const desired = state(back, net('front', { Attachable: true }), v2, using(v2), svc('new'));
    const p = plan(desired, obs, opts({ prune: true, recreatePolicy: 'Always', configRetention: 0 }));
    expect(ops(p)).toEqual([
      'create network app_back',
      `create config ${v2.name}`,
      'recreate network app_front',
      'create service app_new',
      'update service app_web',
      'remove service app_old',
      `remove config ${v1.name}`,
      'remove network app_old',
    ]);
  });
});
