// SwarmPlugin kind, reconcile over the fake swarm: which plugin calls go to which node, what is
// recorded as swarmkeeper's, the status (phase, progress, per-node states, conditions), the live
// progress writes and the retry policy.
import { describe, expect, it } from 'vitest';
import { cond, KEY, NETWORK_NONE, NOW, REF1, REF2, setup } from './plugin-harness.js';

const PULL = (node: string) =>
  `${node} POST /plugins/pull {"remote":"${REF1}","name":"swlvol"} ${JSON.stringify(NETWORK_NONE)}`;
const ENABLE = (node: string) => `${node} POST /plugins/swlvol/enable {"timeout":0}`;

describe('SwarmPlugin kind: install', () => {
  it('pulls with the granted privileges and enables on every node, records them as ours, Ready', async () => {
    const t = setup();
    t.swarm.node('n1', { role: 'manager' });
    t.swarm.node('n2');
    const out = await t.reconcile();
    expect(t.swarm.writes.sort()).toEqual([PULL('n1'), PULL('n2'), ENABLE('n1'), ENABLE('n2')].sort());
    expect(await t.owned()).toEqual(['n1/swlvol', 'n2/swlvol']);
    expect(out.error).toBeUndefined();
    expect(out.requeueAfterMs).toBeUndefined();
    expect(out.status).toEqual({
      conditions: [
        expect.objectContaining({
          type: 'Ready',
          status: 'True',
          reason: 'Installed',
          message: 'installed on 2/2 nodes',
        }),
        expect.objectContaining({ type: 'Reconciling', status: 'False' }),
        expect.objectContaining({ type: 'Stalled', status: 'False' }),
      ],
      phase: 'Ready',
      progress: '2/2 nodes',
      nodes: ['n1', 'n2'].map((n) => ({
        node: n,
        state: 'Installed',
        message: `swlvol (${REF1}) enabled on node ${n}`,
        lastTransitionTime: NOW.toISOString(),
      })),
      readyNodes: 2,
      desiredNodes: 2,
      observedGeneration: 1,
    });
    expect(t.logs.find((l) => l.msg === 'plugin status changed')).toMatchObject({
      phase: 'Ready',
      progress: '2/2 nodes',
    });
  });

  it('writes live progress while nodes change, Ready unknown until the final status', async () => {
    const t = setup();
    t.swarm.node('n1');
    await t.reconcile();
    const states = t.progress.map((p) => (p['nodes'] as { state: string }[])[0]!.state);
    expect(states).toEqual(['CheckingPrivileges', 'Pulling', 'Enabling']);
    for (const p of t.progress) {
      expect(p).toMatchObject({ phase: 'Installing', progress: '0/1 nodes', readyNodes: 0, desiredNodes: 1 });
      expect(p.conditions.map((c) => c.type)).toEqual(['Reconciling', 'Ready', 'Stalled'].sort());
      expect(cond(p, 'Reconciling')).toMatchObject({ status: 'True', reason: 'Installing' });
    }
    expect(t.progress[1]!['nodes']).toEqual([
      { node: 'n1', state: 'Pulling', message: `pulling ${REF1}`, lastTransitionTime: NOW.toISOString() },
    ]);
    // a second run keeps Ready=True from the first while it works
    t.progress.length = 0;
    await t.reconcile({ remote: REF2 });
    expect(t.progress.length).toBeGreaterThan(0);
    for (const p of t.progress)
      expect(cond(p, 'Ready')).toMatchObject({ status: 'True', reason: 'Installed' });
    expect(t.progress.map((p) => (p['nodes'] as { state: string }[])[0]!.state)).toContain('Upgrading');
  });

  it('a second reconcile of an installed plugin changes nothing and writes no progress', async () => {
    const t = setup();
    t.swarm.node('n1');
    await t.reconcile();
    t.swarm.calls.length = 0;
    t.progress.length = 0;
    const out = await t.reconcile();
    expect(t.swarm.writes).toEqual([]);
    expect(t.progress).toEqual([]);
    expect(out.status).toMatchObject({ phase: 'Ready', progress: '1/1 nodes' });
    expect(t.logs.filter((l) => l.msg === 'plugin status changed')).toHaveLength(1);
  });

  it('upgrades an owned plugin: disable, upgrade with the privileges, enable', async () => {
    const t = setup();
    t.swarm.node('n1');
    await t.reconcile();
    t.swarm.calls.length = 0;
    const out = await t.reconcile({ remote: REF2 }, 2);
    expect(t.swarm.writes).toEqual([
      'n1 POST /plugins/swlvol/disable',
      `n1 POST /plugins/swlvol/upgrade {"remote":"${REF2}"} ${JSON.stringify(NETWORK_NONE)}`,
      ENABLE('n1'),
    ]);
    expect(t.swarm.nodes.get('N-n1')!.plugins.get('swlvol')).toMatchObject({
      PluginReference: REF2,
      Enabled: true,
    });
    expect(out.status).toMatchObject({ phase: 'Ready', observedGeneration: 2 });
  });

  it('sets the settings (names only in messages) and leaves a plugin disabled when enabled is false', async () => {
    const t = setup();
    t.swarm.node('n1');
    const out = await t.reconcile({ enabled: false, settings: { env: ['TOKEN=s3cret', 'DEBUG=1'] } });
    expect(t.swarm.writes).toEqual([PULL('n1'), 'n1 POST /plugins/swlvol/set ["TOKEN=s3cret","DEBUG=1"]']);
    expect(out.status).toMatchObject({ phase: 'Ready' });
    expect(t.swarm.nodes.get('N-n1')!.plugins.get('swlvol')!.Enabled).toBe(false);
    t.swarm.faults.set('POST /plugins/swlvol/set', { status: 500, message: 'boom' });
    const again = await t.reconcile({ enabled: false, settings: { env: ['TOKEN=0ther', 'DEBUG=1'] } });
    expect(JSON.stringify(again.status)).not.toContain('0ther');
    expect(again.error?.message).toContain('set TOKEN, DEBUG on swlvol: boom (HTTP 500)');
  });

  it.each([
    [{ zone: 'a' }, ['n1']],
    [{ zone: 'b' }, ['n2']],
    [{ zone: 'c' }, []],
  ])('nodeSelector %j installs on %j only', async (nodeSelector, want) => {
    const t = setup();
    t.swarm.node('n1', { labels: { zone: 'a' } });
    t.swarm.node('n2', { labels: { zone: 'b' } });
    const out = await t.reconcile({ nodeSelector });
    expect(t.swarm.writes.filter((c) => c.includes('/pull')).map((c) => c.split(' ')[0])).toEqual(want);
    expect(out.status).toMatchObject({ phase: 'Ready', desiredNodes: want.length, readyNodes: want.length });
    if (want.length === 0)
      expect(cond(out.status, 'Ready')?.message).toBe('no node matches the nodeSelector');
  });

  it.each([
    ['down', { state: 'down' }, 'node is down'],
    ['without an endpoint', { unreachable: true }, 'no Docker endpoint for node n2 (n2: fake)'],
  ])('a node %s is Unreachable, looked at again after retryMs', async (_, over, message) => {
    const t = setup();
    t.swarm.node('n1');
    t.swarm.node('n2', over);
    const out = await t.reconcile();
    expect(t.swarm.writes.some((c) => c.startsWith('n2'))).toBe(false);
    expect(out.status['nodes']).toContainEqual(
      expect.objectContaining({ node: 'n2', state: 'Unreachable', message }),
    );
    expect(out.error).toBeUndefined();
    expect(out.requeueAfterMs).toBe(111);
    expect(cond(out.status, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'NodeUnreachable',
      message: `n2: Unreachable (${message})`,
    });
    expect(cond(out.status, 'Reconciling')?.status).toBe('True');
    expect(out.status.observedGeneration).toBe(1);
  });

  it('refused privileges: nothing pulled, the record dropped, Stalled with the terminal error', async () => {
    const t = setup();
    t.swarm.node('n1');
    t.swarm.registry.set(REF1, [{ Name: 'network', Description: '', Value: ['host'] }]);
    const out = await t.reconcile();
    expect(t.swarm.writes).toEqual([]);
    expect(await t.owned()).toEqual([]);
    expect(out.status).toMatchObject({ phase: 'Refused', observedGeneration: 1 });
    expect(out.error).toMatchObject({ code: 'SK_ERR_PRIVILEGES_REFUSED', policy: 'terminal' });
    expect(out.error?.message).toMatch(/^SwarmPlugin\/default\/swlvol: .*network/);
    expect(cond(out.status, 'Stalled')).toMatchObject({ status: 'True', reason: 'PrivilegesRefused' });
    expect(out.requeueAfterMs).toBeUndefined();
  });

  it('a failed step is a transient DOCKER_API error with the Engine message; generation not observed', async () => {
    const t = setup();
    t.swarm.node('n1');
    t.swarm.faults.set('POST /plugins/pull', { status: 0, message: 'connection reset' });
    const out = await t.reconcile({}, 3);
    expect(out.status['nodes']).toEqual([
      expect.objectContaining({
        node: 'n1',
        state: 'Failed',
        message: expect.stringContaining('connection reset'),
      }),
    ]);
    expect(out.error).toMatchObject({ code: 'SK_ERR_DOCKER_API', policy: 'transient' });
    expect(out.error?.message).toContain(`${KEY}: n1: Failed (`);
    expect(cond(out.status, 'Ready')).toMatchObject({ status: 'False', reason: 'InstallFailed' });
    expect(cond(out.status, 'Reconciling')?.status).toBe('True');
    expect(out.status.observedGeneration).toBeUndefined();
    expect(await t.owned()).toEqual(['n1/swlvol']); // written ahead: a partial pull is still ours
  });

  it('keeps observedGeneration of the previous status while a new generation fails', async () => {
    const t = setup();
    t.swarm.node('n1');
    await t.reconcile({}, 1);
    t.swarm.faults.set('POST /plugins/swlvol/disable', { status: 500, message: 'busy' });
    const out = await t.reconcile({ remote: REF2 }, 2);
    expect(out.error?.code).toBe('SK_ERR_DOCKER_API');
    expect(out.status.observedGeneration).toBe(1);
  });

  it('cannot list the nodes: an error status, nothing changed', async () => {
    const t = setup();
    t.swarm.node('n1');
    t.swarm.listError = 'manager down';
    const out = await t.reconcile();
    expect(t.swarm.writes).toEqual([]);
    expect(out.error?.message).toContain('manager down');
    expect(cond(out.status, 'Ready')?.status).toBe('False');
  });

  it('suspended: nothing is looked at or changed', async () => {
    const t = setup();
    t.swarm.node('n1');
    const out = await t.reconcile({ suspend: true });
    expect(t.swarm.calls).toEqual([]);
    expect(cond(out.status, 'Reconciling')).toMatchObject({ reason: 'Suspended' });
  });

  it('an invalid spec is a terminal error before any call', async () => {
    const t = setup();
    t.swarm.node('n1');
    const out = await t.reconcile({ remote: '' });
    expect(t.swarm.calls).toEqual([]);
    expect(out.error?.policy).toBe('terminal');
  });
});
