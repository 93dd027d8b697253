import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ObservedState } from '../../../reconciler/model/objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import type { RemoveAction } from '../../../reconciler/plan/types.js';
import { cfg, deployed, net, opts, OTHER_OWNER, sec, state, svc } from './fixtures.js';
import { propertyRuns } from '../../support/property-runs.js';

type Hashed = ReturnType<typeof cfg> | ReturnType<typeof sec>;
const KINDS = {
  config: {
    v: (n: number): Hashed => cfg('conf', `v${n}`),
    ref: (name: string) => ({
      Configs: [{ ConfigName: name, File: { Name: '/c', UID: '0', GID: '0', Mode: 0o444 } }],
    }),
  },
  secret: {
    v: (n: number): Hashed => sec('pw', `v${n}`),
    ref: (name: string) => ({
      Secrets: [{ SecretName: name, File: { Name: '/s', UID: '0', GID: '0', Mode: 0o400 } }],
    }),
  },
} as const;
type Kind = keyof typeof KINDS;

const using = (kind: Kind, n: number) => svc('web', {}, KINDS[kind].ref(KINDS[kind].v(n).name));
const desiredAt = (kind: Kind, n: number) => state(KINDS[kind].v(n), using(kind, n));

/** Versions 1..n deployed one after the other (each newer than the last), all kept. */
function history(kind: Kind, n: number): ObservedState {
  let obs: ObservedState = { objects: [] };
  for (let i = 1; i <= n; i++) obs = deployed(desiredAt(kind, i), obs, { configRetention: 99 });
  return obs;
}

const removes = (actions: { op: string }[]) =>
  (actions.filter((a) => a.op === 'remove') as RemoveAction[]).map((a) => `${a.kind} ${a.name} ${a.why}`);
const retired = (kind: Kind, ...ns: number[]) =>
  ns.map((n) => `${kind} ${KINDS[kind].v(n).name} retired`).sort();

describe('plan: retention of old config and secret versions', () => {
  it.each([
    ['config', 0, [1, 2, 3]],
    ['config', 1, [1, 2]],
    ['secret', 0, [1, 2, 3]],
    ['secret', 1, [1, 2]],
    ['secret', 2, [1]],
    ['secret', 3, []],
    ['secret', 1.9, [1, 2]],
    ['secret', -4, [1, 2, 3]],
    ['secret', Number.NaN, [1]],
    ['config', Number.POSITIVE_INFINITY, [1]],
  ] as const)('%s retention %d retires %j, even without prune', (kind, configRetention, old) => {
    const p = plan(desiredAt(kind, 4), history(kind, 4), opts({ configRetention }));
    expect(removes(p.actions)).toEqual(retired(kind, ...old));
  });

  it.each([['config'], ['secret']] as const)(
    'the newest %s versions are kept whatever order the Engine lists them in',
    (kind) => {
      const obs = history(kind, 5);
      fc.assert(
        fc.property(fc.shuffledSubarray(obs.objects, { minLength: obs.objects.length }), (objects) => {
          const p = plan(desiredAt(kind, 5), { objects }, opts({ configRetention: 2 }));
          expect(removes(p.actions)).toEqual(retired(kind, 1, 2));
        }),
        propertyRuns(30),
      );
    },
  );

  it('versions with the same creation time are retired by name, whatever the listing order', () => {
    const obs = history('config', 4);
    const same = {
      objects: obs.objects.map((o) => (o.kind === 'config' ? { ...o, createdAt: undefined } : o)),
    };
    const names = [1, 2, 3].map((n) => KINDS.config.v(n).name).sort();
    // the names sort descending as the tie-break: the two lowest names go
    const want = names.slice(0, 2).map((n) => `config ${n} retired`);
    fc.assert(
      fc.property(fc.shuffledSubarray(same.objects, { minLength: same.objects.length }), (objects) => {
        const p = plan(desiredAt('config', 4), { objects }, opts({ configRetention: 1 }));
        expect(removes(p.actions)).toEqual(want);
      }),
      propertyRuns(30),
    );
  });

  it('an old version of another logical name is pruned, not retired, and only with prune', () => {
    const obs = deployed(state(cfg('other', '1')), history('config', 1), { configRetention: 99 });
    const d = desiredAt('config', 1);
    expect(removes(plan(d, obs, opts()).actions)).toEqual([]);
    expect(removes(plan(d, obs, opts({ prune: true })).actions)).toEqual([
      `config ${cfg('other', '1').name} pruned`,
    ]);
  });

  it('does not retire versions another owner holds under the same logical name', () => {
    const theirs = deployed({ owner: OTHER_OWNER, objects: [cfg('conf', 'v1')] });
    const obs = deployed(desiredAt('config', 2), theirs);
    expect(
      removes(plan(desiredAt('config', 2), obs, opts({ configRetention: 0, prune: true })).actions),
    ).toEqual([]);
  });
});

