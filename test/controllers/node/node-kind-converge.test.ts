import { describe, expect, it } from 'vitest';
import { setup, cond } from './node-kind-setup.js';

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
});
