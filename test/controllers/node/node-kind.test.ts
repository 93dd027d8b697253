import pino from 'pino';
import type { Redis } from 'ioredis';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { nodeKindReconciler, type ManagerChangeLock } from '../../../controllers/node/node-kind.js';
import { MemoryNodeRecords } from '../../../controllers/node/node-records.js';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import type { KindReconcileContext, KindStatus } from '../../../controllers/ports.js';
import { noSecrets } from '../../../controllers/sources/dir-secrets.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { FakeNodeSwarm } from './fake-node-swarm.js';

const POLICY = {
  maxAttempts: 2,
  baseBackoffMs: 1,
  maxBackoffMs: 2,
  pollIntervalMs: 1,
  readyTimeoutMs: 2000,
  drainTimeoutMs: 2000,
  downTimeoutMs: 2000,
};

function setup(opts: { lockBusy?: boolean; deadlineMs?: number } = {}) {
  const state = { lockBusy: opts.lockBusy === true };
  const swarm = new FakeNodeSwarm();
  swarm.daemon('/n1.sock', 'n1', { role: 'manager' });
  const store = new MemorySnapshotStore();
  const records = new MemoryNodeRecords();
  const lock: ManagerChangeLock = {
    tryAcquire: async () =>
      state.lockBusy
        ? undefined
        : { token: 't', lost: new AbortController().signal, release: async () => undefined },
  };
  const r = nodeKindReconciler({
    docker: new Docker({ socketPath: '/n1.sock' }),
    redis: {} as Redis,
    instanceId: 'i1',
    secrets: noSecrets,
    policy: POLICY,
    store,
    records,
    lock,
    ops: (d) => swarm.ops(d),
    ...(opts.deadlineMs ? { machineDeadlineMs: opts.deadlineMs } : {}),
  });
  const statuses = new Map<string, KindStatus>();
  const progress = new Map<string, KindStatus[]>();
  const logs: { msg: string; obj: unknown }[] = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => logs.push({ msg: JSON.parse(line).msg, obj: JSON.parse(line) }) },
  );
  const ctx = (key: string): KindReconcileContext => ({
    signal: new AbortController().signal,
    reconcileId: 'r1',
    prev: statuses.get(key),
    log,
    root: '.',
    progress: async (s) => {
      progress.set(key, [...(progress.get(key) ?? []), s]);
    },
    resources: () => [],
  });
  const resource = (name: string, spec: Record<string, unknown>): DesiredResource => ({
    key: `SwarmNode/default/${name}`,
    kind: 'SwarmNode',
    namespace: 'default',
    name,
    generation: 1,
    spec,
    origin: { file: `${name}.yaml` },
    baseDir: '.',
  });
  const reconcile = async (res: DesiredResource) => {
    const out = await r.reconcile(res, ctx(res.key));
    statuses.set(res.key, out.status);
    return out;
  };
  const remove = async (key: string) => {
    const out = await r.remove!(key, undefined, ctx(key));
    if (out.status) statuses.set(key, out.status);
    return out;
  };
  return { swarm, store, records, r, statuses, progress, logs, resource, reconcile, remove, state };
}

const cond = (s: KindStatus | undefined, type: string) => s?.conditions.find((c) => c.type === type);

