import { describe, expect, it } from 'vitest';
import type { NetworkSpec, ServiceSpec, VolumeSpec } from '../../../reconciler/model/engine-types.js';
import type { DesiredObject, DesiredVolume, ObservedObject } from '../../../reconciler/model/objects.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { Action } from '../../../reconciler/plan/types.js';
import { cfg, net, sec, STACK_LABELS, svc } from './fixtures.js';

const vol = (name: string, patch: Partial<VolumeSpec> = {}): DesiredVolume => ({
  kind: 'volume',
  name: `app_${name}`,
  spec: { Name: `app_${name}`, Labels: { ...STACK_LABELS }, ...patch },
});
const create = (d: DesiredObject): Action => ({ op: 'create', kind: d.kind, name: d.name, desired: d });

/** A simulator after creating `objs` in order, and what it reports. */
function created(...objs: DesiredObject[]): { sim: SwarmSimulator; objects: ObservedObject[] } {
  const sim = new SwarmSimulator();
  sim.apply({ owner: 'x', blocked: [], actions: objs.map(create) });
  return { sim, objects: sim.observed().objects };
}
const apply =
  (sim: SwarmSimulator, ...actions: Action[]) =>
  () =>
    sim.apply({ owner: 'x', blocked: [], actions });
const specOf = <T>(objects: ObservedObject[], name: string) =>
  objects.find((o) => o.name === name)?.spec as T;
const file = (n: string) => ({ Name: `/run/${n}`, UID: '0', GID: '0', Mode: 0o444 });

describe('SwarmSimulator: ids, versions and creation times', () => {
  it('gives every object an Engine-like id; a volume is known by its name', () => {
    const { objects } = created(net('front'), vol('data'), cfg('c', 'x'), sec('s', 'y'));
    expect(objects.map((o) => [o.kind, o.id])).toEqual([
      ['network', 'network00000001'],
      ['volume', 'app_data'],
      ['config', 'config00000002'],
      ['secret', 'secret00000003'],
    ]);
  });

  it.each([
    ['config', cfg('a', '1'), cfg('b', '2')],
    ['secret', sec('a', '1'), sec('b', '2')],
    ['service', svc('a'), svc('b')],
  ] as const)('a %s made later has a higher version', (_k, first, second) => {
    const { objects } = created(first, second);
    const [v1, v2] = objects.map((o) => o.version ?? Number.NaN);
    expect(v2).toBeGreaterThan(v1 ?? Number.NaN);
  });

  it('creates after the newest initial object; an initial object without a time counts as none', () => {
    const initial = { kind: 'volume' as const, id: 'v', name: 'v', labels: {}, spec: {} };
    const sim = new SwarmSimulator({ objects: [initial] });
    sim.apply({ owner: 'x', blocked: [], actions: [create(vol('data'))] });
    expect(sim.observed().objects[1]?.createdAt).toBe('2100-01-01T00:00:01.000Z');
  });
});

