// Finding and removing a SwarmVolume's volumes on every node, against one fake Engine per node
// (fake-volume-engine.ts; the real multi-node removal runs in test/integration/swarm-plugin-volume.test.ts).
import type Docker from 'dockerode';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { NodeEndpoints } from '../../../controllers/machine-runner/node-endpoints.js';
import { MemoryNodeOwnership } from '../../../controllers/machine-runner/node-ownership.js';
import type { KindReconcileContext } from '../../../controllers/ports.js';
import { ownedEverywhere, removeAll, type Found } from '../../../controllers/volume/volume-removal.js';
import type { FleetNode } from '../../../machines/plugin-fleet.js';
import { FakeVolumeEngine } from './fake-volume-engine.js';

const KEY = 'SwarmVolume/default/data';
const owner = { kind: 'SwarmVolume', namespace: 'default', name: 'data' };
const OWNED = { 'swarmkeeper.io/owner': KEY, 'swarmkeeper.io/instance': 'i1' };
const node = (id: string, hostname: string): FleetNode => ({
  id,
  hostname,
  role: 'worker',
  labels: {},
  state: 'ready',
});
const N1 = node('N1', 'n1');
const N2 = node('N2', 'n2');
const N3 = node('N3', 'n3');

/** One fake Engine per node id; a node without one has no endpoint; `broken` ids fail every call. */
function endpointsFor(engines: Record<string, FakeVolumeEngine>, broken: string[] = []): NodeEndpoints {
  const failing = {
    modem: { dial: (_o: unknown, cb: (e: unknown) => void) => cb(new Error('connect ECONNREFUSED')) },
  };
  return {
    docker: (n) => (broken.includes(n.id) ? (failing as unknown as Docker) : engines[n.id]?.docker),
    describe: (n) => `${n.hostname}: ${engines[n.id] ? 'fake' : 'no endpoint'}`,
  };
}

function engineWith(volumes: Record<string, Record<string, string> | null>): FakeVolumeEngine {
  const e = new FakeVolumeEngine();
  for (const [name, labels] of Object.entries(volumes))
    e.volumes.set(name, { Name: name, Driver: 'local', Options: null, Labels: labels });
  return e;
}

function context(): { ctx: KindReconcileContext; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'debug' },
    { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  const ctx = { signal: new AbortController().signal, reconcileId: 'r1', prev: undefined, log, root: '/' };
  return { ctx: ctx as KindReconcileContext, lines };
}

const deps = (store = new MemoryNodeOwnership(), manager = new FakeVolumeEngine()) => ({
  manager: manager.docker,
  instanceId: 'i1',
  ownership: store,
});

describe('ownedEverywhere', () => {
  it('joins the recorded volumes and the labelled ones, once each, with their nodes', async () => {
    const store = new MemoryNodeOwnership();
    await store.add(KEY, { nodeId: 'N1', hostname: 'n1', name: 'data', adopted: true });
    await store.add(KEY, { nodeId: 'GONE', hostname: 'old', name: 'data' });
    const engines = {
      N1: engineWith({ data: OWNED, other: null }),
      N2: engineWith({ data: OWNED, b: OWNED, foreign: { ...OWNED, 'swarmkeeper.io/instance': 'i2' } }),
    };
    const r = await ownedEverywhere(KEY, deps(store), [N1, N2], endpointsFor(engines));
    expect(r.unreachable).toStrictEqual([]);
    const byKey = Object.fromEntries(r.found.map((f) => [`${f.nodeId}/${f.name}`, f]));
    expect(Object.keys(byKey).sort()).toStrictEqual(['GONE/data', 'N1/data', 'N2/b', 'N2/data']);
    expect(byKey['N1/data']).toStrictEqual({
      nodeId: 'N1',
      hostname: 'n1',
      name: 'data',
      adopted: true,
      node: N1,
    });
    expect(byKey['GONE/data']).toStrictEqual({ nodeId: 'GONE', hostname: 'old', name: 'data' });
    expect(byKey['N2/b']).toStrictEqual({ nodeId: 'N2', hostname: 'n2', name: 'b', node: N2 });
  });

  it('names the nodes it could not ask, sorted: no endpoint, or the call failed', async () => {
    const engines = { N2: engineWith({ data: OWNED }) };
    const r = await ownedEverywhere(KEY, deps(), [N3, N2, N1], endpointsFor(engines, ['N1']));
    expect(r.unreachable).toStrictEqual(['n1', 'n3']);
    expect(r.found.map((f) => `${f.hostname}/${f.name}`)).toStrictEqual(['n2/data']);
  });
});

