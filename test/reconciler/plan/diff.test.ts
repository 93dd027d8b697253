import { describe, expect, it } from 'vitest';
import {
  NETWORK_PROFILE,
  SERVICE_PROFILE,
  fillDefaults,
  SERVICE_DEFAULTS,
} from '../../../reconciler/plan/defaults.js';
import { diffSpec } from '../../../reconciler/plan/diff.js';
import { isIgnored, compileIgnore, overlayIgnored } from '../../../reconciler/plan/ignore.js';
import { formatPath, parsePattern } from '../../../reconciler/plan/paths.js';
import { immutableChanges } from '../../../reconciler/plan/plan-objects.js';
import { deployed, net, state } from './fixtures.js';

const base = { Name: 's', Labels: { a: '1' }, TaskTemplate: { ContainerSpec: { Image: 'img:1' } } };
const served = fillDefaults(base, SERVICE_DEFAULTS);
const svc = (cs: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
  ...base,
  ...top,
  TaskTemplate: { ContainerSpec: { Image: 'img:1', ...cs } },
});

describe('diffSpec (services)', () => {
  it('fills the Engine defaults the guide lists', () => {
    expect(served).toMatchObject({
      Mode: { Replicated: { Replicas: 1 } },
      UpdateConfig: { Parallelism: 1, FailureAction: 'pause', Order: 'stop-first' },
      TaskTemplate: { Runtime: 'container', RestartPolicy: { Condition: 'any', Delay: 5e9 } },
    });
  });

  it.each([
    ['Env []', svc({ Env: [] })],
    ['ReadOnly false', svc({ ReadOnly: false })],
    ['empty ContainerSpec.Labels', svc({ Labels: {} })],
    ['Dir ""', svc({ Dir: '' })],
    ['Privileges with nulls', svc({ Privileges: { CredentialSpec: null, SELinuxContext: null } })],
    ['explicit default StopGracePeriod', svc({ StopGracePeriod: 10_000_000_000 })],
    ['explicit Mode replicated 1', svc({}, { Mode: { Replicated: { Replicas: 1 } } })],
    ['explicit UpdateConfig order', svc({}, { UpdateConfig: { Order: 'stop-first' } })],
  ])('zero values and server defaults are no difference: %s', (_n, desired) => {
    expect(diffSpec(desired, served, { profile: SERVICE_PROFILE })).toEqual([]);
    expect(diffSpec(desired, served, { profile: SERVICE_PROFILE, strict: true })).toEqual([]);
  });

  it.each([
    [
      'image',
      svc({ Image: 'img:2' }),
      [{ path: 'TaskTemplate.ContainerSpec.Image', from: 'img:1', to: 'img:2' }],
    ],
    [
      'replicas 0 is not absent',
      svc({}, { Mode: { Replicated: { Replicas: 0 } } }),
      [{ path: 'Mode.Replicated.Replicas', from: 1, to: 0 }],
    ],
    ['env added', svc({ Env: ['A=1'] }), [{ path: 'TaskTemplate.ContainerSpec.Env', to: ['A=1'] }]],
    ['an empty desired map is absent', { ...base, Labels: {} }, []],
    [
      'extra observed label is drift',
      { ...base, Labels: { b: '2' } },
      [
        { path: 'Labels.a', from: '1' },
        { path: 'Labels.b', to: '2' },
      ],
    ],
    ['global mode', svc({}, { Mode: { Global: {} } }), [{ path: 'Mode.Global', to: {} }]],
  ])('reports %s', (_n, desired, changes) => {
    expect(diffSpec(desired, served, { profile: SERVICE_PROFILE })).toEqual(changes);
  });

  it('a replicated job without counts is the one the Engine fills with 1 and 1', () => {
    const job = svc({}, { Mode: { ReplicatedJob: {} } });
    const engine = fillDefaults(job, SERVICE_DEFAULTS);
    expect((engine as { Mode?: unknown }).Mode).toEqual({
      ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 },
    });
    expect(diffSpec(job, engine, { profile: SERVICE_PROFILE })).toEqual([]);
    expect(diffSpec(job, engine, { profile: SERVICE_PROFILE, strict: true })).toEqual([]);
    // a count that is written is compared
    const three = svc({}, { Mode: { ReplicatedJob: { MaxConcurrent: 3, TotalCompletions: 3 } } });
    expect(diffSpec(three, engine, { profile: SERVICE_PROFILE }).map((c) => c.path)).toEqual([
      'Mode.ReplicatedJob.MaxConcurrent',
      'Mode.ReplicatedJob.TotalCompletions',
    ]);
  });

  it('compares arrays in order and full length', () => {
    const o = fillDefaults(svc({ Env: ['A=1', 'B=2'] }), SERVICE_DEFAULTS);
    expect(diffSpec(svc({ Env: ['B=2', 'A=1'] }), o, { profile: SERVICE_PROFILE })).toEqual([
      { path: 'TaskTemplate.ContainerSpec.Env[0]', from: 'A=1', to: 'B=2' },
      { path: 'TaskTemplate.ContainerSpec.Env[1]', from: 'B=2', to: 'A=1' },
    ]);
    expect(diffSpec(svc({ Env: ['A=1'] }), o, { profile: SERVICE_PROFILE })).toEqual([
      { path: 'TaskTemplate.ContainerSpec.Env[1]', from: 'B=2' },
    ]);
  });

  it('names map keys with dots in brackets, and an extra observed key is drift', () => {
    const o = { ...served, Labels: { a: '1', 'com.example.x': 'y' } };
    expect(diffSpec(base, o, { profile: SERVICE_PROFILE })).toEqual([
      { path: 'Labels["com.example.x"]', from: 'y' },
    ]);
  });

  it('ignores ConfigID and compares ConfigName and File', () => {
    const ref = { ConfigName: 'c-1', File: { Name: '/c', UID: '0', GID: '0', Mode: 292 } };
    const o = fillDefaults(svc({ Configs: [{ ...ref, ConfigID: 'xyz' }] }), SERVICE_DEFAULTS);
    expect(diffSpec(svc({ Configs: [ref] }), o, { profile: SERVICE_PROFILE })).toEqual([]);
    expect(
      diffSpec(svc({ Configs: [{ ...ref, ConfigName: 'c-2' }] }), o, { profile: SERVICE_PROFILE }),
    ).toEqual([{ path: 'TaskTemplate.ContainerSpec.Configs[0].ConfigName', from: 'c-1', to: 'c-2' }]);
  });

  it('absent fields are no difference unless strict, where non-default observed values are removals', () => {
    const o = fillDefaults(svc({ User: 'nobody', StopGracePeriod: 10_000_000_000 }), SERVICE_DEFAULTS);
    expect(diffSpec(base, o, { profile: SERVICE_PROFILE })).toEqual([]);
    expect(diffSpec(base, o, { profile: SERVICE_PROFILE, strict: true })).toEqual([
      { path: 'TaskTemplate.ContainerSpec.User', from: 'nobody' },
    ]);
  });

  // Found by the lifecycle corpus: `docker service update --env-add X=1` on a service whose compose
  // file sets no environment was never put back (the spec-hash label is unchanged, so not strict).
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    ['Env', {}, { Env: ['INJECTED=1'] }, 'TaskTemplate.ContainerSpec.Env'],
    ['Args', {}, { Args: ['sh'] }, 'TaskTemplate.ContainerSpec.Args'],
    [
      'Mounts',
      {},
      { Mounts: [{ Type: 'bind', Source: '/', Target: '/h' }] },
      'TaskTemplate.ContainerSpec.Mounts',
    ],
    ['CapabilityAdd', {}, { CapabilityAdd: ['CAP_SYS_ADMIN'] }, 'TaskTemplate.ContainerSpec.CapabilityAdd'],
    ['Hosts', {}, { Hosts: ['1.2.3.4 x'] }, 'TaskTemplate.ContainerSpec.Hosts'],
  ])(
    'a %s added out of band where the desired spec has none is drift, even when not strict',
    (_, d, o, path) => {
      const observed = fillDefaults(svc(o), SERVICE_DEFAULTS);
      expect(diffSpec(svc(d), observed, { profile: SERVICE_PROFILE }).map((c) => c.path)).toEqual([
        expect.stringMatching(new RegExp(`^${path.replace(/\./g, '\\.')}`)),
      ]);
    },
  );

  it('published ports and placement constraints added out of band are drift too', () => {
    const observed = fillDefaults(
      {
        ...base,
        EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080 }] },
        TaskTemplate: {
          ContainerSpec: { Image: 'img:1' },
          Placement: { Constraints: ['node.role==manager'] },
        },
      },
      SERVICE_DEFAULTS,
    );
    expect(diffSpec(base, observed, { profile: SERVICE_PROFILE }).map((c) => c.path)).toEqual([
      'EndpointSpec.Ports',
      'TaskTemplate.Placement.Constraints',
    ]);
  });
});

