import { describe, expect, it } from 'vitest';
import {
  assemble,
  filterSets,
  isRelevant,
  networkSpecOf,
  normaliseServiceSpec,
  observe,
} from '../../../controllers/docker/observe.js';
import type { ObserveQuery } from '../../../reconciler/ports.js';
import { fakeDocker, type FakeRequest } from '../../support/fake-docker.js';

const I = 'swarmkeeper.io/instance';
const NS = 'com.docker.stack.namespace';
const LABEL_OWNER = 'swarmkeeper.io/owner';

describe('filterSets', () => {
  it.each<[string, ObserveQuery, object[]]>([
    ['instance only', { instanceId: 'i1' }, [{ label: [`${I}=i1`] }]],
    [
      'one owner (both labels must match)',
      { instanceId: 'i1', owner: 'SwarmStack/default/a' },
      [{ label: [`${I}=i1`, `${LABEL_OWNER}=SwarmStack/default/a`] }],
    ],
    [
      'with names',
      { instanceId: 'i1', names: { service: ['a', 'b', 'a'] } },
      [{ label: [`${I}=i1`] }, { name: ['a', 'b'] }],
    ],
    [
      'one namespace',
      { instanceId: 'i1', stackNamespaces: ['A'] },
      [{ label: [`${I}=i1`] }, { label: [`${NS}=A`] }],
    ],
    [
      'several namespaces',
      { instanceId: 'i1', stackNamespaces: ['A', 'B'] },
      [{ label: [`${I}=i1`] }, { label: [NS] }],
    ],
  ])('%s', (_n, query, sets) => {
    expect(filterSets('service', query)).toEqual(sets);
  });
});

describe("filterSets by name (namePrefixes, ownedByName: the owner's objects are all named or prefixed)", () => {
  const q = (names: ObserveQuery['names']): ObserveQuery => ({
    instanceId: 'i1',
    owner: 'SwarmStack/default/a',
    names,
    stackNamespaces: ['A'],
    namePrefixes: ['A_'],
    ownedByName: true,
  });
  it.each<[string, Parameters<typeof filterSets>[0], ObserveQuery, object[]]>([
    [
      'services: one list by name and prefix, no label',
      'service',
      q({ service: ['A_web', 'A_web'] }),
      [{ name: ['A_web', 'A_'] }],
    ],
    ['configs: logical names are prefixes too', 'config', q({ config: ['cfg'] }), [{ name: ['cfg', 'A_'] }]],
    ['secrets without names: the prefix alone', 'secret', q({}), [{ name: ['A_'] }]],
    // dockerd's name filter on swarm networks is no prefix match: exact names only
    [
      'networks: exact names only',
      'network',
      q({ network: ['A_default', 'ext'] }),
      [{ name: ['A_default', 'ext'] }],
    ],
    ['networks without names: no list', 'network', q({}), []],
    [
      'volumes (node-local, cheap by label): as without prefixes',
      'volume',
      q({ volume: ['A_data'] }),
      [
        { label: [`${I}=i1`, `${LABEL_OWNER}=SwarmStack/default/a`] },
        { name: ['A_data'] },
        { label: [`${NS}=A`] },
      ],
    ],
  ])('%s', (_n, kind, query, sets) => {
    expect(filterSets(kind, query)).toEqual(sets);
  });
});

describe('isRelevant', () => {
  const q: ObserveQuery = { instanceId: 'i1', names: { service: ['web'] }, stackNamespaces: ['A'] };
  it.each<[string, string, Record<string, string> | undefined, boolean]>([
    ['owned', 'x', { [I]: 'i1' }, true],
    ['other instance', 'x', { [I]: 'i2' }, false],
    ['named exactly', 'web', undefined, true],
    ['name prefix only (Docker name filters match prefixes)', 'web2', undefined, false],
    ['in namespace', 'A_web', { [NS]: 'A' }, true],
    ['other namespace', 'B_web', { [NS]: 'B' }, false],
  ])('%s', (_n, name, labels, expected) => {
    expect(isRelevant('service', name, labels, q)).toBe(expected);
  });
});

describe('isRelevant with an owner', () => {
  const q: ObserveQuery = { instanceId: 'i1', owner: 'SwarmStack/default/a' };
  it.each<[string, Record<string, string>, boolean]>([
    ['owned by that resource', { [I]: 'i1', [LABEL_OWNER]: 'SwarmStack/default/a' }, true],
    [
      'owned by another resource of the instance',
      { [I]: 'i1', [LABEL_OWNER]: 'SwarmStack/default/b' },
      false,
    ],
  ])('%s', (_n, labels, expected) => {
    expect(isRelevant('service', 'x', labels, q)).toBe(expected);
  });
});