describe('SwarmSimulator: server defaults', () => {
  it('a volume gets the local driver and its labels, and no version', () => {
    const { objects } = created(vol('data'), vol('nfs', { Driver: 'nfs', Labels: undefined }));
    expect(objects.map((o) => [o.spec, o.labels, o.version])).toStrictEqual([
      [{ Driver: 'local', Name: 'app_data', Labels: STACK_LABELS }, STACK_LABELS, undefined],
      [{ Driver: 'nfs', Name: 'app_nfs', Labels: {} }, {}, undefined],
    ]);
  });

  it('a network gets the overlay driver, a subnet, its gateway and a vxlan id by creation order', () => {
    const { objects } = created(net('a', { Driver: undefined }), net('b'));
    expect(objects.map((o) => o.spec)).toStrictEqual([
      {
        Name: 'app_a',
        Driver: 'overlay',
        Scope: 'swarm',
        Labels: STACK_LABELS,
        IPAM: { Driver: 'default', Config: [{ Subnet: '10.1.0.0/24', Gateway: '10.1.0.1' }] },
        Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' },
      },
      {
        Name: 'app_b',
        Driver: 'overlay',
        Scope: 'swarm',
        Labels: STACK_LABELS,
        IPAM: { Driver: 'default', Config: [{ Subnet: '10.2.0.0/24', Gateway: '10.2.0.1' }] },
        Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4098' },
      },
    ]);
  });

  it.each([
    [
      'a user subnet gets its .1 gateway',
      { Subnet: '10.9.0.0/16' },
      { Subnet: '10.9.0.0/16', Gateway: '10.9.0.1' },
    ],
    [
      'a user gateway is kept',
      { Subnet: '10.9.0.0/16', Gateway: '10.9.0.254' },
      { Subnet: '10.9.0.0/16', Gateway: '10.9.0.254' },
    ],
    ['a range without a subnet gets no gateway', { IPRange: '10.9.1.0/24' }, { IPRange: '10.9.1.0/24' }],
  ])('%s', (_n, config, want) => {
    const { objects } = created(net('a', { IPAM: { Config: [config] } }));
    expect(specOf<NetworkSpec>(objects, 'app_a').IPAM?.Config).toStrictEqual([want]);
  });

  it('a network of another driver gets no vxlan id', () => {
    const { objects } = created(net('a', { Driver: 'macvlan' }));
    expect(specOf<NetworkSpec>(objects, 'app_a').Options).toBeUndefined();
  });

  it('a service gets empty Resources, Placement and DNSConfig, and the ids of its configs and secrets', () => {
    const c = cfg('c', 'x');
    const s = sec('s', 'y');
    const web = svc(
      'web',
      {},
      {
        Configs: [{ ConfigName: c.name, File: file('c') }, { File: file('nameless') }],
        Secrets: [{ SecretName: s.name, File: file('s') }],
      },
    );
    const { objects } = created(c, s, web);
    const t = specOf<ServiceSpec>(objects, 'app_web').TaskTemplate;
    expect(t.Resources).toStrictEqual({});
    expect(t.Placement).toStrictEqual({});
    expect(t.ContainerSpec.Configs?.map((r) => r.ConfigID)).toEqual(['config00000001', undefined]);
    expect(t.ContainerSpec.Secrets?.map((r) => r.SecretID)).toEqual(['secret00000002']);
  });

  it('a service may mount a volume that does not exist yet (the Engine makes it)', () => {
    const web = svc('web', {}, { Mounts: [{ Type: 'volume', Source: 'app_data', Target: '/d' }] });
    expect(created(web).objects.map((o) => o.name)).toEqual(['app_web']);
  });
});

describe('SwarmSimulator: what the Engine refuses', () => {
  const c = cfg('c', 'x');
  const users = ['a', 'b'].map((n) => svc(n, {}, { Configs: [{ ConfigName: c.name, File: file('c') }] }));

  it('removing a config names every service that uses it', () => {
    const { sim, objects } = created(c, ...users);
    const id = objects[0]?.id ?? '';
    expect(apply(sim, { op: 'remove', kind: 'config', name: c.name, id, why: 'pruned' })).toThrow(
      `config ${c.name} is in use by service app_a, app_b`,
    );
  });

  it('an id of another kind, or an unknown one, is not found', () => {
    const { sim, objects } = created(c);
    const id = objects[0]?.id ?? '';
    expect(apply(sim, { op: 'remove', kind: 'secret', name: c.name, id, why: 'pruned' })).toThrow(
      `secret ${id} not found`,
    );
    expect(apply(sim, { op: 'remove', kind: 'config', name: c.name, id: 'nope', why: 'pruned' })).toThrow(
      'config nope not found',
    );
  });

  it.each([
    ['config', c, { ...c, name: 'app_other', spec: { ...c.spec, Name: 'app_other' } }],
    ['service', svc('a'), svc('renamed')],
  ] as const)('a %s update may change its labels but not its name', (kind, d, renamed) => {
    const { sim, objects } = created(d);
    const o = objects[0];
    const update = (desired: DesiredObject): Action => ({
      op: 'update',
      kind,
      name: d.name,
      id: o?.id ?? '',
      version: o?.version,
      desired,
      changes: [],
      labelsOnly: true,
    });
    expect(apply(sim, update(renamed))).toThrow(`${kind} ${d.name} cannot be renamed`);
    const relabelled = { ...d, spec: { ...d.spec, Labels: { x: 'y' } } } as DesiredObject;
    apply(sim, update(relabelled))();
    expect(sim.observed().objects[0]?.labels).toEqual({ x: 'y' });
  });
});