describe('diffSpec (networks)', () => {
  const observed = {
    Name: 'n',
    Driver: 'overlay',
    Scope: 'swarm',
    Labels: { a: '1' },
    IPAM: { Driver: 'default', Config: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] },
    Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' },
  };
  it('server-filled IPAM config, vxlan id and scope are no difference', () => {
    const d = { Name: 'n', Labels: { a: '1' } };
    expect(diffSpec(d, observed, { profile: NETWORK_PROFILE, strict: true, skip: ['IPAM.Config'] })).toEqual(
      [],
    );
  });
  it.each([
    ['Attachable', { Attachable: true }, [{ path: 'Attachable', to: true }]],
    ['Options', { Options: { encrypted: '' } }, [{ path: 'Options.encrypted', to: '' }]],
    ['Driver', { Driver: 'macvlan' }, [{ path: 'Driver', from: 'overlay', to: 'macvlan' }]],
  ])('%s is a difference', (_n, patch, changes) => {
    const d = { Name: 'n', Labels: { a: '1' }, ...patch };
    expect(diffSpec(d, observed, { profile: NETWORK_PROFILE, strict: true, skip: ['IPAM.Config'] })).toEqual(
      changes,
    );
  });
});

describe('immutableChanges (networks)', () => {
  const withSubnet = net('front', { IPAM: { Driver: 'default', Config: [{ Subnet: '10.98.0.0/24' }] } });
  const observed = deployed(state(withSubnet)).objects[0]?.spec;
  it('a gateway the Engine picked for a user-set subnet is no difference', () => {
    expect(observed).toMatchObject({ IPAM: { Config: [{ Subnet: '10.98.0.0/24', Gateway: '10.98.0.1' }] } });
    expect(immutableChanges(withSubnet, observed, true)).toEqual([]);
  });
  it('a changed subnet is', () => {
    const other = net('front', { IPAM: { Driver: 'default', Config: [{ Subnet: '10.97.0.0/24' }] } });
    expect(immutableChanges(other, observed, true)).toEqual([
      { path: 'IPAM.Config[0].Subnet', from: '10.98.0.0/24', to: '10.97.0.0/24' },
    ]);
  });
});