describe('normaliseServiceSpec', () => {
  it('maps network ids to names and keeps unknown ids', () => {
    const names = new Map([['nid1', 'A_default']]);
    const spec = {
      Name: 'A_web',
      TaskTemplate: {
        ContainerSpec: { Image: 'x' },
        Networks: [{ Target: 'nid1', Aliases: ['web'] }, { Target: 'gone' }],
      },
    };
    expect(normaliseServiceSpec(spec, names).TaskTemplate.Networks).toEqual([
      { Target: 'A_default', Aliases: ['web'] },
      { Target: 'gone' },
    ]);
    expect(spec.TaskTemplate.Networks[0]!.Target).toBe('nid1');
  });
});

describe('filterSets with namePrefixes, owned objects by label: the stack namespace by name, not by label', () => {
  const q = (names: ObserveQuery['names']): ObserveQuery => ({
    instanceId: 'i1',
    owner: 'SwarmStack/default/a',
    names,
    stackNamespaces: ['A'],
    namePrefixes: ['A_', 'cfg'],
  });
  const owned = { label: [`${I}=i1`, `${LABEL_OWNER}=SwarmStack/default/a`] };
  it.each<[string, Parameters<typeof filterSets>[0], ObserveQuery, object[]]>([
    ['services', 'service', q({ service: ['A_web'] }), [owned, { name: ['A_web', 'A_', 'cfg'] }]],
    ['configs', 'config', q({ config: ['cfg-1'] }), [owned, { name: ['cfg-1', 'A_', 'cfg'] }]],
    ['networks: exact names', 'network', q({ network: ['A_default'] }), [owned, { name: ['A_default'] }]],
    ['networks without names: by label only', 'network', q({}), [owned]],
    [
      'volumes: as without prefixes',
      'volume',
      q({ volume: ['A_data'] }),
      [owned, { name: ['A_data'] }, { label: [`${NS}=A`] }],
    ],
  ])('%s', (_n, kind, query, sets) => {
    expect(filterSets(kind, query)).toEqual(sets);
  });
});

describe('networkSpecOf', () => {
  it('maps the list body to NetworkSpec, dropping nulls', () => {
    expect(
      networkSpecOf({
        Id: 'n1',
        Name: 'A_default',
        Created: 't',
        Scope: 'swarm',
        Driver: 'overlay',
        EnableIPv6: false,
        Internal: false,
        Attachable: false,
        Ingress: false,
        IPAM: { Driver: 'default', Config: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }], Options: null },
        Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' },
        Labels: null,
      }),
    ).toEqual({
      Name: 'A_default',
      Driver: 'overlay',
      Scope: 'swarm',
      Internal: false,
      Attachable: false,
      Ingress: false,
      EnableIPv6: false,
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] },
      Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' },
      Labels: {},
    });
  });
});

describe('a swarm network the Swarm has not allocated yet', () => {
  // the body dockerd 28 returned on the lab for `docker network create -d overlay --subnet S n2`
  // while another network held S: the allocator never ran for it
  const raw = {
    Name: 'app_back',
    Id: 'ge0z7s0wwjznjd4crb2jd5zo9',
    Created: '2026-12-07T01:09:50.926047586Z',
    Scope: 'swarm',
    Driver: '',
    EnableIPv6: false,
    IPAM: { Driver: '', Options: null, Config: null },
    Internal: false,
    Attachable: false,
    Ingress: false,
    Options: null,
    Labels: { 'com.docker.stack.namespace': 'app' },
  };
  const query: ObserveQuery = { instanceId: 'i1', names: { network: ['app_back'] } };

  it('leaves out what the Engine does not know yet, and names it', () => {
    const [o] = assemble(
      { services: [], networks: [raw], configs: [], secrets: [], volumes: [] },
      new Map(),
      query,
    ).objects;
    expect(o?.spec).toEqual({
      Name: 'app_back',
      Scope: 'swarm',
      Internal: false,
      Attachable: false,
      Ingress: false,
      EnableIPv6: false,
      Labels: { 'com.docker.stack.namespace': 'app' },
    });
    expect(o?.unknownFields).toEqual(['Driver', 'IPAM', 'Options']);
  });

  it.each([
    [
      'an allocated swarm network',
      { ...raw, Driver: 'overlay', IPAM: { Driver: 'default', Config: [], Options: null } },
    ],
    ['a local network', { ...raw, Scope: 'local', Driver: 'bridge' }],
  ])('%s has no unknown fields', (_n, n) => {
    const [o] = assemble(
      { services: [], networks: [n], configs: [], secrets: [], volumes: [] },
      new Map(),
      query,
    ).objects;
    expect(o?.unknownFields).toBeUndefined();
    expect((o?.spec as { Driver?: string }).Driver).toBe(n.Driver);
  });
});