describe('removeAll', () => {
  const found = (n: FleetNode | undefined, name: string, nodeId = n?.id ?? 'GONE'): Found => ({
    nodeId,
    hostname: n?.hostname ?? 'old',
    name,
    ...(n ? { node: n } : {}),
  });

  it('removes what it owns and forgets the records of what it removed', async () => {
    const store = new MemoryNodeOwnership();
    const engines = { N1: engineWith({ data: OWNED }), N2: engineWith({ data: OWNED }) };
    for (const n of [N1, N2]) await store.add(KEY, { nodeId: n.id, hostname: n.hostname, name: 'data' });
    const { ctx } = context();
    const r = await removeAll(
      KEY,
      owner,
      [found(N1, 'data'), found(N2, 'data')],
      deps(store),
      endpointsFor(engines),
      ctx,
    );
    expect(r.problems).toStrictEqual([]);
    expect(r.removed.map((f) => f.hostname).sort()).toStrictEqual(['n1', 'n2']);
    expect([engines.N1.volumes.has('data'), engines.N2.volumes.has('data')]).toStrictEqual([false, false]);
    expect(await store.list(KEY)).toStrictEqual([]);
  });

  it('drops the record of a node that left the swarm with no endpoint, and says so', async () => {
    const store = new MemoryNodeOwnership();
    await store.add(KEY, { nodeId: 'GONE', hostname: 'old', name: 'data' });
    const { ctx, lines } = context();
    const r = await removeAll(KEY, owner, [found(undefined, 'data')], deps(store), endpointsFor({}), ctx);
    expect(r).toStrictEqual({ removed: [], problems: [] });
    expect(await store.list(KEY)).toStrictEqual([]);
    expect(lines.find((l) => l.level === 40)).toMatchObject({
      node: 'old',
      volume: 'data',
      msg: 'the node left the swarm and has no endpoint: its volume record is dropped',
    });
  });

  it('keeps the record of a node still in the swarm that it cannot reach, and reports it', async () => {
    const store = new MemoryNodeOwnership();
    await store.add(KEY, { nodeId: 'N3', hostname: 'n3', name: 'data' });
    const { ctx } = context();
    const r = await removeAll(KEY, owner, [found(N3, 'data')], deps(store), endpointsFor({}), ctx);
    expect(r).toStrictEqual({
      removed: [],
      problems: ['volume data on node n3: node unreachable (n3: no endpoint)'],
    });
    expect(await store.list(KEY)).toHaveLength(1);
  });

  it('leaves a volume in use, keeps its record, and reports the problems sorted', async () => {
    const store = new MemoryNodeOwnership();
    const engines = { N1: engineWith({ data: OWNED, b: OWNED }), N2: engineWith({ data: OWNED }) };
    engines.N1.containers.set('data', ['web.1.abc']);
    engines.N2.containers.set('data', ['api.1.xyz']);
    for (const [n, v] of [
      [N1, 'data'],
      [N1, 'b'],
      [N2, 'data'],
    ] as const)
      await store.add(KEY, { nodeId: n.id, hostname: n.hostname, name: v });
    const { ctx } = context();
    const entries = [found(N2, 'data'), found(N1, 'data'), found(N1, 'b')];
    const r = await removeAll(KEY, owner, entries, deps(store), endpointsFor(engines), ctx);
    expect(r.problems).toStrictEqual([
      'volume data on node n1 is in use by container(s) web.1.abc',
      'volume data on node n2 is in use by container(s) api.1.xyz',
    ]);
    expect(r.removed.map((f) => f.name)).toStrictEqual(['b']);
    expect((await store.list(KEY)).map((o) => `${o.hostname}/${o.name}`)).toStrictEqual([
      'n1/data',
      'n2/data',
    ]);
  });

  it('logs why a volume it does not own was left, and forgets it', async () => {
    const store = new MemoryNodeOwnership();
    await store.add(KEY, { nodeId: 'N1', hostname: 'n1', name: 'data' });
    const { ctx, lines } = context();
    const engines = { N1: engineWith({ data: null }) };
    const r = await removeAll(KEY, owner, [found(N1, 'data')], deps(store), endpointsFor(engines), ctx);
    expect(r.removed.map((f) => f.name)).toStrictEqual(['data']);
    expect(engines.N1.volumes.has('data')).toBe(true);
    expect(await store.list(KEY)).toStrictEqual([]);
    expect(lines.find((l) => l.level === 30)).toMatchObject({
      node: 'n1',
      volume: 'data',
      msg: 'volume data on node n1 is not owned by swarmkeeper: left alone',
    });
  });

  it('a failed call is a problem naming the step, and no record is dropped', async () => {
    const store = new MemoryNodeOwnership();
    await store.add(KEY, { nodeId: 'N1', hostname: 'n1', name: 'data' });
    const { ctx, lines } = context();
    const r = await removeAll(
      KEY,
      owner,
      [found(N1, 'data')],
      deps(store),
      endpointsFor({ N1: engineWith({}) }, ['N1']),
      ctx,
    );
    expect(r.removed).toStrictEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^inspect volume data on node n1: .*ECONNREFUSED/);
    expect(await store.list(KEY)).toHaveLength(1);
    expect(lines.filter((l) => l.level === 30)).toStrictEqual([]);
  });
});
