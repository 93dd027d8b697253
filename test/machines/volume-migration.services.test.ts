import { describe, expect, it } from 'vitest';
import {
  excludesNode,
  mountsVolume,
  parseNodeConstraint,
  replicasOf,
  restoredSpec,
  scaledSpec,
  switchedSpec,
  type EngineServiceSpec,
} from '../../machines/volume-migration.services.js';
import type { ConsumerRecord } from '../../machines/volume-migration.types.js';

const N1 = { node: 'n1', hostname: 'n1', id: 'ID1' };
const N2 = { node: 'n2', hostname: 'n2', id: 'ID2' };
const TARGET = { volume: 'data2', node: N2 };

function service(
  over: { constraints?: string[]; replicas?: number; placement?: object } = {},
): EngineServiceSpec {
  const spec: EngineServiceSpec = {
    Name: 'web',
    Labels: { app: 'web' },
    Mode: { Replicated: { Replicas: over.replicas ?? 2 } },
    TaskTemplate: {
      ContainerSpec: {
        Image: 'local/busybox:1',
        Mounts: [
          {
            Type: 'volume',
            Source: 'data',
            Target: '/data',
            VolumeOptions: { DriverConfig: { Name: 'local' }, Labels: { a: 'b' } },
          },
          { Type: 'bind', Source: '/etc/hosts', Target: '/hosts' },
          { Type: 'volume', Source: 'other', Target: '/other' },
        ],
      },
      ForceUpdate: 0,
    },
  };
  if (over.constraints !== undefined || over.placement !== undefined)
    spec.TaskTemplate!.Placement = {
      ...over.placement,
      ...(over.constraints ? { Constraints: over.constraints } : {}),
    };
  return spec;
}

const record = (spec: EngineServiceSpec): ConsumerRecord => ({
  service: 'web',
  id: 'svc1',
  replicas: replicasOf(spec) ?? 0,
  mounts: (spec.TaskTemplate?.ContainerSpec?.Mounts ?? []).filter((m) => m.Source === 'data'),
  constraints: spec.TaskTemplate?.Placement?.Constraints ?? [],
});

describe('node constraints', () => {
  it.each([
    ['node.hostname==n1', { field: 'hostname', op: '==', value: 'n1' }],
    [' node.id != ID2 ', { field: 'id', op: '!=', value: 'ID2' }],
    ['node.labels.disk==ssd', undefined],
    ['node.role==manager', undefined],
  ])('%s', (text, parsed) => expect(parseNodeConstraint(text)).toEqual(parsed));

  it.each([
    [[], false],
    [['node.hostname==n1'], false],
    [['node.id==ID1'], false],
    [['node.hostname==n2'], true],
    [['node.hostname!=n1'], true],
    [['node.id!=ID2', 'node.labels.x==y'], false],
  ] as const)('%j excludes the source node n1: %s', (cs, excluded) => {
    expect(excludesNode(cs, N1)).toBe(excluded);
  });
});

describe('switchedSpec', () => {
  it('moves the source mounts to the target, drops their driver, pins the service to the target node', () => {
    const spec = service({ constraints: ['node.hostname==n1', 'node.labels.disk==ssd'] });
    const next = switchedSpec(spec, 'data', TARGET);
    expect(next?.TaskTemplate?.ContainerSpec?.Mounts).toEqual([
      { Type: 'volume', Source: 'data2', Target: '/data', VolumeOptions: { Labels: { a: 'b' } } },
      { Type: 'bind', Source: '/etc/hosts', Target: '/hosts' },
      { Type: 'volume', Source: 'other', Target: '/other' },
    ]);
    expect(next?.TaskTemplate?.Placement?.Constraints).toEqual([
      'node.labels.disk==ssd',
      'node.hostname==n2',
    ]);
    // everything else is the full spec as it was
    expect(next?.Labels).toEqual({ app: 'web' });
    expect(next?.TaskTemplate?.ForceUpdate).toBe(0);
    expect(next?.Mode).toEqual(spec.Mode);
  });

  it('keeps a constraint that already pins the target (by ID) and drops one that excludes it', () => {
    const next = switchedSpec(
      service({ constraints: ['node.id==ID2', 'node.hostname!=n2'] }),
      'data',
      TARGET,
    );
    expect(next?.TaskTemplate?.Placement?.Constraints).toEqual(['node.id==ID2']);
  });

  it('adds a placement to a service without one, keeping other placement fields', () => {
    expect(switchedSpec(service(), 'data', TARGET)?.TaskTemplate?.Placement).toEqual({
      Constraints: ['node.hostname==n2'],
    });
    const withPrefs = service({ placement: { MaxReplicas: 1 } });
    expect(switchedSpec(withPrefs, 'data', TARGET)?.TaskTemplate?.Placement).toEqual({
      MaxReplicas: 1,
      Constraints: ['node.hostname==n2'],
    });
  });

  it('is idempotent: a switched service needs no update', () => {
    const once = switchedSpec(service({ constraints: ['node.hostname==n1'] }), 'data', TARGET)!;
    expect(switchedSpec(once, 'data', TARGET)).toBeUndefined();
  });
});

describe('restoredSpec', () => {
  it.each([
    ['pinned to the source', service({ constraints: ['node.hostname==n1', 'node.labels.disk==ssd'] })],
    ['without constraints', service()],
    ['with other placement fields', service({ placement: { MaxReplicas: 1 } })],
  ])('gives back the recorded mounts and constraints (%s)', (_name, spec) => {
    const switched = switchedSpec(spec, 'data', TARGET)!;
    const restored = restoredSpec(switched, record(spec), 'data2');
    expect(restored?.TaskTemplate?.ContainerSpec?.Mounts).toEqual(spec.TaskTemplate?.ContainerSpec?.Mounts);
    expect(restored?.TaskTemplate?.Placement?.Constraints).toEqual(spec.TaskTemplate?.Placement?.Constraints);
    expect(restoredSpec(restored!, record(spec), 'data2')).toBeUndefined();
  });

  it('a service that was never switched is left alone', () => {
    const spec = service({ constraints: ['node.hostname==n1'] });
    expect(restoredSpec(spec, record(spec), 'data2')).toBeUndefined();
  });
});

describe('replicas', () => {
  it('scales replicated services; global ones have no replicas', () => {
    const spec = service({ replicas: 3 });
    expect(scaledSpec(spec, 0)?.Mode).toEqual({ Replicated: { Replicas: 0 } });
    expect(scaledSpec(spec, 3)).toBeUndefined();
    expect(replicasOf({ Mode: { Global: {} } })).toBeUndefined();
    expect(replicasOf({ Mode: { Replicated: {} } })).toBe(1);
    expect(mountsVolume(spec, 'data')).toBe(true);
    expect(mountsVolume(spec, '/etc/hosts')).toBe(false);
  });
});
