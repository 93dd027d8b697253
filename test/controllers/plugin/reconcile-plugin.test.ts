// reconcilePlugin over the fake swarm: per-node machines (beforeNode / afterNode hooks, deadline,
// concurrency), the per-node states and their transition times, and live progress.
import { describe, expect, it } from 'vitest';
import type { PluginFleetStatus } from '../../../machines/plugin-fleet.js';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import {
  pluginMachineKey,
  reconcilePlugin,
  type PluginReconcileDeps,
} from '../../../controllers/plugin/reconcile-plugin.js';
import type { SwarmPlugin } from '../../../reconciler/api/resource.js';
import { FakePluginSwarm } from './fake-plugin-swarm.js';
import { NETWORK_NONE, POLICY, REF1 } from './plugin-harness.js';

const resource = (spec: Partial<SwarmPlugin['spec']> = {}): SwarmPlugin =>
  ({
    apiVersion: 'swarmkeeper.io/v1alpha1',
    kind: 'SwarmPlugin',
    metadata: { name: 'swlvol', namespace: 'ns' },
    spec: {
      remote: REF1,
      alias: 'swlvol',
      allowedPrivileges: [{ name: 'network', value: ['none'] }],
      enabled: true,
      adopt: false,
      ...spec,
    },
  }) as SwarmPlugin;

function setup(nodes = ['n1', 'n2']) {
  const swarm = new FakePluginSwarm();
  swarm.registry.set(REF1, NETWORK_NONE);
  for (const n of nodes) swarm.node(n);
  const store = new MemorySnapshotStore();
  const updates: PluginFleetStatus[] = [];
  let tick = 0;
  const deps = (over: Partial<PluginReconcileDeps> = {}): PluginReconcileDeps => ({
    manager: swarm.manager,
    endpoints: swarm.endpoints,
    store,
    policy: POLICY,
    onProgress: (s) => updates.push(s),
    now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)),
    ...over,
  });
  return { swarm, store, updates, deps };
}

