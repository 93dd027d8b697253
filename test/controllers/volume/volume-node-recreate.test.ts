// One node's volume step when the volume differs (recreation) or belongs to someone else, and the
// removal's Engine errors, against the fake Engine (fake-volume-engine.ts).
import { describe, expect, it } from 'vitest';
import { MemoryNodeOwnership } from '../../../controllers/machine-runner/node-ownership.js';
import { ensureVolumeOnNode, removeOwnedVolume } from '../../../controllers/volume/volume-node.js';
import { desiredVolume } from '../../../reconciler/desired/volume.js';
import { FakeVolumeEngine } from './fake-volume-engine.js';

const owner = { kind: 'SwarmVolume', namespace: 'default', name: 'data' };
const KEY = 'SwarmVolume/default/data';
const OWNED = { 'swarmkeeper.io/owner': KEY, 'swarmkeeper.io/instance': 'i1' };
const node = { id: 'N1', hostname: 'n1', role: 'worker' as const, labels: {}, state: 'ready' };
const desired = desiredVolume(owner, { driver: 'local', driverOpts: { size: '2' } }, 'i1', () => undefined);

async function ensure(engine: FakeVolumeEngine, store = new MemoryNodeOwnership(), recreate = true) {
  const record = (await store.list(KEY)).find((r) => r.nodeId === 'N1');
  const r = await ensureVolumeOnNode({
    key: KEY,
    owner,
    instanceId: 'i1',
    desired,
    secrets: [],
    node,
    docker: engine.docker,
    manager: engine.docker,
    adopt: false,
    recreatePolicy: recreate ? 'Always' : 'Never',
    ownership: store,
    record,
  });
  return { r, store };
}

const engineWith = (
  labels: Record<string, string> | null,
  options: Record<string, string> = { size: '1' },
) => {
  const e = new FakeVolumeEngine();
  e.volumes.set('data', { Name: 'data', Driver: 'local', Options: options, Labels: labels });
  return e;
};

describe('ensureVolumeOnNode: a volume that differs', () => {
  it('is recreated with recreatePolicy Always, and says what differed', async () => {
    const e = engineWith(OWNED);
    const { r, store } = await ensure(e);
    expect(r).toStrictEqual({
      state: 'Ready',
      message: 'recreated on node n1 (driverOpts.size)',
      changed: true,
    });
    expect(e.volumes.get('data')?.Options).toStrictEqual({ size: '2' });
    expect(e.calls.filter((c) => c.startsWith('DELETE') || c.startsWith('POST'))).toStrictEqual([
      'DELETE /volumes/data',
      'POST /volumes/create',
    ]);
    expect(await store.list(KEY)).toStrictEqual([{ nodeId: 'N1', hostname: 'n1', name: 'data' }]);
  });

  it('is left when the Engine refuses the delete as in use, naming the services that mount it', async () => {
    const e = engineWith(OWNED);
    e.deleteError = { statusCode: 409, message: 'remove data: volume is in use - [abc]' };
    e.services.push({
      Spec: {
        Name: 'app_db',
        TaskTemplate: { ContainerSpec: { Mounts: [{ Type: 'volume', Source: 'data' }] } },
      },
    });
    const { r } = await ensure(e);
    expect(r).toStrictEqual({
      state: 'InUse',
      message:
        'volume data on node n1 differs in driverOpts.size and must be recreated, but it is in use; mounted by service(s) app_db: remove data: volume is in use - [abc]',
    });
    expect(e.volumes.get('data')?.Options).toStrictEqual({ size: '1' });
  });

  it('another delete error is a failure of the recreate step with its HTTP status', async () => {
    const e = engineWith(OWNED);
    e.deleteError = { statusCode: 500, message: 'driver crashed' };
    const { r } = await ensure(e);
    expect(r).toStrictEqual({
      state: 'Failed',
      message: 'recreate volume data on node n1: driver crashed (HTTP 500)',
    });
  });

  it('an owned volume found without a record is recorded', async () => {
    const e = engineWith(OWNED, { size: '2' });
    const { r, store } = await ensure(e);
    expect(r).toStrictEqual({ state: 'Ready', message: 'present on node n1', changed: false });
    expect(await store.list(KEY)).toStrictEqual([{ nodeId: 'N1', hostname: 'n1', name: 'data' }]);
  });
});

describe('ensureVolumeOnNode: a volume of another owner', () => {
  it.each([
    [
      { 'swarmkeeper.io/owner': 'SwarmVolume/other/data', 'swarmkeeper.io/instance': 'i9' },
      'volume data on node n1 is owned by SwarmVolume/other/data (instance i9) (driver local); another resource manages it',
    ],
    [
      { 'swarmkeeper.io/owner': 'SwarmVolume/other/data' },
      'volume data on node n1 is owned by SwarmVolume/other/data (instance ?) (driver local); another resource manages it',
    ],
  ])('%j is a conflict, untouched', async (labels, message) => {
    const e = engineWith(labels);
    const { r, store } = await ensure(e);
    expect(r).toStrictEqual({ state: 'Conflict', message });
    expect(e.calls.filter((c) => !c.startsWith('GET'))).toStrictEqual([]);
    expect(await store.list(KEY)).toStrictEqual([]);
  });
});

describe('removeOwnedVolume: Engine errors', () => {
  const remove = (e: FakeVolumeEngine) =>
    removeOwnedVolume({
      key: KEY,
      owner,
      instanceId: 'i1',
      record: { nodeId: 'N1', hostname: 'n1', name: 'data' },
      docker: e.docker,
      manager: e.docker,
    });

  it.each([
    [409, 'volume is in use - [abc]', 'volume data on node n1 is in use: volume is in use - [abc]'],
    [500, 'driver crashed', 'remove volume data on node n1: driver crashed (HTTP 500)'],
  ])('HTTP %i on delete', async (statusCode, msg, want) => {
    const e = engineWith(OWNED);
    e.deleteError = { statusCode, message: msg };
    expect(await remove(e)).toStrictEqual({ done: false, message: want });
  });
});
