// The SwarmNode kind reconciler's suspend, records and removal paths over the in-memory swarm: what is
// kept for a removal, what a removal needs (node ID, lock), what it cleans up, and its statuses.
import { describe, expect, it } from 'vitest';
import { cond, kindSetup } from './node-kind-harness.js';

const KEY = 'SwarmNode/default/n2';

describe('suspend', () => {
  it('a suspended new node is Pending, not Ready, and nothing is asked of the swarm', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    const out = await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', suspend: true }, 4));
    expect(out.status.phase).toBe('Pending');
    expect(out.error).toBeUndefined();
    expect(cond(out.status, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Suspended',
      message: 'spec.suspend is true: nothing is changed',
      observedGeneration: 4,
    });
    expect(t.swarm.calls).toEqual([]);
    expect(t.records.data.size).toBe(0);
  });

  it('a Ready node suspended keeps its phase and Ready condition', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock' }));
    const calls = t.swarm.calls.length;
    const out = await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', suspend: true }, 2));
    expect(out.status.phase).toBe('Ready');
    expect(cond(out.status, 'Ready')).toMatchObject({ status: 'True', reason: 'Suspended' });
    expect(t.swarm.calls).toHaveLength(calls);
  });
});

describe('records', () => {
  it('keeps what a removal needs: address, TLS secret name, force, policy, node ID and hostname', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(
      t.resource('n2', { address: 'unix:///n2.sock', force: true, deletionPolicy: 'Orphan' }),
    );
    expect(t.records.data.get(KEY)).toEqual({
      namespace: 'default',
      address: 'unix:///n2.sock',
      force: true,
      deletionPolicy: 'Orphan',
      nodeId: 'N-n2',
      hostname: 'n2',
    });
    // a later reconcile that fails before joining keeps the node ID and hostname
    t.swarm.daemons.get('/n2.sock')!.unreachable = true;
    await t.reconcile(
      t.resource('n2', { address: 'unix:///n2.sock', force: false, deletionPolicy: 'Delete' }),
    );
    expect(t.records.data.get(KEY)).toMatchObject({
      force: false,
      deletionPolicy: 'Delete',
      nodeId: 'N-n2',
      hostname: 'n2',
    });
  });

  it('a node the swarm reports is watched until removed', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock' }));
    expect(t.r.wantsEvent!({ type: 'node', id: 'N-n2' } as never)).toBe(true);
    expect(t.r.wantsEvent!({ type: 'node', id: 'other' } as never)).toBe(false);
    expect(t.r.wantsEvent!({ type: 'service', id: 'N-n2' } as never)).toBe(false);
    await t.remove(KEY);
    expect(t.r.wantsEvent!({ type: 'node', id: 'N-n2' } as never)).toBe(false);
  });
});

describe('TLS', () => {
  it('a TLS node keeps the Secret name (never its content) even when the Secret cannot be read', async () => {
    const t = kindSetup();
    const spec = { address: 'tcp://10.0.0.5:2376', tls: { secretRef: { name: 'n2-tls' } } };
    const out = await t.reconcile(t.resource('n2', spec));
    expect(out.error).toBeDefined();
    expect(out.status.phase).toMatch(/Stalled|Failed/);
    expect(t.records.data.get(KEY)).toEqual({
      namespace: 'default',
      address: 'tcp://10.0.0.5:2376',
      tls: { secretRef: { name: 'n2-tls' } },
      force: false,
      deletionPolicy: 'Delete',
    });
  });

  it('its removal cannot connect without the Secret: not done, the error kept, the record kept', async () => {
    const t = kindSetup();
    await t.records.put(KEY, {
      namespace: 'default',
      address: 'tcp://10.0.0.5:2376',
      tls: { secretRef: { name: 'n2-tls' } },
      force: false,
      deletionPolicy: 'Delete',
      nodeId: 'N-n2',
    });
    const out = await t.remove(KEY);
    expect(out.done).toBe(false);
    expect(out.error?.message).toMatch(/n2-tls/);
    expect(out.status?.phase).toMatch(/Stalled|Failed/);
    expect(t.records.data.has(KEY)).toBe(true);
    expect(t.state.lockTaken).toBe(0);
  });
});