describe('paths and ignore patterns', () => {
  it.each([
    ['Mode.Replicated.Replicas', ['Mode', 'Replicated', 'Replicas']],
    ['TaskTemplate.Networks[*].Aliases', ['TaskTemplate', 'Networks', '*', 'Aliases']],
    ['Env[2]', ['Env', 2]],
    ['Labels["a.b"]', ['Labels', 'a.b']],
  ])('parses and formats %s', (p, segs) => {
    expect(parsePattern(p)).toEqual(segs);
    expect(formatPath(segs)).toBe(p);
  });

  it.each([
    ['Mode.Replicated.Replicas', ['Mode.Replicated.Replicas'], true],
    ['Mode.Replicated.Replicas', ['Mode'], true],
    ['TaskTemplate.ContainerSpec.Env[3]', ['TaskTemplate.ContainerSpec.Env[*]'], true],
    ['TaskTemplate.ContainerSpec.Env[3]', ['TaskTemplate.ContainerSpec.Env[2]'], false],
    ['Labels["x.y"]', ['Labels'], true],
    ['ModeX', ['Mode'], false],
  ])('%s ignored by %j: %s', (path, patterns, want) => {
    expect(isIgnored(path, compileIgnore(patterns))).toBe(want);
  });

  it('overlays observed values at ignored paths, creating parents and dropping absent ones', () => {
    const d = { Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ContainerSpec: { Env: ['A=1'] } } };
    const o = {
      Mode: { Replicated: { Replicas: 5 } },
      TaskTemplate: { ContainerSpec: { Env: ['A=1', 'B=2'] } },
    };
    const ig = compileIgnore(['Mode.Replicated.Replicas', 'TaskTemplate.ContainerSpec.Env[*]']);
    expect(overlayIgnored(d, o, ig)).toEqual(o);
    expect(overlayIgnored(d, undefined, ig)).toEqual({
      Mode: { Replicated: {} },
      TaskTemplate: { ContainerSpec: {} },
    });
    expect(overlayIgnored({}, o, compileIgnore(['Mode.Replicated.Replicas']))).toEqual({
      Mode: { Replicated: { Replicas: 5 } },
    });
  });
});
