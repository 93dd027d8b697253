// The SwarmVolume kind's reconcile and remove, against one fake Engine per node and a fake manager
// (fake-volume-engine.ts; the real multi-node lifecycle runs in test/integration/swarm-plugin-volume.test.ts).
import { describe, expect, it } from 'vitest';
import { ResourceNodeEndpoints } from '../../../controllers/machine-runner/resource-node-endpoints.js';
import { volumeKindReconciler } from '../../../controllers/volume/volume-kind.js';
import { cond, harness, KEY, NOW, OWNED, resource } from './volume-kind-harness.js';

describe('SwarmVolume kind: reconcile', () => {
  it('creates the volume on every node with its owner labels, and says Ready', async () => {
    const h = harness([{ host: 'n1' }, { host: 'n2' }]);
    const r = await h.reconciler.reconcile(resource(), h.ctx());
    for (const host of ['n1', 'n2'])
      expect(h.engines[host]!.volumes.get('data')).toMatchObject({
        Driver: 'local',
        Options: { type: 'tmpfs', device: 'tmpfs' },
        Labels: OWNED,
      });
    expect(r.error).toBeUndefined();
    expect(r.requeueAfterMs).toBeUndefined();
    expect(r.status).toMatchObject({ phase: 'Ready', progress: '2/2 nodes', observedGeneration: 3 });
    expect(
      (r.status.nodes as { node: string; state: string }[]).map((n) => `${n.node}=${n.state}`),
    ).toStrictEqual(['n1=Ready', 'n2=Ready']);
    expect(cond(r.status, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'VolumeReady',
      message: 'volume data on 2/2 nodes',
    });
    expect(h.progress.length).toBeGreaterThan(0);
    expect(h.progress.every((p) => p.phase === 'Creating')).toBe(true);
    expect(h.lines.find((l) => l.msg === 'volume status changed')).toMatchObject({
      phase: 'Ready',
      progress: '2/2 nodes',
    });
    const again = await h.reconciler.reconcile(resource(), h.ctx(r.status));
    expect(again.status).toMatchObject({ phase: 'Ready' });
    expect(h.lines.filter((l) => l.msg === 'volume status changed')).toHaveLength(1);
  });

  it.each([
    ['a node that is down', { host: 'n2', state: 'down' }, 'node n2 is down'],
    [
      'a ready node without an endpoint',
      { host: 'n2', endpoint: false },
      'no Docker endpoint for node n2 (n2: no SwarmNode resource and no --node-endpoint for it)',
    ],
  ])('%s is Unreachable, and the reconcile comes back after retryMs', async (_n, n2, message) => {
    const h = harness([{ host: 'n1' }, n2]);
    const r = await h.reconciler.reconcile(resource(), h.ctx());
    expect(r.status).toMatchObject({ phase: 'Pending', progress: '1/2 nodes', observedGeneration: 3 });
    expect((r.status.nodes as { node: string; state: string; message: string }[])[1]).toMatchObject({
      node: 'n2',
      state: 'Unreachable',
      message,
    });
    expect(cond(r.status, 'Ready')).toMatchObject({ status: 'False', reason: 'NodeUnreachable' });
    expect(r.requeueAfterMs).toBe(111);
  });

  it('a volume of that name it does not own is a conflict that stalls', async () => {
    const h = harness([{ host: 'n1' }]);
    h.engines.n1!.volumes.set('data', { Name: 'data', Driver: 'local', Options: null, Labels: { app: 'x' } });
    const r = await h.reconciler.reconcile(resource(), h.ctx());
    expect(r.error?.code).toBe('SK_ERR_OWNERSHIP_CONFLICT');
    expect(r.status).toMatchObject({ phase: 'Blocked', progress: '0/1 nodes' });
    expect(cond(r.status, 'Stalled')).toMatchObject({ status: 'True', reason: 'OwnershipConflict' });
    expect(h.engines.n1!.volumes.get('data')?.Labels).toStrictEqual({ app: 'x' });
  });

  it('only the selected nodes get the volume; an owned one on a node no longer selected is removed', async () => {
    const h = harness([{ host: 'n1', labels: { disk: 'ssd' } }, { host: 'n2' }]);
    h.engines.n2!.volumes.set('data', { Name: 'data', Driver: 'local', Options: null, Labels: OWNED });
    const r = await h.reconciler.reconcile(resource({ nodeSelector: { disk: 'ssd' } }), h.ctx());
    expect(r.status).toMatchObject({ phase: 'Ready', progress: '1/1 nodes' });
    expect(h.engines.n2!.volumes.has('data')).toBe(false);
    expect(h.events).toStrictEqual([
      {
        key: KEY,
        type: 'Normal',
        reason: 'Pruned',
        action: 'Reconcile',
        note: 'volume(s) removed from nodes no longer selected: data on n2',
      },
    ]);
    expect(r.requeueAfterMs).toBeUndefined();
  });

  it('an unselected volume in use stays, is named in the message, and the reconcile comes back', async () => {
    const h = harness([{ host: 'n1', labels: { disk: 'ssd' } }, { host: 'n2' }]);
    h.engines.n2!.volumes.set('data', { Name: 'data', Driver: 'local', Options: null, Labels: OWNED });
    h.engines.n2!.containers.set('data', ['web.1.a']);
    const r = await h.reconciler.reconcile(resource({ nodeSelector: { disk: 'ssd' } }), h.ctx());
    expect(h.engines.n2!.volumes.has('data')).toBe(true);
    expect(cond(r.status, 'Ready')?.message).toBe(
      'volume data on 1/1 nodes; not removed from nodes no longer selected: volume data on node n2 is in use by container(s) web.1.a',
    );
    expect(r.requeueAfterMs).toBe(222);
    expect(h.events).toStrictEqual([]);
  });

  it('no node matching the selector is Ready with nothing to do, and says so', async () => {
    const h = harness([{ host: 'n1' }]);
    const r = await h.reconciler.reconcile(resource({ nodeSelector: { disk: 'nvme' } }), h.ctx());
    expect(r.status).toMatchObject({ phase: 'Ready', progress: '0/0 nodes' });
    expect(cond(r.status, 'Ready')?.message).toBe('no node matches the nodeSelector');
  });
});

