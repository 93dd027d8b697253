// Removing a SwarmPlugin (the kind's remove over the fake swarm) and the uninstall helpers: only
// recorded plugins are disabled and removed, never while a volume uses them; unreachable nodes and
// Engine errors keep the resource with a message naming node, plugin and HTTP status.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  uninstallPlugin,
  uninstallRecorded,
  volumesUsingDriver,
} from '../../../controllers/plugin/plugin-uninstall.js';
import { MemoryNodeOwnership } from '../../../controllers/machine-runner/node-ownership.js';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import { FakePluginSwarm } from './fake-plugin-swarm.js';
import { cond, KEY, REF1, setup } from './plugin-harness.js';

const installed = async (names: string[]) => {
  const t = setup();
  for (const n of names) t.swarm.node(n);
  await t.reconcile();
  t.swarm.calls.length = 0;
  return t;
};

describe('SwarmPlugin kind: remove', () => {
  it('disables and removes where recorded, forgets records and snapshots, records an Event', async () => {
    const t = await installed(['n1', 'n2']);
    await t.store.save(`${KEY}@N-n1`, { snapshot: {}, updatedAt: 0 } as never);
    await t.store.save(`${KEY}x@N-n1`, { snapshot: {}, updatedAt: 0 } as never);
    const out = await t.remove();
    expect(out).toEqual({ done: true });
    expect(t.swarm.writes.sort()).toEqual(
      [
        'n1 POST /plugins/swlvol/disable',
        'n1 DELETE /plugins/swlvol',
        'n2 POST /plugins/swlvol/disable',
        'n2 DELETE /plugins/swlvol',
      ].sort(),
    );
    expect(await t.owned()).toEqual([]);
    expect(await t.store.keys()).toEqual([`${KEY}x@N-n1`]);
    expect(t.events).toEqual([
      {
        key: KEY,
        type: 'Normal',
        reason: 'Uninstalled',
        action: 'Delete',
        note: 'plugin uninstalled: swlvol on n1, swlvol on n2',
      },
    ]);
    expect(t.logs.find((l) => l.msg === 'plugin uninstalled')).toMatchObject({ nodes: ['n1', 'n2'] });
  });

  it('nothing recorded: done without a call, stray snapshots forgotten', async () => {
    const t = setup();
    t.swarm.plugin(t.swarm.node('n1'), 'swlvol', REF1);
    await t.store.save(`${KEY}@N-n1`, { snapshot: {}, updatedAt: 0 } as never);
    expect(await t.remove()).toEqual({ done: true });
    expect(t.swarm.calls).toEqual([]);
    expect(await t.store.keys()).toEqual([]);
    expect(t.events).toEqual([]);
  });

  it('a disabled plugin is removed without a disable; one already gone counts as removed', async () => {
    const t = await installed(['n1', 'n2']);
    t.swarm.nodes.get('N-n1')!.plugins.get('swlvol')!.Enabled = false;
    t.swarm.nodes.get('N-n2')!.plugins.delete('swlvol');
    expect(await t.remove()).toEqual({ done: true });
    expect(t.swarm.writes).toEqual(['n1 DELETE /plugins/swlvol']);
    expect(await t.owned()).toEqual([]);
  });

  it.each([
    [
      'volumes use it',
      (t: Awaited<ReturnType<typeof installed>>) =>
        t.swarm.nodes
          .get('N-n1')!
          .volumes.push({ Name: 'b', Driver: 'swlvol' }, { Name: 'a', Driver: 'swlvol:latest' }),
      'InUse',
      'not removed yet: plugin swlvol is still used by volume(s) a, b on node(s) n1',
    ],
    [
      'the node is unreachable',
      (t: Awaited<ReturnType<typeof installed>>) => (t.swarm.nodes.get('N-n1')!.unreachable = true),
      'RemoveBlocked',
      'not removed yet: node n1 is unreachable (n1: fake)',
    ],
    [
      'the Engine refuses',
      (t: Awaited<ReturnType<typeof installed>>) =>
        t.swarm.faults.set('DELETE /plugins/swlvol', { status: 500, message: 'device busy' }),
      'RemoveBlocked',
      'not removed yet: uninstall plugin swlvol on node n1: device busy (HTTP 500)',
    ],
    [
      'the volume list fails without a status',
      (t: Awaited<ReturnType<typeof installed>>) =>
        t.swarm.faults.set('GET /volumes', { status: -1, message: 'socket hang up' }),
      'RemoveBlocked',
      'not removed yet: uninstall plugin swlvol on node n1: socket hang up',
    ],
  ])('%s: not done, the record kept, retried after blockedRetryMs', async (_, arrange, reason, message) => {
    const t = await installed(['n1']);
    arrange(t);
    const out = await t.remove();
    expect(out).toMatchObject({ done: false, requeueAfterMs: 222 });
    expect(out.status).toMatchObject({ phase: 'Removing' });
    expect(cond(out.status, 'Ready')).toMatchObject({ status: 'False', reason, message });
    expect(await t.owned()).toEqual(['n1/swlvol']);
    expect(t.swarm.nodes.get('N-n1')!.plugins.has('swlvol')).toBe(true);
    expect(t.events).toEqual([]);
  });

  it('a node that left the swarm and has no endpoint: its record is dropped with a warning', async () => {
    const t = await installed(['n1', 'n2']);
    t.swarm.nodes.delete('N-n2');
    expect(await t.remove()).toEqual({ done: true });
    expect(await t.owned()).toEqual([]);
    expect(t.logs.find((l) => l.msg.includes('left the swarm'))).toMatchObject({
      node: 'n2',
      plugin: 'swlvol',
    });
    expect(t.events[0]!.note).toBe('plugin uninstalled: swlvol on n1');
  });

  it('the node list fails: an error status and the error, not done', async () => {
    const t = await installed(['n1']);
    t.swarm.listError = 'manager down';
    const out = await t.remove();
    expect(out.done).toBe(false);
    expect(out.error?.message).toContain('manager down');
    expect(cond(out.status, 'Ready')).toMatchObject({ status: 'False', reason: out.error?.reason });
    expect(await t.owned()).toEqual(['n1/swlvol']);
  });
});