describe('observe (fake engine)', () => {
  function world(n: number) {
    const services = Array.from({ length: n }, (_, i) => ({
      ID: `s${i}`,
      Version: { Index: 10 + i },
      CreatedAt: 'c',
      Spec: {
        Name: `A_s${i}`,
        Labels: { [I]: 'i1', 'swarmkeeper.io/owner': 'k/n/x' },
        TaskTemplate: { ContainerSpec: { Image: 'x' }, Networks: [{ Target: 'n0' }] },
      },
      UpdateStatus: { State: 'completed', Message: 'done', StartedAt: 'x' },
    }));
    const handler = (r: FakeRequest) => {
      if (r.path === '/services') return { status: 200, json: services };
      if (r.path === '/networks')
        return {
          status: 200,
          json: [
            { Id: 'n0', Name: 'A_net', Labels: { [I]: 'i1' } },
            { Id: 'b', Name: 'bridge', Labels: {} },
          ],
        };
      if (r.path === '/configs')
        return {
          status: 200,
          json: [
            { ID: 'c1', Version: { Index: 3 }, Spec: { Name: 'A_c', Labels: { [NS]: 'A' }, Data: 'eA==' } },
          ],
        };
      if (r.path === '/secrets')
        return {
          status: 200,
          json: [{ ID: 'k1', Version: { Index: 4 }, Spec: { Name: 'A_k', Labels: { [I]: 'i1' } } }],
        };
      if (r.path === '/volumes')
        return {
          status: 200,
          json: { Volumes: [{ Name: 'v', Driver: 'local', Labels: { [I]: 'i1' }, Options: null }] },
        };
      return { status: 500, json: { message: 'unexpected' } };
    };
    return fakeDocker(handler);
  }

  it.each([1, 25])('uses the same number of calls for %i services and maps objects', async (n) => {
    const { docker, requests } = world(n);
    const state = await observe(docker, {
      instanceId: 'i1',
      names: { service: ['A_s0'] },
      stackNamespaces: ['A'],
    });
    expect(requests.map((r) => r.path).sort()).toEqual([
      '/configs',
      '/configs',
      '/networks',
      '/networks',
      '/secrets',
      '/secrets',
      '/services',
      '/services',
      '/services',
    ]);
    expect(state.objects.filter((o) => o.kind === 'service')).toHaveLength(n);
    expect(state.objects.find((o) => o.id === 's0')).toEqual({
      kind: 'service',
      id: 's0',
      name: 'A_s0',
      version: 10,
      createdAt: 'c',
      labels: { [I]: 'i1', 'swarmkeeper.io/owner': 'k/n/x' },
      updateStatus: { State: 'completed', Message: 'done' },
      spec: {
        Name: 'A_s0',
        Labels: { [I]: 'i1', 'swarmkeeper.io/owner': 'k/n/x' },
        TaskTemplate: { ContainerSpec: { Image: 'x' }, Networks: [{ Target: 'A_net' }] },
      },
    });
    expect(state.objects.map((o) => `${o.kind}:${o.name}`)).toEqual(
      expect.arrayContaining(['network:A_net', 'config:A_c', 'secret:A_k']),
    );
    expect(state.objects.some((o) => o.name === 'bridge')).toBe(false);
    expect(state.objects.find((o) => o.kind === 'secret')!.spec).toEqual({
      Name: 'A_k',
      Labels: { [I]: 'i1' },
    });
  });

  it('lists volumes only when the query names the volume kind', async () => {
    const { docker, requests } = world(1);
    const state = await observe(docker, { instanceId: 'i1', names: { volume: [] } });
    expect(requests.filter((r) => r.path === '/volumes')).toHaveLength(1);
    expect(state.objects.find((o) => o.kind === 'volume')).toMatchObject({
      id: 'v',
      name: 'v',
      spec: { Name: 'v', Driver: 'local', DriverOpts: {} },
    });
  });
});

describe('observe: the swarm ids of the predefined host and bridge networks', () => {
  // A service attached to `host` or `bridge` holds the swarm's id of that predefined network, which
  // no network list returns (lists give the node-local id); only GET /networks/{id} resolves it.
  const handler = (r: FakeRequest) => {
    if (r.path === '/services')
      return {
        status: 200,
        json: [
          {
            ID: 's1',
            Spec: {
              Name: 'A_web',
              Labels: { [I]: 'i1' },
              TaskTemplate: { ContainerSpec: { Image: 'x' }, Networks: [{ Target: 'swarmhostid' }] },
            },
          },
        ],
      };
    if (r.path === '/networks') return { status: 200, json: [{ Id: 'localhostid', Name: 'host' }] };
    if (r.path === '/networks/swarmhostid')
      return { status: 200, json: { Id: 'swarmhostid', Name: 'host', Scope: 'swarm' } };
    if (r.path === '/configs' || r.path === '/secrets') return { status: 200, json: [] };
    return { status: 500, json: { message: `unexpected ${r.path}` } };
  };

  it('maps the target to the network name, as the compose file says it', async () => {
    const { docker } = fakeDocker(handler);
    const state = await observe(docker, { instanceId: 'i1', names: { network: ['host'] } });
    const web = state.objects.find((o) => o.name === 'A_web')!;
    expect((web.spec as { TaskTemplate: { Networks: unknown } }).TaskTemplate.Networks).toEqual([
      { Target: 'host' },
    ]);
    expect(state.objects.some((o) => o.kind === 'network' && o.name === 'host')).toBe(true);
  });
});
