// SwarmVolume kind: the per-node volume steps against a fake Engine (see fake-volume-engine.ts).
import { describe, expect, it } from 'vitest';
import { MemoryNodeOwnership } from '../../../controllers/machine-runner/node-ownership.js';
import { ensureVolumeOnNode, removeOwnedVolume } from '../../../controllers/volume/volume-node.js';
import { desiredVolume, sensitiveValues } from '../../../reconciler/desired/volume.js';
import { Sensitive } from '../../../reconciler/model/sensitive.js';
import { FakeVolumeEngine } from './fake-volume-engine.js';

describe('volume steps on a node', () => {
  const owner = { kind: 'SwarmVolume', namespace: 'default', name: 'data' };
  const KEYV = 'SwarmVolume/default/data';
  const OWNED = { 'swarmkeeper.io/owner': KEYV, 'swarmkeeper.io/instance': 'i1' };
  const node = { id: 'N1', hostname: 'n1', role: 'worker' as const, labels: {}, state: 'ready' };
  const desired = desiredVolume(
    owner,
    { driver: 'swlvol', driverOpts: { size: '1' }, labels: { app: 'x' } },
    'i1',
    () => undefined,
  );
  const run = async (
    engine: FakeVolumeEngine,
    opts: {
      adopt?: boolean;
      recreatePolicy?: 'Never' | 'Always';
      d?: typeof desired;
      store?: MemoryNodeOwnership;
    } = {},
  ) => {
    const store = opts.store ?? new MemoryNodeOwnership();
    const d = opts.d ?? desired;
    const r = await ensureVolumeOnNode({
      key: KEYV,
      owner,
      instanceId: 'i1',
      desired: d,
      secrets: sensitiveValues(d.driverOpts),
      node,
      docker: engine.docker,
      manager: engine.docker,
      adopt: opts.adopt ?? false,
      recreatePolicy: opts.recreatePolicy ?? 'Never',
      ownership: store,
      record: (await store.list(KEYV)).find((x) => x.name === d.name),
    });
    return { r, store };
  };
  const withVolume = (
    v: Partial<{ Driver: string; Options: Record<string, string>; Labels: Record<string, string> | null }>,
  ) => {
    const e = new FakeVolumeEngine();
    e.volumes.set('data', {
      Name: 'data',
      Driver: 'swlvol:latest',
      Options: { size: '1' },
      Labels: { app: 'x', ...OWNED },
      ...v,
    });
    return e;
  };

  it('creates an absent volume, recorded before the create', async () => {
    const e = new FakeVolumeEngine();
    const { r, store } = await run(e);
    expect(r).toEqual({ state: 'Ready', message: 'created on node n1', changed: true });
    expect(e.volumes.get('data')).toEqual({
      Name: 'data',
      Driver: 'swlvol',
      Options: { size: '1' },
      Labels: { app: 'x', ...OWNED },
    });
    expect(await store.list(KEYV)).toEqual([{ nodeId: 'N1', hostname: 'n1', name: 'data' }]);
  });

  it('waits for a driver plugin that is installed but not enabled yet, creating nothing', async () => {
    const e = new FakeVolumeEngine();
    e.plugins.push({ Name: 'swlvol:latest', Enabled: false });
    const { r, store } = await run(e);
    expect(r).toEqual({
      state: 'WaitingForDriver',
      message: 'driver plugin swlvol of volume data on node n1 is installed but not enabled yet',
    });
    expect(e.volumes.size).toBe(0);
    expect(await store.list(KEYV)).toEqual([]);
    e.plugins[0]!.Enabled = true;
    expect((await run(e)).r.state).toBe('Ready');
  });

  it('leaves an owned volume as desired alone', async () => {
    const e = withVolume({});
    const { r } = await run(e);
    expect(r).toEqual({ state: 'Ready', message: 'present on node n1', changed: false });
    expect(e.calls).toEqual(['GET /volumes/data']);
  });

  it.each([
    [
      { Labels: null },
      'volume data on node n1 exists without swarmkeeper owner labels (driver swlvol:latest); set spec.adopt: true to take it over',
    ],
    [
      { Labels: { 'swarmkeeper.io/owner': 'SwarmVolume/other/data', 'swarmkeeper.io/instance': 'i1' } },
      'volume data on node n1 is owned by SwarmVolume/other/data (instance i1) (driver swlvol:latest); another resource manages it',
    ],
  ])('never touches a volume it does not own: %j', async (v, message) => {
    const e = withVolume(v);
    const before = structuredClone(e.volumes.get('data'));
    const { r } = await run(e, { recreatePolicy: 'Always' });
    expect(r).toEqual({ state: 'Conflict', message });
    expect(e.volumes.get('data')).toEqual(before);
  });

  it('adopts an unlabelled volume with spec.adopt (recorded; labels are not compared)', async () => {
    const e = withVolume({ Labels: null });
    const { r, store } = await run(e, { adopt: true });
    expect(r).toEqual({ state: 'Ready', message: 'adopted on node n1', changed: true });
    expect(await store.list(KEYV)).toEqual([{ nodeId: 'N1', hostname: 'n1', name: 'data', adopted: true }]);
    // the next reconcile knows it from the record
    expect((await run(e, { store })).r).toEqual({
      state: 'Ready',
      message: 'adopted on node n1',
      changed: false,
    });
  });

  it('blocks a needed recreation with recreatePolicy Never, naming the services that mount it', async () => {
    const e = withVolume({ Options: { size: '2' } });
    e.services.push({
      Spec: {
        Name: 'app_web',
        TaskTemplate: { ContainerSpec: { Mounts: [{ Type: 'volume', Source: 'data' }] } },
      },
    });
    const { r } = await run(e);
    expect(r).toEqual({
      state: 'RecreateBlocked',
      message:
        'volume data on node n1 differs in driverOpts.size: volumes are immutable and recreating one deletes its data; set recreatePolicy: Always to recreate it; mounted by service(s) app_web',
    });
    expect(e.volumes.get('data')?.Options).toEqual({ size: '2' });
  });

  it('with recreatePolicy Always, reports a volume in use by a container and recreates a free one', async () => {
    const e = withVolume({ Options: { size: '2' } });
    e.containers.set('data', ['app_web.1.abc']);
    expect((await run(e, { recreatePolicy: 'Always' })).r).toEqual({
      state: 'InUse',
      message:
        'volume data on node n1 differs in driverOpts.size and must be recreated, but it is in use by container(s) app_web.1.abc: a volume in use cannot be removed',
    });
    e.containers.delete('data');
    expect((await run(e, { recreatePolicy: 'Always' })).r).toEqual({
      state: 'Ready',
      message: 'recreated on node n1 (driverOpts.size)',
      changed: true,
    });
    expect(e.volumes.get('data')?.Options).toEqual({ size: '1' });
  });

  it('redacts Secret values from a driver error', async () => {
    const e = new FakeVolumeEngine();
    e.createError = 'mount failed with key BL0BS3CRET';
    const d = desiredVolume(
      owner,
      {
        preset: {
          type: 'blobfs',
          accountName: 'a',
          container: 'c',
          accountKeySecretRef: { name: 's', key: 'k' },
        },
      },
      'i1',
      () => new Sensitive('BL0BS3CRET'),
    );
    const { r } = await run(e, { d });
    expect(r).toEqual({
      state: 'Failed',
      message: 'create volume data on node n1: mount failed with key [redacted] (HTTP 500)',
    });
  });

  it.each([
    ['absent', undefined, [], { done: true }],
    ['owned, free', { Labels: OWNED }, [], { done: true }],
    [
      'not owned',
      { Labels: null },
      [],
      { done: true, message: 'volume data on node n1 is not owned by swarmkeeper: left alone' },
    ],
    [
      'owned, in use',
      { Labels: OWNED },
      ['web.1.x'],
      {
        done: false,
        inUseBy: ['web.1.x'],
        message: 'volume data on node n1 is in use by container(s) web.1.x',
      },
    ],
  ])('removal: %s', async (_, v, containers, want) => {
    const e = new FakeVolumeEngine();
    if (v) e.volumes.set('data', { Name: 'data', Driver: 'local', Options: null, ...v });
    if (containers.length > 0) e.containers.set('data', containers);
    const r = await removeOwnedVolume({
      key: KEYV,
      owner,
      instanceId: 'i1',
      record: { nodeId: 'N1', hostname: 'n1', name: 'data' },
      docker: e.docker,
      manager: e.docker,
    });
    expect(r).toEqual(want);
    expect(e.volumes.has('data')).toBe(v !== undefined && (v.Labels === null || containers.length > 0));
  });
});