describe('reconcilePlugin', () => {
  it('the machine key names the resource and the node', () => {
    expect(pluginMachineKey(resource(), 'N1')).toBe('SwarmPlugin/ns/swlvol@N1');
  });

  it('lists the nodes on the manager when not given, installs on each, reports each change once', async () => {
    const t = setup();
    const status = await reconcilePlugin(resource(), t.deps());
    expect(t.swarm.calls[0]).toBe('manager GET /nodes');
    expect(status).toMatchObject({ phase: 'Ready', progress: '2/2 nodes', readyNodes: 2, desiredNodes: 2 });
    for (let i = 1; i < t.updates.length; i++)
      expect(JSON.stringify(t.updates[i]!.nodes)).not.toBe(JSON.stringify(t.updates[i - 1]!.nodes));
    expect(t.updates.at(-1)).toEqual(status);
    const n1 = t.updates.map((u) => u.nodes[0]!.state).filter((s, i, a) => s !== a[i - 1]);
    expect(n1).toEqual(['Inspecting', 'CheckingPrivileges', 'Pulling', 'Enabling', 'Verifying', 'Installed']);
    expect(t.updates[0]!.nodes[1]).toEqual({ node: 'n2', state: 'Pending', message: 'not started' });
    expect(await t.store.keys()).toEqual([]);
  });

  it('without a clock, transition times are the wall clock', async () => {
    const t = setup(['n1']);
    const status = await reconcilePlugin(resource(), t.deps({ now: undefined }));
    expect(Date.parse(status.nodes[0]!.lastTransitionTime!)).toBeGreaterThan(Date.UTC(2026, 0, 2));
  });

  it('a node keeps its transition time while only its message changes', async () => {
    const t = setup(['n1']);
    t.swarm.faults.set('POST /plugins/pull', { status: 500, message: 'flaky', times: 1 });
    await reconcilePlugin(resource(), t.deps());
    const pulling = t.updates.map((u) => u.nodes[0]!).filter((n) => n.state === 'Pulling');
    const why = `(last error: pull ${REF1} as swlvol: flaky (HTTP 500))`;
    expect(pulling).toEqual(
      [`pulling ${REF1}`, `attempt 1 ${why}`, `attempt 2 ${why}`].map((message) => ({
        node: 'n1',
        state: 'Pulling',
        message,
        lastTransitionTime: '2026-01-01T00:00:02.000Z',
      })),
    );
    expect(new Set(pulling.map((n) => n.lastTransitionTime)).size).toBe(1);
    const states = t.updates.map((u) => u.nodes[0]!);
    for (let i = 1; i < states.length; i++)
      if (states[i]!.state !== states[i - 1]!.state)
        expect(states[i]!.lastTransitionTime).not.toBe(states[i - 1]!.lastTransitionTime);
  });

  it('beforeNode: a state to report instead of running the machine', async () => {
    const t = setup();
    const status = await reconcilePlugin(
      resource(),
      t.deps({
        beforeNode: async (n) =>
          n.hostname === 'n2' ? { state: 'Conflict', message: 'not ours' } : undefined,
      }),
    );
    expect(status.nodes.map((n) => [n.node, n.state, n.message])).toEqual([
      ['n1', 'Installed', `swlvol (${REF1}) enabled on node n1`],
      ['n2', 'Conflict', 'not ours'],
    ]);
    expect(t.swarm.writes.some((c) => c.startsWith('n2'))).toBe(false);
  });

  it.each([
    ['an Error', new Error('redis down'), 'redis down'],
    ['anything else', 'plain', 'plain'],
  ])('a hook that throws %s makes the node Failed with its message', async (_, thrown, message) => {
    const t = setup(['n1']);
    const status = await reconcilePlugin(
      resource(),
      t.deps({
        beforeNode: async () => {
          throw thrown;
        },
      }),
    );
    expect(status.nodes).toEqual([expect.objectContaining({ state: 'Failed', message })]);
  });

  it('afterNode gets the machine output of each node that ran', async () => {
    const t = setup();
    const seen: string[] = [];
    await reconcilePlugin(
      resource(),
      t.deps({ afterNode: async (n, o) => void seen.push(`${n.hostname}:${o.outcome}`) }),
    );
    expect(seen.sort()).toEqual(['n1:Installed', 'n2:Installed']);
  });

  it('a node past its deadline is Failed; its snapshot stays for the next reconcile, which resumes it', async () => {
    const t = setup(['n1']);
    t.swarm.faults.set('POST /plugins/pull', { status: -2, message: '', times: 1 });
    const status = await reconcilePlugin(resource(), t.deps({ nodeDeadlineMs: 50 }));
    expect(status.nodes).toEqual([
      expect.objectContaining({
        state: 'Failed',
        message: expect.stringContaining('(SwarmPlugin/ns/swlvol@N-n1) did not finish within 50 ms'),
      }),
    ]);
    expect(await t.store.keys()).toEqual(['SwarmPlugin/ns/swlvol@N-n1']);
    const again = await reconcilePlugin(resource(), t.deps());
    expect(again.phase).toBe('Ready');
    expect(await t.store.keys()).toEqual([]);
  });

  it('concurrency 1 works on one node at a time', async () => {
    const t = setup(['n1', 'n2', 'n3']);
    await reconcilePlugin(resource(), t.deps({ concurrency: 1, nodes: [...t.swarm.nodes.values()] }));
    const order = t.swarm.calls.filter((c) => !c.startsWith('manager')).map((c) => c.split(' ')[0]);
    expect(order.join(',')).toMatch(/^(n1,)+(n2,)+(n3,?)+$/);
    expect(t.swarm.calls).not.toContain('manager GET /nodes');
  });

  it('without concurrency, up to 4 nodes are worked on at the same time', async () => {
    const t = setup(['n1', 'n2', 'n3', 'n4', 'n5']);
    await reconcilePlugin(resource(), t.deps());
    const first = t.swarm.calls.filter((c) => c.includes('/plugins/swlvol/json')).slice(0, 5);
    expect(first.map((c) => c.split(' ')[0])).toEqual(['n1', 'n2', 'n3', 'n4', 'n1']);
  });
});
