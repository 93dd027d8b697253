// SwarmPlugin kind: a live status is written for each node state that changes something on the
// node (and only for those), per kind of run.
import { describe, expect, it } from 'vitest';
import { REF1, REF2, setup } from './plugin-harness.js';

type T = ReturnType<typeof setup>;
const states = (t: T) => t.progress.map((p) => (p['nodes'] as { state: string }[])[0]!.state);

describe('SwarmPlugin kind: live progress per run', () => {
  it.each<[string, (t: T) => Promise<unknown>, string[]]>([
    ['a fresh install', async (t) => t.reconcile(), ['CheckingPrivileges', 'Pulling', 'Enabling']],
    [
      'an install with settings, left disabled',
      async (t) => t.reconcile({ enabled: false, settings: { env: ['A=1'] } }),
      ['CheckingPrivileges', 'Pulling', 'Configuring'],
    ],
    [
      'an upgrade',
      async (t) => {
        await t.reconcile();
        t.progress.length = 0;
        return t.reconcile({ remote: REF2 });
      },
      ['CheckingPrivileges', 'Disabling', 'Upgrading', 'Enabling'],
    ],
    [
      'a disable',
      async (t) => {
        await t.reconcile();
        t.progress.length = 0;
        return t.reconcile({ enabled: false });
      },
      ['Disabling'],
    ],
    [
      'an upgrade that fails and is rolled back',
      async (t) => {
        await t.reconcile();
        t.progress.length = 0;
        t.swarm.faults.set('POST /plugins/swlvol/upgrade', {
          status: 0,
          message: 'manifest unknown',
          times: 1,
        });
        return t.reconcile({ remote: REF2 });
      },
      ['CheckingPrivileges', 'Disabling', 'Upgrading', 'RollingBack'],
    ],
  ])('%s', async (_, run, want) => {
    const t = setup();
    t.swarm.node('n1');
    await run(t);
    expect(states(t).filter((s, i, a) => s !== a[i - 1])).toEqual(want);
  });

  it('a rolled-back upgrade: back on the old reference, enabled; Stalled with the terminal error', async () => {
    const t = setup();
    t.swarm.node('n1');
    await t.reconcile();
    t.swarm.faults.set('POST /plugins/swlvol/upgrade', { status: 0, message: 'manifest unknown', times: 1 });
    const out = await t.reconcile({ remote: REF2 }, 2);
    expect(t.swarm.nodes.get('N-n1')!.plugins.get('swlvol')).toMatchObject({
      PluginReference: REF1,
      Enabled: true,
    });
    expect(out.status).toMatchObject({ phase: 'Failed', observedGeneration: 2 });
    expect(out.status['nodes']).toEqual([expect.objectContaining({ state: 'RolledBack' })]);
    expect(out.error).toMatchObject({ code: 'SK_ERR_UPGRADE_ROLLED_BACK', policy: 'terminal' });
    expect(out.requeueAfterMs).toBeUndefined();
  });
});