describe('SwarmNode kind reconciler (fake swarm)', () => {
  it('joins a fresh daemon as a worker with its labels; the status has the node fields and conditions', async () => {
    const t = setup();
    t.swarm.daemon('/n2.sock', 'n2');
    const out = await t.reconcile(
      t.resource('n2', { address: 'unix:///n2.sock', role: 'worker', labels: { zone: 'a' } }),
    );
    expect(out.error).toBeUndefined();
    expect(out.status).toMatchObject({
      phase: 'Ready',
      nodeId: 'N-n2',
      hostname: 'n2',
      role: 'worker',
      availability: 'active',
      state: 'ready',
      engineVersion: '20.10.24',
      observedGeneration: 1,
    });
    expect(cond(out.status, 'Ready')).toMatchObject({ status: 'True', reason: 'Joined' });
    expect(cond(out.status, 'Stalled')).toMatchObject({ status: 'False' });
    expect(cond(out.status, 'Reconciling')).toMatchObject({ status: 'False' });
    expect(t.swarm.nodes.get('N-n2')?.labels).toMatchObject({
      zone: 'a',
      'swarmkeeper.io/owner': 'SwarmNode/default/n2',
    });
    expect(await t.records.get('SwarmNode/default/n2')).toMatchObject({
      nodeId: 'N-n2',
      address: 'unix:///n2.sock',
      deletionPolicy: 'Delete',
    });
    expect(t.progress.get('SwarmNode/default/n2')?.map((s) => s.phase)).toContain('Joining');
    expect(t.r.wantsEvent?.({ type: 'node', action: 'update', id: 'N-n2', attributes: {} })).toBe(true);
    expect(t.r.wantsEvent?.({ type: 'node', action: 'update', id: 'N-n1', attributes: {} })).toBe(false);
    expect(t.r.wantsEvent?.({ type: 'service', action: 'update', id: 'N-n2', attributes: {} })).toBe(false);
  });

  it('a resync of a converged node changes nothing and writes no progress', async () => {
    const t = setup();
    t.swarm.daemon('/n2.sock', 'n2');
    const res = t.resource('n2', { address: 'unix:///n2.sock', role: 'worker' });
    await t.reconcile(res);
    t.progress.clear();
    const calls = t.swarm.calls.length;
    const out = await t.reconcile(res);
    expect(cond(out.status, 'Ready')).toMatchObject({ status: 'True', reason: 'Ready' });
    expect(t.progress.size).toBe(0);
    expect(t.swarm.calls.length).toBe(calls);
  });

  it('drain: progress while tasks leave, Drained at the end; active again undrains', async () => {
    const t = setup();
    t.swarm.daemon('/n2.sock', 'n2');
    const key = 'SwarmNode/default/n2';
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock' }));
    t.swarm.tasks.set('N-n2', 3);
    const out = await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', availability: 'drain' }));
    const seen = (t.progress.get(key) ?? []).filter((s) => s.phase === 'Draining').map((s) => s.progress);
    expect(seen).toContain('2 tasks left on node n2');
    expect(cond(t.progress.get(key)?.at(-1), 'Drained')).toMatchObject({
      status: 'False',
      reason: 'Draining',
    });
    expect(out.status).toMatchObject({ phase: 'Drained', availability: 'drain' });
    expect(cond(out.status, 'Drained')).toMatchObject({ status: 'True', reason: 'Drained' });
    expect(cond(out.status, 'Ready')).toMatchObject({ status: 'True' });

    const back = await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', availability: 'active' }));
    expect(back.status).toMatchObject({ phase: 'Ready', availability: 'active' });
    expect(cond(back.status, 'Drained')).toBeUndefined();
  });

  it('an interrupted drain resumes from its persisted snapshot', async () => {
    const t = setup({ deadlineMs: 300 });
    t.swarm.daemon('/n2.sock', 'n2');
    const key = 'SwarmNode/default/n2';
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock' }));
    t.swarm.tasks.set('N-n2', 2);
    t.swarm.hangDrain = true;
    const res = t.resource('n2', { address: 'unix:///n2.sock', availability: 'drain' });
    const first = await t.reconcile(res);
    expect(first.status).toMatchObject({ phase: 'Failed' });
    expect((await t.store.load(`${key}@drain`))?.snapshot).toMatchObject({
      status: 'active',
      value: { observe: 'run' },
    });
    t.swarm.hangDrain = false;
    const second = await t.reconcile(res);
    expect(second.status).toMatchObject({ phase: 'Drained' });
    expect(t.logs.find((l) => l.msg === 'resumed an interrupted node machine')?.obj).toMatchObject({
      machine: 'nodeDrain',
      resumedFrom: { observe: 'run' },
    });
    expect(await t.store.keys()).toEqual([]);
  });

  it('removing one of 3 managers: drained, demoted, left, removed', async () => {
    const t = setup();
    t.swarm.daemon('/n2.sock', 'n2');
    t.swarm.daemon('/n3.sock', 'n3');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', role: 'manager' }));
    await t.reconcile(t.resource('n3', { address: 'unix:///n3.sock', role: 'manager' }));
    t.swarm.calls.length = 0;
    const out = await t.remove('SwarmNode/default/n3');
    expect(out).toEqual({ done: true });
    expect(t.swarm.nodes.has('N-n3')).toBe(false);
    expect(t.swarm.calls).toEqual([
      'update:{"availability":"drain"} /n3.sock',
      'update:{"role":"worker"} /n3.sock',
      'leave /n3.sock',
      'rm:false /n3.sock',
    ]);
    expect(await t.records.get('SwarmNode/default/n3')).toBeUndefined();
  });

  it('removing one of 2 managers is refused: done=false, Stalled with the reason, nothing changed', async () => {
    const t = setup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', role: 'manager' }));
    t.swarm.calls.length = 0;
    const out = await t.remove('SwarmNode/default/n2');
    expect(out.done).toBe(false);
    expect(out.error).toMatchObject({
      code: 'SK_ERR_NODE_QUORUM',
      policy: 'waiting',
      requeueAfterMs: 30_000,
    });
    expect(out.status).toMatchObject({ phase: 'Stalled', role: 'manager' });
    expect(cond(out.status, 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'QuorumWouldBeLost',
      message: expect.stringMatching(
        /^refusing to remove manager n2: .*1 reachable manager of 2 would remain/,
      ),
    });
    expect(t.swarm.calls).toEqual([]);
    expect(t.swarm.nodes.get('N-n2')?.role).toBe('manager');
  });

  it('deletionPolicy Orphan: the key leaves, the node stays', async () => {
    const t = setup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', deletionPolicy: 'Orphan' }));
    t.swarm.calls.length = 0;
    expect(await t.remove('SwarmNode/default/n2')).toEqual({ done: true });
    expect(t.swarm.calls).toEqual([]);
    expect(t.swarm.nodes.has('N-n2')).toBe(true);
  });

  it('a key never reconciled is removed at once', async () => {
    const t = setup();
    expect(await t.remove('SwarmNode/default/ghost')).toEqual({ done: true });
  });

  it('waits (requeue, no error) while another reconcile changes the managers', async () => {
    const t = setup({ lockBusy: true });
    t.swarm.daemon('/n2.sock', 'n2');
    const out = await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', role: 'manager' }));
    expect(out.error).toBeUndefined();
    expect(out.requeueAfterMs).toBe(2000);
    expect(cond(out.status, 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'WaitingForManagerChange',
    });
    expect(t.swarm.calls).toEqual([]);
  });

  it('a converged manager keeps its Ready status while another reconcile holds the lock', async () => {
    const t = setup();
    t.swarm.daemon('/n2.sock', 'n2');
    const res = t.resource('n2', { address: 'unix:///n2.sock', role: 'manager' });
    const first = await t.reconcile(res);
    t.state.lockBusy = true;
    const out = await t.reconcile(res);
    expect(out.requeueAfterMs).toBe(2000);
    expect(out.status).toEqual(first.status);
  });

  it('a node of another swarm without force: Stalled, terminal error naming spec.force', async () => {
    const t = setup();
    const d = t.swarm.daemon('/n2.sock', 'n2');
    d.state = 'active';
    d.nodeId = 'X9';
    const out = await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock' }));
    expect(out.error).toMatchObject({ code: 'SK_ERR_NODE_SWARM_STATE', policy: 'terminal' });
    expect(cond(out.status, 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'InOtherSwarm',
      message: expect.stringContaining('spec.force'),
    });
  });

  it.each([
    [
      'plain tcp without TLS',
      { address: 'tcp://10.0.0.5:2375' },
      'SK_ERR_CONNECTION_CONFIG',
      /spec\.address tcp:\/\/10\.0\.0\.5:2375 is plain TCP/,
    ],
    [
      'a bad spec',
      { address: 'nope' },
      'SK_ERR_RESOURCE_INVALID',
      /SwarmNode\/default\/n2: spec\.address: must be a Docker API URL/,
    ],
  ])('%s: Stalled with a terminal error naming the field', async (_n, spec, code, message) => {
    const t = setup();
    const out = await t.reconcile(t.resource('n2', spec));
    expect(out.error).toMatchObject({ code, policy: 'terminal' });
    expect(out.status).toMatchObject({ phase: 'Stalled' });
    expect(cond(out.status, 'Stalled')?.message).toMatch(message);
  });

  it('an unreachable daemon: Failed, transient, retried', async () => {
    const t = setup();
    const out = await t.reconcile(t.resource('n2', { address: 'unix:///nowhere.sock' }));
    expect(out.error).toMatchObject({ code: 'SK_ERR_DOCKER_API', policy: 'transient' });
    expect(out.status).toMatchObject({ phase: 'Failed' });
    expect(cond(out.status, 'Ready')).toMatchObject({ status: 'False', reason: 'Unreachable' });
    expect(cond(out.status, 'Reconciling')).toMatchObject({ status: 'True' });
  });

  describe('driftPolicy', () => {
    const spec = {
      address: 'unix:///n2.sock',
      role: 'worker',
      availability: 'active',
      labels: { zone: 'a' },
    };
    /** Joins n2, then changes it out of band: paused, and its zone label edited. */
    async function drifted(t: ReturnType<typeof setup>, extra: Record<string, unknown>) {
      t.swarm.daemon('/n2.sock', 'n2');
      const first = await t.reconcile(t.resource('n2', { ...spec, ...extra }));
      expect(first.status.desiredHash).toMatch(/^[0-9a-f]{32}$/);
      const node = t.swarm.nodes.get('N-n2')!;
      node.availability = 'pause';
      node.labels = { ...node.labels, zone: 'b' };
      return first;
    }

    it('detect: an out-of-band change is reported as Drifted, named by field, and left alone', async () => {
      const t = setup();
      const first = await drifted(t, { driftPolicy: 'detect' });
      expect(cond(first.status, 'Drifted')).toMatchObject({ status: 'False', reason: 'InSync' });
      const updates = t.swarm.calls.filter((c) => c.startsWith('update:')).length;
      const out = await t.reconcile(t.resource('n2', { ...spec, driftPolicy: 'detect' }));
      expect(out.error).toBeUndefined();
      expect(cond(out.status, 'Drifted')).toMatchObject({
        status: 'True',
        reason: 'DriftDetected',
        message: 'out-of-band changes: Spec.Availability, Spec.Labels.zone',
      });
      expect(cond(out.status, 'Ready')).toMatchObject({ status: 'True' });
      expect(out.status).toMatchObject({ phase: 'Ready', availability: 'pause' });
      expect(t.swarm.calls.filter((c) => c.startsWith('update:')).length).toBe(updates);
      expect(t.swarm.nodes.get('N-n2')).toMatchObject({ availability: 'pause', labels: { zone: 'b' } });
      expect(
        t.logs.filter((l) => l.msg === 'drift detected (driftPolicy detect: not corrected)'),
      ).toHaveLength(1);
      // reported once at info; the next resync finds the same drift quietly
      await t.reconcile(t.resource('n2', { ...spec, driftPolicy: 'detect' }));
      expect(
        t.logs.filter((l) => l.msg === 'drift detected (driftPolicy detect: not corrected)'),
      ).toHaveLength(1);
    });

    it('detect: a new spec is applied whole, drift included, and the node is in sync again', async () => {
      const t = setup();
      await drifted(t, { driftPolicy: 'detect' });
      await t.reconcile(t.resource('n2', { ...spec, driftPolicy: 'detect' }));
      const out = await t.reconcile(
        t.resource('n2', { ...spec, labels: { zone: 'a', disk: 'ssd' }, driftPolicy: 'detect' }),
      );
      expect(t.swarm.nodes.get('N-n2')).toMatchObject({
        availability: 'active',
        labels: { zone: 'a', disk: 'ssd' },
      });
      expect(cond(out.status, 'Drifted')).toMatchObject({ status: 'False', reason: 'InSync' });
    });

    it('correct (the default): the next reconcile puts the node back, and there is no Drifted condition', async () => {
      const t = setup();
      await drifted(t, {});
      const out = await t.reconcile(t.resource('n2', spec));
      expect(t.swarm.nodes.get('N-n2')).toMatchObject({ availability: 'active', labels: { zone: 'a' } });
      expect(cond(out.status, 'Drifted')).toBeUndefined();
    });
  });
});
