// SwarmPlugin kind over the fake swarm: what the status keeps between reconciles (transition
// times, observedGeneration), the live progress conditions, the defaults of its delays and deadline,
// and the records kept when privileges are refused on a node that already had the plugin.
import { describe, expect, it } from 'vitest';
import { cond, NETWORK_NONE, NOW, REF1, REF2, setup } from './plugin-harness.js';

const LATER = new Date('2026-01-02T04:00:00.000Z');
const nodesOf = (s: Record<string, unknown>) =>
  s['nodes'] as { node: string; state: string; lastTransitionTime: string }[];

describe('SwarmPlugin kind: status between reconciles', () => {
  it('an unchanged node and condition keep their transition times; a changed one moves', async () => {
    const t = setup();
    t.swarm.node('n1');
    await t.reconcile();
    t.clock.now = LATER;
    const same = await t.reconcile();
    expect(nodesOf(same.status)[0]!.lastTransitionTime).toBe(NOW.toISOString());
    expect(cond(same.status, 'Ready')?.lastTransitionTime).toBe('2026-01-02T03:04:05Z');
    t.swarm.node('n2', { state: 'down' });
    const changed = await t.reconcile();
    expect(nodesOf(changed.status).map((n) => [n.node, n.lastTransitionTime])).toEqual([
      ['n1', NOW.toISOString()],
      ['n2', LATER.toISOString()],
    ]);
    expect(cond(changed.status, 'Ready')).toMatchObject({
      status: 'False',
      lastTransitionTime: '2026-01-02T04:00:00Z',
    });
  });

  it('logs a status change only when phase or progress changed', async () => {
    const t = setup();
    t.swarm.node('n1');
    await t.reconcile();
    await t.reconcile();
    t.swarm.node('n2');
    await t.reconcile(); // Ready 1/1 -> Ready 2/2: same phase, other progress
    expect(t.logs.filter((l) => l.msg === 'plugin status changed').map((l) => l['progress'])).toEqual([
      '1/1 nodes',
      '2/2 nodes',
    ]);
  });

  it('without a generation, no observedGeneration', async () => {
    const t = setup();
    t.swarm.node('n1');
    const out = await t.reconcile({}, null);
    expect(out.status).toMatchObject({ phase: 'Ready' });
    expect('observedGeneration' in out.status).toBe(false);
  });

  it('progress: Ready False on a first run, every other node state shown, conditions sorted', async () => {
    const t = setup();
    t.swarm.node('n1');
    t.swarm.node('n2');
    await t.reconcile();
    expect(nodesOf(t.progress[0]!).map((n) => n.state)).toEqual(['CheckingPrivileges', 'Inspecting']);
    for (const p of t.progress) {
      expect(p.conditions.map((c) => c.type)).toEqual(['Ready', 'Reconciling', 'Stalled']);
      expect(cond(p, 'Ready')).toMatchObject({ status: 'False', reason: 'Installing' });
      expect(cond(p, 'Reconciling')?.message).toMatch(/^installing on 2 node\(s\)$/);
      expect(cond(p, 'Stalled')?.status).toBe('False');
      expect(p.observedGeneration).toBeUndefined();
    }
  });
});

describe('SwarmPlugin kind: defaults', () => {
  it('unreachable nodes are looked at again after 15 s, blocked uninstalls after 5 s, by the wall clock', async () => {
    const t = setup({ retryMs: undefined, blockedRetryMs: undefined, now: undefined });
    t.swarm.node('n1', { labels: { zone: 'a' } });
    const n2 = t.swarm.node('n2', { labels: { zone: 'b' } });
    await t.reconcile();
    n2.volumes.push({ Name: 'data', Driver: 'swlvol' });
    const blocked = await t.reconcile({ nodeSelector: { zone: 'a' } });
    expect(blocked.requeueAfterMs).toBe(5_000);
    expect(nodesOf(blocked.status)[0]!.lastTransitionTime).not.toBe(NOW.toISOString());
    expect(Date.parse(nodesOf(blocked.status)[0]!.lastTransitionTime)).toBeGreaterThan(NOW.getTime());
    t.swarm.node('n3', { state: 'down' });
    expect((await t.reconcile()).requeueAfterMs).toBe(15_000);
    expect((await t.remove()).requeueAfterMs).toBe(5_000);
  });

  it('nodeDeadlineMs: a node that does not finish in time is Failed', async () => {
    const t = setup({ nodeDeadlineMs: 30 });
    t.swarm.node('n1');
    t.swarm.faults.set('POST /plugins/pull', { status: -2, message: '', times: 1 });
    const out = await t.reconcile();
    expect(nodesOf(out.status)[0]).toMatchObject({ state: 'Failed' });
    expect(out.error?.message).toContain('did not finish within 30 ms');
  });
});

describe('SwarmPlugin kind: refused on a node that already had the plugin', () => {
  it('an upgrade refused keeps the record of the installed plugin', async () => {
    const t = setup();
    t.swarm.node('n1');
    await t.reconcile();
    t.swarm.registry.set(REF2, [{ Name: 'network', Description: '', Value: ['host'] }]);
    const out = await t.reconcile({ remote: REF2 });
    expect(out.status).toMatchObject({ phase: 'Refused' });
    expect(await t.owned()).toEqual(['n1/swlvol']);
    expect(t.swarm.nodes.get('N-n1')!.plugins.get('swlvol')!.PluginReference).toBe(REF1);
  });

  it('an adopted plugin refused keeps its adopted record', async () => {
    const t = setup();
    t.swarm.plugin(t.swarm.node('n1'), 'swlvol', REF2);
    t.swarm.registry.set(REF1, [...NETWORK_NONE, { Name: 'mount', Description: '', Value: ['/'] }]);
    const out = await t.reconcile({ adopt: true });
    expect(out.status).toMatchObject({ phase: 'Refused' });
    expect(await t.owned()).toEqual(['n1/swlvol adopted']);
  });

  it('remove with volumes on one node and another unreachable: InUse, both named', async () => {
    const t = setup();
    t.swarm.node('n1').volumes.push({ Name: 'data', Driver: 'swlvol' });
    const n2 = t.swarm.node('n2');
    await t.reconcile();
    n2.unreachable = true;
    const out = await t.remove();
    expect(cond(out.status, 'Ready')).toMatchObject({
      reason: 'InUse',
      message:
        'not removed yet: plugin swlvol is still used by volume(s) data on node(s) n1; node n2 is unreachable (n2: fake)',
    });
    expect(await t.owned()).toEqual(['n1/swlvol', 'n2/swlvol']);
  });
});
