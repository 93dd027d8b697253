// Consumer spec rewrites of a volume migration on sparse or unusual specs (what the Engine may return).
import { describe, expect, it } from 'vitest';
import {
  mountsVolume,
  parseNodeConstraint,
  replicasOf,
  restoredSpec,
  scaledSpec,
  switchedSpec,
  type EngineServiceSpec,
} from '../../machines/volume-migration.services.js';
import type { ConsumerRecord, EngineMount } from '../../machines/volume-migration.types.js';

const N2 = { node: 'n2', hostname: 'n2', id: 'ID2' };
const TARGET = { volume: 'data2', node: N2 };
const spec = (mounts?: EngineMount[], constraints?: string[]): EngineServiceSpec => ({
  Name: 'web',
  TaskTemplate: {
    ...(mounts ? { ContainerSpec: { Mounts: mounts } } : {}),
    ...(constraints ? { Placement: { Constraints: constraints } } : {}),
  },
});
const rec = (mounts: EngineMount[], constraints: string[] = []): ConsumerRecord => ({
  service: 'web',
  id: 's1',
  replicas: 1,
  mounts,
  constraints,
});
const HOSTS: EngineMount = { Type: 'bind', Source: '/etc/hosts', Target: '/hosts' };

describe('volume migration consumer specs: edges', () => {
  it.each(['engine.labels.node.id==x', 'xnode.hostname==n1'])('%s is no node constraint', (c) => {
    expect(parseNodeConstraint(c)).toBeUndefined();
  });

  it('a mount without a type is a volume mount', () => {
    expect(mountsVolume(spec([{ Source: 'data', Target: '/d' }]), 'data')).toBe(true);
    expect(mountsVolume(spec([{ Type: 'bind', Source: 'data', Target: '/d' }]), 'data')).toBe(false);
  });

  it('a spec without a task template, mounts or mode', () => {
    expect(mountsVolume({ Name: 'x' }, 'data')).toBe(false);
    expect(replicasOf({ Name: 'x' })).toBeUndefined();
    expect(replicasOf({ Mode: { Global: {} } })).toBeUndefined();
    expect(scaledSpec({ Name: 'x' }, 2)).toEqual({ Name: 'x', Mode: { Replicated: { Replicas: 2 } } });
    expect(switchedSpec({ Name: 'x' }, 'data', TARGET)).toEqual({
      Name: 'x',
      TaskTemplate: { ContainerSpec: { Mounts: [] }, Placement: { Constraints: ['node.hostname==n2'] } },
    });
  });

  it('a mount without volume options is switched as is; options of only a driver are dropped', () => {
    const out = switchedSpec(
      spec([
        { Type: 'volume', Source: 'data', Target: '/a' },
        { Type: 'volume', Source: 'data', Target: '/b', VolumeOptions: { DriverConfig: { Name: 'local' } } },
      ]),
      'data',
      TARGET,
    );
    expect(out?.TaskTemplate?.ContainerSpec?.Mounts).toEqual([
      { Type: 'volume', Source: 'data2', Target: '/a' },
      { Type: 'volume', Source: 'data2', Target: '/b' },
    ]);
  });

  it('a service already on the target but pinned elsewhere by hand is re-pinned (constraints alone change)', () => {
    const s = spec(
      [{ Type: 'volume', Source: 'data2', Target: '/d' }],
      ['node.hostname==n1', 'node.labels.zone==a'],
    );
    expect(switchedSpec(s, 'data', TARGET)?.TaskTemplate?.Placement?.Constraints).toEqual([
      'node.labels.zone==a',
      'node.hostname==n2',
    ]);
  });

  it('restore: only the target volume mounts go back, matched by container path', () => {
    const now = spec([
      { ...HOSTS, Source: '/etc/hosts.new' },
      { Type: 'volume', Source: 'data2', Target: '/d' },
    ]);
    const record = rec([HOSTS, { Type: 'volume', Source: 'data', Target: '/d', ReadOnly: true }]);
    expect(restoredSpec(now, record, 'data2')).toEqual({
      Name: 'web',
      TaskTemplate: {
        ContainerSpec: {
          Mounts: [
            { ...HOSTS, Source: '/etc/hosts.new' },
            { Type: 'volume', Source: 'data', Target: '/d', ReadOnly: true },
          ],
        },
      },
    });
  });

  it('restore: constraints alone changed are put back; no placement is added when there was none', () => {
    const now = spec([HOSTS], ['node.hostname==n2']);
    expect(restoredSpec(now, rec([]), 'data2')).toEqual({
      Name: 'web',
      TaskTemplate: { ContainerSpec: { Mounts: [HOSTS] }, Placement: {} },
    });
    const noPlacement = spec([{ Type: 'volume', Source: 'data2', Target: '/d' }]);
    const back = restoredSpec(noPlacement, rec([{ Type: 'volume', Source: 'data', Target: '/d' }]), 'data2');
    expect(back?.TaskTemplate).not.toHaveProperty('Placement');
  });
});