describe('SwarmVolume kind: remove', () => {
  it('removes every owned volume on every node, with one Event', async () => {
    const h = harness([{ host: 'n1' }, { host: 'n2' }]);
    await h.reconciler.reconcile(resource(), h.ctx());
    const r = await h.reconciler.remove!(KEY, undefined, h.ctx());
    expect(r).toStrictEqual({ done: true });
    expect([h.engines.n1!.volumes.size, h.engines.n2!.volumes.size]).toStrictEqual([0, 0]);
    expect(h.events.map((e) => [e.reason, e.action, e.note])).toStrictEqual([
      ['Pruned', 'Delete', 'volume(s) removed: data on n1, data on n2'],
    ]);
  });

  it('is not done while a volume is in use, and says which', async () => {
    const h = harness([{ host: 'n1' }]);
    await h.reconciler.reconcile(resource(), h.ctx());
    h.engines.n1!.containers.set('data', ['db.1.x']);
    const r = await h.reconciler.remove!(KEY, undefined, h.ctx());
    expect(r.done).toBe(false);
    expect(r.requeueAfterMs).toBe(222);
    expect(JSON.stringify(r.status)).toContain(
      'not removed yet: volume data on node n1 is in use by container(s) db.1.x',
    );
  });

  it('warns of the nodes it could not look at, and is done with what it could reach', async () => {
    const h = harness([{ host: 'n1' }, { host: 'n2', endpoint: false }]);
    const r = await h.reconciler.remove!(KEY, undefined, h.ctx());
    expect(r).toStrictEqual({ done: true });
    expect(h.lines.find((l) => l.level === 40)).toMatchObject({
      nodes: ['n2'],
      msg: 'volumes on these nodes could not be looked for (no endpoint or not answering)',
    });
  });

  it('a key that names no owner is done at once', async () => {
    const h = harness([{ host: 'n1' }]);
    expect(await h.reconciler.remove!('garbage', undefined, h.ctx())).toStrictEqual({ done: true });
  });

  it('a manager that cannot list nodes gives an error status, not done', async () => {
    const h = harness([{ host: 'n1' }]);
    h.manager.nodes.length = 0;
    Object.defineProperty(h.manager, 'docker', {
      get: () => ({
        modem: {
          dial: (_o: unknown, cb: (e: unknown) => void) => cb({ statusCode: 500, json: { message: 'boom' } }),
        },
      }),
    });
    const broken = volumeKindReconcilerWith(h);
    const r = await broken.remove!(KEY, undefined, h.ctx());
    expect(r.done).toBe(false);
    expect(r.error?.message).toContain('boom');
  });
});

/** The harness's reconciler again, with a manager that fails every call. */
function volumeKindReconcilerWith(h: ReturnType<typeof harness>) {
  const noSecrets = { get: () => Promise.reject(new Error('no secrets here')) };
  return volumeKindReconciler({
    manager: h.manager.docker,
    instanceId: 'i1',
    secrets: noSecrets,
    endpoints: new ResourceNodeEndpoints({ secrets: noSecrets }),
    ownership: h.store,
    now: () => NOW,
  });
}