describe('uninstall helpers', () => {
  const swarm = () => {
    const s = new FakePluginSwarm();
    const n = s.node('n1');
    return { s, n, docker: s.endpoints.docker(n)! };
  };

  it('volumesUsingDriver: names of the volumes of that driver (tag-insensitive), sorted', async () => {
    const { n, docker } = swarm();
    n.volumes.push(
      { Name: 'z', Driver: 'swlvol:latest' },
      { Name: 'a', Driver: 'swlvol' },
      { Name: 'm', Driver: 'local' },
    );
    expect(await volumesUsingDriver(docker, 'swlvol')).toEqual(['a', 'z']);
    expect(await volumesUsingDriver(docker, 'other')).toEqual([]);
  });

  it('uninstallPlugin: rethrows an inspect error other than 404', async () => {
    const { s, n, docker } = swarm();
    s.plugin(n, 'p', REF1);
    s.faults.set('GET /plugins/p/json', { status: 500, message: 'boom', times: 1 });
    await expect(uninstallPlugin(docker, 'p')).rejects.toMatchObject({ statusCode: 500 });
    expect(s.writes).toEqual([]);
    s.faults.set('DELETE /plugins/p', { status: 404, message: 'gone meanwhile' });
    await uninstallPlugin(docker, 'p');
    expect(s.writes).toEqual(['n1 POST /plugins/p/disable', 'n1 DELETE /plugins/p']);
  });

  it('uninstallRecorded: a node that left the swarm but still has an endpoint is uninstalled through it', async () => {
    const { s, n, docker } = swarm();
    s.plugin(n, 'p', REF1); // the daemon still answers; the manager no longer lists the node
    const asked: unknown[] = [];
    const ownership = new MemoryNodeOwnership();
    const entry = { nodeId: n.id, hostname: 'n1', name: 'p' };
    await ownership.add(KEY, entry);
    const r = await uninstallRecorded([entry], {
      key: KEY,
      nodes: [],
      endpoints: { docker: (x) => (asked.push(x), docker), describe: () => 'static' },
      ownership,
      store: new MemorySnapshotStore(),
      log: pino({ level: 'silent' }),
    });
    expect(asked).toEqual([{ id: n.id, hostname: 'n1', role: 'worker', labels: {}, state: 'gone' }]);
    expect(r).toEqual({ removed: [entry], problems: [] });
    expect(n.plugins.has('p')).toBe(false);
    expect(await ownership.list(KEY)).toEqual([]);
  });

  it('uninstallRecorded: a known node without an endpoint is a problem, never dropped', async () => {
    const { s, n } = swarm();
    n.unreachable = true;
    const ownership = new MemoryNodeOwnership();
    const entry = { nodeId: n.id, hostname: 'n1', name: 'p' };
    await ownership.add(KEY, entry);
    const r = await uninstallRecorded([entry], {
      key: KEY,
      nodes: [...s.nodes.values()],
      endpoints: s.endpoints,
      ownership,
      store: new MemorySnapshotStore(),
      log: pino({ level: 'silent' }),
    });
    expect(r).toEqual({
      removed: [],
      problems: [{ node: 'n1', plugin: 'p', message: 'node n1 is unreachable (n1: fake)' }],
    });
    expect(await ownership.list(KEY)).toEqual([entry]);
  });
});
