// SwarmPlugin kind over the fake swarm: a plugin swarmkeeper did not install is never changed or
// removed (Conflict, or Installed as it is, or taken over with spec.adopt); nodes that stop being
// selected and old aliases get what swarmkeeper recorded uninstalled, unless volumes still use it.
import { describe, expect, it } from 'vitest';
import { cond, KEY, REF1, REF2, setup } from './plugin-harness.js';

describe('SwarmPlugin kind: plugins swarmkeeper does not own', () => {
  it.each([
    ['another reference', REF2, true, `(${REF2}, enabled)`],
    ['disabled', REF1, false, `(${REF1}, disabled)`],
  ])(
    '%s: a Conflict, untouched, not recorded, Stalled until spec.adopt',
    async (_, remote, enabled, what) => {
      const t = setup();
      const n1 = t.swarm.node('n1');
      t.swarm.plugin(n1, 'swlvol', remote, { Enabled: enabled });
      const out = await t.reconcile();
      expect(t.swarm.writes).toEqual([]);
      expect(await t.owned()).toEqual([]);
      const message = `plugin swlvol on node n1 was not installed by swarmkeeper ${what}; set spec.adopt: true to manage it`;
      expect(out.status['nodes']).toEqual([
        expect.objectContaining({ node: 'n1', state: 'Conflict', message }),
      ]);
      expect(out.error).toMatchObject({ code: 'SK_ERR_OWNERSHIP_CONFLICT', policy: 'terminal' });
      expect(out.error?.message).toBe(`${KEY}: n1: Conflict (${message})`);
      expect(cond(out.status, 'Stalled')).toMatchObject({ status: 'True', reason: 'OwnershipConflict' });
      expect(out.status).toMatchObject({ phase: 'Failed', observedGeneration: 1 });
    },
  );

  it('with different settings: a Conflict', async () => {
    const t = setup();
    t.swarm.plugin(t.swarm.node('n1'), 'swlvol', REF1);
    const out = await t.reconcile({ settings: { env: ['DEBUG=1'] } });
    expect(out.status['nodes']).toEqual([expect.objectContaining({ state: 'Conflict' })]);
    expect(t.swarm.writes).toEqual([]);
  });

  it('already as desired: Installed, nothing changed, not recorded, so never uninstalled', async () => {
    const t = setup();
    t.swarm.plugin(t.swarm.node('n1'), 'swlvol', REF1);
    const out = await t.reconcile();
    expect(t.swarm.writes).toEqual([]);
    expect(await t.owned()).toEqual([]);
    expect(out.status).toMatchObject({ phase: 'Ready', progress: '1/1 nodes' });
    const removed = await t.remove();
    expect(removed).toEqual({ done: true });
    expect(t.swarm.writes).toEqual([]);
    expect(t.swarm.nodes.get('N-n1')!.plugins.has('swlvol')).toBe(true);
  });

  it('spec.adopt: recorded as adopted, then changed and removed with the resource', async () => {
    const t = setup();
    t.swarm.plugin(t.swarm.node('n1'), 'swlvol', REF2);
    const out = await t.reconcile({ adopt: true });
    expect(await t.owned()).toEqual(['n1/swlvol adopted']);
    expect(t.swarm.writes).toEqual([
      'n1 POST /plugins/swlvol/disable',
      expect.stringMatching(new RegExp(`^n1 POST /plugins/swlvol/upgrade \\{"remote":"${REF1}"\\}`)),
      'n1 POST /plugins/swlvol/enable {"timeout":0}',
    ]);
    expect(out.status).toMatchObject({ phase: 'Ready' });
    t.swarm.calls.length = 0;
    expect(await t.remove()).toEqual({ done: true });
    expect(t.swarm.writes).toEqual(['n1 POST /plugins/swlvol/disable', 'n1 DELETE /plugins/swlvol']);
  });

  it('the ownership look fails: the node is Failed with the Engine message, nothing recorded', async () => {
    const t = setup();
    t.swarm.node('n1');
    t.swarm.faults.set('GET /plugins/swlvol/json', { status: 500, message: 'daemon busy', times: 1 });
    const out = await t.reconcile();
    expect(out.status['nodes']).toEqual([
      expect.objectContaining({ state: 'Failed', message: 'inspect swlvol: daemon busy (HTTP 500)' }),
    ]);
    expect(t.swarm.writes).toEqual([]);
    expect(await t.owned()).toEqual([]);
    expect(out.error?.code).toBe('SK_ERR_DOCKER_API');
  });

  it('a node recorded as ours is not looked at again for ownership', async () => {
    const t = setup();
    t.swarm.node('n1');
    await t.reconcile();
    t.swarm.calls.length = 0;
    await t.reconcile({ remote: REF2 });
    expect(await t.owned()).toEqual(['n1/swlvol']);
    expect(t.swarm.nodes.get('N-n1')!.plugins.get('swlvol')!.PluginReference).toBe(REF2);
  });
});

describe('SwarmPlugin kind: nodes no longer selected', () => {
  it('uninstalls from a node that left the nodeSelector and records an Event', async () => {
    const t = setup();
    t.swarm.node('n1', { labels: { zone: 'a' } });
    t.swarm.node('n2', { labels: { zone: 'b' } });
    await t.reconcile();
    t.swarm.calls.length = 0;
    const out = await t.reconcile({ nodeSelector: { zone: 'a' } });
    expect(t.swarm.writes).toEqual(['n2 POST /plugins/swlvol/disable', 'n2 DELETE /plugins/swlvol']);
    expect(await t.owned()).toEqual(['n1/swlvol']);
    expect(t.events).toEqual([
      {
        key: KEY,
        type: 'Normal',
        reason: 'Uninstalled',
        action: 'Reconcile',
        note: 'plugin uninstalled from node(s) no longer selected: swlvol on n2',
      },
    ]);
    expect(out.requeueAfterMs).toBeUndefined();
    expect(cond(out.status, 'Ready')).toMatchObject({ status: 'True', message: 'installed on 1/1 nodes' });
  });

  it('an alias change uninstalls the old name and installs the new one', async () => {
    const t = setup();
    t.swarm.node('n1');
    await t.reconcile();
    t.swarm.calls.length = 0;
    await t.reconcile({ alias: 'swl2' });
    expect(t.swarm.writes).toContain('n1 DELETE /plugins/swlvol');
    expect(
      t.swarm.writes.some((c) => c.startsWith('n1 POST /plugins/pull') && c.includes('"name":"swl2"')),
    ).toBe(true);
    expect(await t.owned()).toEqual(['n1/swl2']);
  });

  it('volumes still using it: kept, the message says why, looked at again after blockedRetryMs', async () => {
    const t = setup();
    t.swarm.node('n1', { labels: { zone: 'a' } });
    const n2 = t.swarm.node('n2', { labels: { zone: 'b' } });
    await t.reconcile();
    n2.volumes.push({ Name: 'data', Driver: 'swlvol:latest' }, { Name: 'other', Driver: 'local' });
    t.swarm.calls.length = 0;
    const out = await t.reconcile({ nodeSelector: { zone: 'a' } });
    expect(t.swarm.writes).toEqual([]);
    expect(await t.owned()).toEqual(['n1/swlvol', 'n2/swlvol']);
    expect(cond(out.status, 'Ready')).toMatchObject({
      status: 'True',
      message:
        'installed on 1/1 nodes; not uninstalled from nodes no longer selected: plugin swlvol is still used by volume(s) data on node(s) n2',
    });
    expect(out.requeueAfterMs).toBe(222);
    expect(t.events).toEqual([]);
  });
});
