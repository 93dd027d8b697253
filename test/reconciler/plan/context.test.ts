import { describe, expect, it } from 'vitest';
import type {
  DesiredNetwork,
  DesiredObject,
  DesiredVolume,
  ObservedState,
} from '../../../reconciler/model/objects.js';
import {
  LABEL_INSTANCE,
  LABEL_OWNER,
  LABEL_STACK_NAMESPACE,
  ownerKey,
} from '../../../reconciler/model/ownership.js';
import { stamp } from '../../../reconciler/plan/context.js';
import { plan } from '../../../reconciler/plan/plan.js';
import {
  cfg,
  deployed,
  INSTANCE,
  OWNER,
  front,
  mutate,
  opts,
  OTHER_OWNER,
  sec,
  stackDeployed,
  state,
  svc,
  web,
} from './fixtures.js';

/** `docker stack deploy` objects, relabelled (labels and spec labels alike). */
const relabelled = (objs: Parameters<typeof stackDeployed>[0], labels: Record<string, string>) => {
  let s: ObservedState = stackDeployed(objs);
  for (const o of objs)
    s = mutate(s, o.name, (x) => {
      Object.assign(x.labels, labels);
      const spec = x.spec as { Labels?: Record<string, string> };
      spec.Labels = { ...(spec.Labels ?? {}), ...labels };
    });
  return s;
};

// The docker names of a config and a secret (what `docker stack deploy` creates): adoptable by name.
const dockerCfg = {
  ...cfg('conf', 'x'),
  name: 'app_conf',
  spec: { ...cfg('conf', 'x').spec, Name: 'app_conf' },
};
const dockerSec = { ...sec('pw', 's'), name: 'app_pw', spec: { ...sec('pw', 's').spec, Name: 'app_pw' } };

describe('plan: ownership labels of objects found under a desired name', () => {
  const ADOPT =
    'adopt only takes objects without an owner labelled com.docker.stack.namespace=app; rename or remove it';
  const other = ownerKey(OTHER_OWNER);

  it.each([
    ['service', web],
    ['network', front],
  ] as const)(
    "a %s with another owner's label but no instance label is someone else's, even with adopt and the same stack",
    (_n, obj) => {
      const observed = relabelled([obj], { [LABEL_OWNER]: other });
      const p = plan(state(obj), observed, opts({ adopt: true, prune: true }));
      expect(p.actions).toEqual([]);
      expect(p.blocked).toEqual([
        {
          kind: obj.kind,
          name: obj.name,
          code: 'SK_ERR_OWNERSHIP_CONFLICT',
          message: `${obj.kind} ${obj.name} exists and is not owned by SwarmStack/ns/app (owner: ${other}); ${ADOPT}`,
        },
      ]);
    },
  );

  it('a service with an instance label but no owner label is not adopted either', () => {
    const observed = relabelled([web], { [LABEL_INSTANCE]: 'i1' });
    const p = plan(state(web), observed, opts({ adopt: true }));
    expect(p.actions).toEqual([]);
    expect(p.blocked.map((b) => b.message)).toEqual([
      `service app_web exists and is not owned by SwarmStack/ns/app (owner: none, instance i1); ${ADOPT}`,
    ]);
  });

  it.each([
    ['config', dockerCfg, cfg('conf', 'x')],
    ['secret', dockerSec, sec('pw', 's')],
  ] as const)(
    "a docker-named %s carrying another owner's label is not adopted: its own hashed version is created",
    (_n, found, wanted) => {
      const observed = relabelled([found], { [LABEL_OWNER]: other });
      const p = plan(state(wanted), observed, opts({ adopt: true, prune: true }));
      expect(p.actions.map((a) => `${a.op} ${a.kind} ${a.name}`)).toEqual([
        `create ${wanted.kind} ${wanted.name}`,
      ]);
      expect(p.blocked).toEqual([]);
    },
  );

  it.each([
    ['config', dockerCfg, cfg('conf', 'x')],
    ['secret', dockerSec, sec('pw', 's')],
  ] as const)(
    'an unowned docker-named %s of the same stack is adopted by a label update',
    (_n, found, wanted) => {
      const p = plan(state(wanted), stackDeployed([found]), opts({ adopt: true }));
      expect(p.actions.map((a) => `${a.op} ${a.kind} ${a.name}`)).toEqual([
        `update ${wanted.kind} ${found.name}`,
      ]);
      expect(p.actions[0]).toMatchObject({ adopt: true, labelsOnly: true });
    },
  );

  it.each([
    [
      'no stack namespace on the desired object',
      { adopt: true },
      'adopt only takes objects of a stack (com.docker.stack.namespace label); rename or remove it',
    ],
    ['adopt off', {}, 'set adopt or rename'],
  ])('the conflict message with %s says what would help', (_n, o, tail) => {
    const bare = svc('web', { Labels: {} });
    const observed = relabelled([bare], { [LABEL_STACK_NAMESPACE]: 'app' });
    const p = plan(state(bare), observed, opts(o));
    expect(p.blocked.map((b) => b.message)).toEqual([
      `service app_web exists and is not owned by SwarmStack/ns/app (owner: none); ${tail}`,
    ]);
  });
});