describe('plan: pruning', () => {
  const vol = (n: string) => ({
    kind: 'volume' as const,
    name: `app_${n}`,
    spec: { Name: `app_${n}`, Driver: 'local', Labels: { 'com.docker.stack.namespace': 'app' } },
  });
  const users = (n: string, more: Partial<Parameters<typeof svc>[2]> = {}) =>
    svc(n, {}, { Mounts: [{ Type: 'volume', Source: `app_${n}`, Target: '/d' }], ...more });

  it('removes services by name, then secrets, configs, volumes and networks, each by name', () => {
    const all = state(
      net('n2'),
      net('n1'),
      vol('v2'),
      vol('v1'),
      cfg('c2', 'x'),
      cfg('c1', 'x'),
      sec('s2', 'x'),
      sec('s1', 'x'),
      svc('b'),
      svc('a'),
    );
    const p = plan(state(), deployed(all), opts({ prune: true }));
    expect(p.actions).toEqual(
      [
        ['service', 'app_a'],
        ['service', 'app_b'],
        ['secret', sec('s1', 'x').name],
        ['secret', sec('s2', 'x').name],
        ['config', cfg('c1', 'x').name],
        ['config', cfg('c2', 'x').name],
        ['volume', 'app_v1'],
        ['volume', 'app_v2'],
        ['network', 'app_n1'],
        ['network', 'app_n2'],
      ].map(([kind, name]) => ({ op: 'remove', kind, name, id: expect.any(String), why: 'pruned' })),
    );
    const ids = new Set(deployed(all).objects.map((o) => o.id));
    for (const a of p.actions) expect(a.op === 'remove' && ids.has(a.id)).toBe(true);
  });

  it('what a pruned service used is pruned with it; what a kept service uses is kept', () => {
    const obs = deployed(state(vol('a'), vol('b'), users('a'), users('b')));
    const p = plan(state(vol('b'), users('b')), obs, opts({ prune: true }));
    expect(p.actions.map((a) => `${a.op} ${a.kind} ${a.name}`)).toEqual([
      'remove service app_a',
      'remove volume app_a',
    ]);
  });

  it('an object a service still uses is not pruned, even when no longer desired', () => {
    const obs = deployed(state(vol('a'), users('a')));
    // the service stays (another owner's plan would keep it); only the volume leaves the desired state
    const p = plan(state(users('a')), obs, opts({ prune: true }));
    expect(p.actions).toEqual([]);
  });

  it('a desired object of another kind with the same name does not keep a service', () => {
    const obs = deployed(state(svc('a')));
    const p = plan(state(net('a')), obs, opts({ prune: true }));
    expect(p.actions.map((a) => `${a.op} ${a.kind} ${a.name}`)).toEqual([
      'create network app_a',
      'remove service app_a',
    ]);
  });

  it('an external service is never pruned', () => {
    const obs = deployed(state(svc('a'), svc('b')));
    const d = { ...state(), external: [{ kind: 'service' as const, name: 'app_a' }] };
    expect(plan(d, obs, opts({ prune: true })).actions.map((a) => a.name)).toEqual(['app_b']);
  });
});