describe('remove', () => {
  it('a worker: left, removed from the swarm, its record and snapshots dropped, lock released', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock' }));
    await t.store.save(`${KEY}@drain`, {
      machine: 'nodeDrain',
      inputHash: 'h',
      snapshot: {},
      savedAt: 'x',
    } as never);
    const out = await t.remove(KEY);
    expect(out).toEqual({ done: true });
    expect(t.swarm.nodes.has('N-n2')).toBe(false);
    expect(t.records.data.has(KEY)).toBe(false);
    expect(await t.store.load(`${KEY}@join`)).toBeUndefined();
    expect(await t.store.load(`${KEY}@drain`)).toBeUndefined();
    expect(t.state.lockTaken).toBe(t.state.lockReleased);
    expect(t.logs.filter((l) => l.startsWith('info ')).at(-1)).toMatch(/^info .*n2/);
  });

  it('Orphan: the node stays, the record goes, and the log says so', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', deletionPolicy: 'Orphan' }));
    expect(await t.remove(KEY)).toEqual({ done: true });
    expect(t.swarm.nodes.has('N-n2')).toBe(true);
    expect(t.records.data.has(KEY)).toBe(false);
    expect(t.logs).toContain(
      'info SwarmNode removed with deletionPolicy Orphan: the node stays in the swarm',
    );
  });

  it('a node that never joined is done at once and its record dropped', async () => {
    const t = kindSetup();
    await t.records.put(KEY, {
      namespace: 'default',
      address: 'unix:///n2.sock',
      force: false,
      deletionPolicy: 'Delete',
    });
    expect(await t.remove(KEY)).toEqual({ done: true });
    expect(t.records.data.has(KEY)).toBe(false);
    expect(t.state.lockTaken).toBe(0);
  });

  it('the node ID of the last status is used when the record has none', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock' }));
    await t.records.put(KEY, {
      namespace: 'default',
      address: 'unix:///n2.sock',
      force: false,
      deletionPolicy: 'Delete',
    });
    expect(await t.remove(KEY)).toEqual({ done: true });
    expect(t.swarm.nodes.has('N-n2')).toBe(false);
  });

  it('with the resource still given: its spec is used', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    const res = t.resource('n2', { address: 'unix:///n2.sock' });
    await t.reconcile(res);
    expect(await t.remove(KEY, res)).toEqual({ done: true });
    expect(t.swarm.nodes.has('N-n2')).toBe(false);
  });

  it('with an invalid resource: not done, Stalled with the spec error', async () => {
    const t = kindSetup();
    const out = await t.remove(KEY, t.resource('n2', { address: 'nope' }));
    expect(out.done).toBe(false);
    expect(out.error).toMatchObject({ reason: 'InvalidSpec', policy: 'terminal' });
    expect(out.status?.phase).toBe('Stalled');
  });

  it('waits (requeue, not done, no error) while another reconcile changes the managers', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock' }));
    t.state.lockBusy = true;
    const out = await t.remove(KEY);
    expect(out).toMatchObject({ done: false, requeueAfterMs: 1234 });
    expect(out.error).toBeUndefined();
    expect(out.status?.phase).toBe('Removing');
    expect(cond(out.status, 'Ready')).toMatchObject({ reason: 'WaitingForManagerChange' });
    expect(t.swarm.nodes.has('N-n2')).toBe(true);
  });

  it('an unreachable daemon: not done, Failed, and the record kept for the retry', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock' }));
    t.swarm.daemons.get('/n2.sock')!.unreachable = true;
    const out = await t.remove(KEY);
    expect(out.done).toBe(false);
    expect(out.error).toBeDefined();
    expect(out.status?.phase).toMatch(/Failed|Stalled/);
    expect(t.records.data.has(KEY)).toBe(true);
    expect(t.state.lockTaken).toBe(t.state.lockReleased);
  });
});