describe('plan: names that repeat, and external names', () => {
  it("when two networks share the desired name, this owner's one is the one planned against", () => {
    const theirs = deployed({ owner: OTHER_OWNER, objects: [front] });
    const both = deployed(state(front), undefined);
    const observed = {
      objects: [...theirs.objects, ...both.objects.map((o) => ({ ...o, id: `${o.id}-mine` }))],
    };
    const p = plan(state(front), observed, opts({ prune: true }));
    expect(p).toMatchObject({ actions: [], blocked: [] });
  });

  it('a desired object also listed as external is used, never created or changed', () => {
    const d = { ...state(front, web), external: [{ kind: 'network' as const, name: front.name }] };
    const start = stackDeployed([{ ...front, spec: { ...front.spec, Attachable: true } }]);
    const p = plan(d, start, opts({ prune: true, recreatePolicy: 'Always' }));
    expect(p.actions.map((a) => `${a.op} ${a.kind} ${a.name}`)).toEqual(['create service app_web']);
    expect(p.blocked).toEqual([]);
  });

  it.each([
    ['volume', { kind: 'volume' as const, name: 'app_v', spec: { Name: 'app_v', Driver: 'local' } }],
    ['network', { ...front, spec: { ...front.spec, Labels: undefined } }],
  ])('a created %s carries the owner labels', (_n, obj) => {
    const a = plan(state(obj), { objects: [] }, opts()).actions[0];
    expect(a?.op === 'create' && a.desired.spec.Labels).toEqual(
      expect.objectContaining({ [LABEL_OWNER]: 'SwarmStack/ns/app', [LABEL_INSTANCE]: 'i1' }),
    );
  });

  it('a created config and secret carry their logical name and content hash', () => {
    for (const obj of [cfg('conf', 'x'), sec('pw', 's')]) {
      const a = plan(state(obj), { objects: [] }, opts()).actions[0];
      expect(a?.op === 'create' && a.desired.spec.Labels).toEqual({
        [LABEL_STACK_NAMESPACE]: 'app',
        [LABEL_OWNER]: 'SwarmStack/ns/app',
        [LABEL_INSTANCE]: 'i1',
        'swarmkeeper.io/logical-name': obj.logicalName,
        'swarmkeeper.io/content-hash': obj.hash,
      });
    }
  });
});

describe('stamp: the labels swarmkeeper adds', () => {
  const own = { [LABEL_OWNER]: ownerKey(OWNER), [LABEL_INSTANCE]: INSTANCE };
  const vol: DesiredVolume = { kind: 'volume', name: 'app_v', spec: { Name: 'app_v', Labels: { a: '1' } } };
  const bare: DesiredNetwork = { kind: 'network', name: 'app_n', spec: { Name: 'app_n' } };

  it.each<[string, DesiredObject, Record<string, string>]>([
    ['a volume keeps its labels', vol, { a: '1', ...own }],
    ['a network without labels gets the owner labels', bare, own],
  ])('%s', (_n, d, want) => {
    expect(stamp(d, OWNER, INSTANCE, []).spec.Labels).toStrictEqual(want);
  });

  it('an unowned object without stack namespace is no stack object: a conflict', () => {
    const unlabelled = { ...bare, spec: { ...bare.spec, Driver: 'overlay' } };
    const found = mutate(stackDeployed([unlabelled]), 'app_n', (o) => (o.labels = {}));
    expect(plan(state(unlabelled), found, opts()).blocked.map((b) => b.message)).toEqual([
      'network app_n exists and is not owned by SwarmStack/ns/app (owner: none); set adopt or rename',
    ]);
  });
});
