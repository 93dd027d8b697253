// SwarmPlugin/SwarmVolume kinds: verdicts and status helpers (pure, table-driven), endpoints from
// SwarmNode resources, and the per-node volume steps against a fake Engine (see fake-volume-engine.ts).
import type Docker from 'dockerode';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  groupNodeMessages,
  isNodeEvent,
  keepTransitionTimes,
  kindConditions,
} from '../../../controllers/machine-runner/kind-status.js';
import { MemoryNodeOwnership } from '../../../controllers/machine-runner/node-ownership.js';
import { staticNodeEndpoints } from '../../../controllers/machine-runner/node-endpoints.js';
import { pluginVerdict } from '../../../controllers/plugin/plugin-kind.js';
import { uninstallMessage } from '../../../controllers/plugin/plugin-uninstall.js';
import { ResourceNodeEndpoints } from '../../../controllers/machine-runner/resource-node-endpoints.js';
import { volumeFleet, volumeWantsEvent } from '../../../controllers/volume/volume-kind.js';
import { ensureVolumeOnNode, removeOwnedVolume } from '../../../controllers/volume/volume-node.js';
import type { PluginFleetStatus } from '../../../machines/plugin-fleet.js';
import { desiredVolume, sensitiveValues } from '../../../reconciler/desired/volume.js';
import { Sensitive } from '../../../reconciler/model/sensitive.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { FakeVolumeEngine } from './fake-volume-engine.js';

const KEY = 'SwarmPlugin/default/swlvol';
const fleet = (phase: PluginFleetStatus['phase'], states: string[], message = 'm'): PluginFleetStatus => ({
  phase,
  progress: `${states.filter((s) => s === 'Installed').length}/${states.length} nodes`,
  message,
  nodes: states.map((state, i) => ({ node: `n${i + 1}`, state })),
  readyNodes: states.filter((s) => s === 'Installed').length,
  desiredNodes: states.length,
});

describe('pluginVerdict', () => {
  it.each([
    ['all installed', fleet('Ready', ['Installed', 'Installed']), true, 'Installed', undefined, false, false],
    ['no node selected', fleet('Ready', []), true, 'Installed', undefined, false, false],
    [
      'refused',
      fleet('Refused', ['Refused', 'Refused']),
      false,
      'PrivilegesRefused',
      'SK_ERR_PRIVILEGES_REFUSED',
      true,
      false,
    ],
    [
      'not owned',
      fleet('Failed', ['Installed', 'Conflict']),
      false,
      'OwnershipConflict',
      'SK_ERR_OWNERSHIP_CONFLICT',
      true,
      false,
    ],
    [
      'rolled back',
      fleet('Failed', ['RolledBack', 'Installed']),
      false,
      'RolledBack',
      'SK_ERR_UPGRADE_ROLLED_BACK',
      true,
      false,
    ],
    [
      'a step failed',
      fleet('Failed', ['Failed', 'Unreachable']),
      false,
      'InstallFailed',
      'SK_ERR_DOCKER_API',
      false,
      false,
    ],
    [
      'unreachable',
      fleet('Failed', ['Installed', 'Unreachable']),
      false,
      'NodeUnreachable',
      undefined,
      false,
      true,
    ],
  ])('%s', (_, f, ready, reason, code, stalled, retry) => {
    const v = pluginVerdict(KEY, f);
    expect(v.verdict.ready).toBe(ready);
    expect(v.verdict.reason).toBe(reason);
    expect(v.error?.code).toBe(code);
    expect(v.verdict.stalled === true).toBe(stalled);
    expect(v.retry === true).toBe(retry);
    if (v.error) expect(v.error.message).toBe(`${KEY}: m`);
  });
});

describe('volumeFleet', () => {
  const n = (node: string, state: string, message = `volume v on node ${node} x`) => ({
    node,
    state,
    message,
  });
  it.each([
    [
      'ready everywhere',
      [n('a', 'Ready'), n('b', 'Ready')],
      'Ready',
      '2/2 nodes',
      'VolumeReady',
      undefined,
      'volume v on 2/2 nodes',
    ],
    [
      'no node selected',
      [],
      'Ready',
      '0/0 nodes',
      'VolumeReady',
      undefined,
      'no node matches the nodeSelector',
    ],
    [
      'conflict',
      [n('a', 'Ready'), n('b', 'Conflict')],
      'Blocked',
      '1/2 nodes',
      'OwnershipConflict',
      'SK_ERR_OWNERSHIP_CONFLICT',
      'volume v on node b x',
    ],
    [
      'recreate blocked, grouped',
      [n('a', 'RecreateBlocked'), n('b', 'RecreateBlocked')],
      'Blocked',
      '0/2 nodes',
      'RecreateBlocked',
      'SK_ERR_RECREATE_BLOCKED',
      'volume v on node(s) a, b x',
    ],
    [
      'failed',
      [n('a', 'Failed'), n('b', 'InUse')],
      'Failed',
      '0/2 nodes',
      'VolumeFailed',
      'SK_ERR_DOCKER_API',
      'volume v on node(s) a, b x',
    ],
    [
      'in use',
      [n('a', 'InUse'), n('b', 'Ready')],
      'Blocked',
      '1/2 nodes',
      'InUse',
      undefined,
      'volume v on node a x',
    ],
    [
      'driver not enabled yet',
      [n('a', 'WaitingForDriver'), n('b', 'Unreachable', 'node b is down')],
      'Pending',
      '0/2 nodes',
      'WaitingForDriver',
      undefined,
      'volume v on node a x; node b is down',
    ],
    [
      'unreachable',
      [n('a', 'Unreachable', 'node a is down')],
      'Pending',
      '0/1 nodes',
      'NodeUnreachable',
      undefined,
      'node a is down',
    ],
  ])('%s', (_, nodes, phase, progress, reason, code, message) => {
    const f = volumeFleet('SwarmVolume/default/v', 'v', nodes);
    expect([f.phase, f.progress, f.verdict.reason, f.error?.code, f.verdict.message]).toEqual([
      phase,
      progress,
      reason,
      code,
      message,
    ]);
    expect(f.verdict.ready).toBe(phase === 'Ready');
  });
});

describe('status helpers', () => {
  it('groups messages that differ only in the node', () => {
    expect(
      groupNodeMessages([
        { node: 'n1', message: 'plugin p on node n1 failed' },
        { node: 'n2', message: 'plugin p on node n2 failed' },
        { node: 'n3', message: 'timeout' },
      ]),
    ).toBe('plugin p on node(s) n1, n2 failed; node n3: timeout');
  });

  it('keeps lastTransitionTime while the state does not change', () => {
    const prev = [
      { node: 'a', state: 'Installed', lastTransitionTime: 'T0' },
      { node: 'b', state: 'Pulling', lastTransitionTime: 'T0' },
    ];
    const next = [
      { node: 'a', state: 'Installed', lastTransitionTime: 'T1' },
      { node: 'b', state: 'Installed', lastTransitionTime: 'T1' },
      { node: 'c', state: 'Installed', lastTransitionTime: 'T1' },
    ];
    expect(keepTransitionTimes(prev, next).map((n) => n.lastTransitionTime)).toEqual(['T0', 'T1', 'T1']);
  });

  it('sets Ready, Reconciling and Stalled from a verdict', () => {
    const c = kindConditions(
      undefined,
      { ready: false, reason: 'RolledBack', message: 'm', stalled: true },
      new Date(0),
      3,
    );
    expect(c.map((x) => [x.type, x.status, x.reason, x.observedGeneration])).toEqual([
      ['Ready', 'False', 'RolledBack', 3],
      ['Reconciling', 'False', 'Idle', 3],
      ['Stalled', 'True', 'RolledBack', 3],
    ]);
  });

  it.each([
    [{ type: 'node', action: 'create' }, true, true],
    [{ type: 'node', action: 'update' }, true, true],
    [{ type: 'node', action: 'remove' }, false, false],
    [{ type: 'volume', action: 'destroy' }, false, true],
    [{ type: 'service', action: 'update' }, false, false],
  ])('event %j: plugin %s, volume %s', (e, plugin, volume) => {
    const ev = { ...e, id: 'x', attributes: {} };
    expect(isNodeEvent(ev)).toBe(plugin);
    expect(volumeWantsEvent(ev)).toBe(volume);
  });

  it('names the volumes that keep a plugin, per group of nodes', () => {
    expect(
      uninstallMessage([
        { node: 'n2', plugin: 'p', volumes: ['data'], message: '' },
        { node: 'n1', plugin: 'p', volumes: ['data'], message: '' },
        { node: 'n3', plugin: 'p', message: 'node n3 is unreachable (n3: no endpoint)' },
      ]),
    ).toBe(
      'plugin p is still used by volume(s) data on node(s) n1, n2; node n3 is unreachable (n3: no endpoint)',
    );
  });
});

describe('ResourceNodeEndpoints', () => {
  const swarmNode = (name: string, address: string): DesiredResource => ({
    key: `SwarmNode/default/${name}`,
    kind: 'SwarmNode',
    namespace: 'default',
    name,
    spec: { address },
    origin: { file: `${name}.yaml` },
    baseDir: '.',
  });
  const fakeDocker = (address: string) => ({ address }) as unknown as Docker;
  const setup = (answers: Record<string, { nodeId?: string; hostname?: string } | Error>) => {
    let t = 0;
    const asked: string[] = [];
    const r = new ResourceNodeEndpoints({
      secrets: { get: () => Promise.reject(new Error('no secrets')) },
      staticEndpoints: staticNodeEndpoints({ 'static-host': 'unix:///static.sock' }),
      connect: async (_k, _ns, spec) => fakeDocker(spec.address),
      identify: async (d) => {
        const a = (d as unknown as { address: string }).address;
        asked.push(a);
        const v = answers[a];
        if (v instanceof Error || v === undefined) throw v ?? new Error('no answer');
        return v;
      },
      retryMs: 1000,
      ttlMs: 60_000,
      now: () => t,
    });
    return { r, asked, tick: (ms: number) => (t += ms) };
  };
  const addr = (d: Docker | undefined) => (d as unknown as { address?: string } | undefined)?.address;

  it('finds a node by the ID its daemon reports, then by hostname, then the static endpoints', async () => {
    const { r } = setup({
      'tcp://a:2376': { nodeId: 'ID-A', hostname: 'host-a' },
      'tcp://b:2376': { hostname: 'host-b' },
    });
    const e = await r.resolve([swarmNode('a', 'tcp://a:2376'), swarmNode('b', 'tcp://b:2376')]);
    expect(addr(e.docker({ id: 'ID-A', hostname: 'renamed' }))).toBe('tcp://a:2376');
    expect(addr(e.docker({ id: 'ID-B', hostname: 'host-b' }))).toBe('tcp://b:2376');
    expect(e.describe({ id: 'ID-A', hostname: 'host-a' })).toBe(
      'host-a: SwarmNode SwarmNode/default/a (tcp://a:2376)',
    );
    expect(
      (e.docker({ id: 'x', hostname: 'static-host' })?.modem as { socketPath?: string }).socketPath,
    ).toBe('/static.sock');
    expect(e.docker({ id: 'x', hostname: 'nowhere' })).toBeUndefined();
    expect(e.describe({ id: 'x', hostname: 'nowhere' })).toBe(
      'nowhere: no SwarmNode resource and no --node-endpoint for it',
    );
  });

  it('asks each daemon once, again after a failure (retryMs) or a changed address, and says why it failed', async () => {
    const answers: Record<string, { nodeId?: string } | Error> = {
      'tcp://a:2376': new Error('connect ECONNREFUSED'),
    };
    const { r, asked, tick } = setup(answers);
    const log = pino({ level: 'silent' });
    let e = await r.resolve([swarmNode('a', 'tcp://a:2376')], log);
    expect(e.describe({ id: 'ID-A', hostname: 'host-a' })).toBe(
      'host-a: no SwarmNode resource and no --node-endpoint for it; unreachable: SwarmNode SwarmNode/default/a: connect ECONNREFUSED',
    );
    answers['tcp://a:2376'] = { nodeId: 'ID-A' };
    await r.resolve([swarmNode('a', 'tcp://a:2376')], log);
    expect(asked).toHaveLength(1); // within retryMs
    tick(1001);
    e = await r.resolve([swarmNode('a', 'tcp://a:2376')], log);
    expect(addr(e.docker({ id: 'ID-A', hostname: 'h' }))).toBe('tcp://a:2376');
    tick(5000);
    await r.resolve([swarmNode('a', 'tcp://a:2376')], log);
    expect(asked).toHaveLength(2); // cached within ttlMs
    answers['tcp://a2:2376'] = { nodeId: 'ID-A' };
    e = await r.resolve([swarmNode('a', 'tcp://a2:2376')], log);
    expect(addr(e.docker({ id: 'ID-A', hostname: 'h' }))).toBe('tcp://a2:2376');
    e = await r.resolve([], log);
    expect(e.docker({ id: 'ID-A', hostname: 'h' })).toBeUndefined();
  });
});

describe('volume steps on a node', () => {
  const owner = { kind: 'SwarmVolume', namespace: 'default', name: 'data' };
  const KEYV = 'SwarmVolume/default/data';
  const OWNED = { 'swarmkeeper.io/owner': KEYV, 'swarmkeeper.io/instance': 'i1' };
  const node = { id: 'N1', hostname: 'n1', role: 'worker' as const, labels: {}, state: 'ready' };
  const desired = desiredVolume(
    owner,
    { driver: 'swlvol', driverOpts: { size: '1' }, labels: { app: 'x' } },
    'i1',
    () => undefined,
  );
  const run = async (
    engine: FakeVolumeEngine,
    opts: {
      adopt?: boolean;
      recreatePolicy?: 'Never' | 'Always';
      d?: typeof desired;
      store?: MemoryNodeOwnership;
    } = {},
  ) => {
    const store = opts.store ?? new MemoryNodeOwnership();
    const d = opts.d ?? desired;
    const r = await ensureVolumeOnNode({
      key: KEYV,
      owner,
      instanceId: 'i1',
      desired: d,
      secrets: sensitiveValues(d.driverOpts),
      node,
      docker: engine.docker,
      manager: engine.docker,
      adopt: opts.adopt ?? false,
      recreatePolicy: opts.recreatePolicy ?? 'Never',
      ownership: store,
      record: (await store.list(KEYV)).find((x) => x.name === d.name),
    });
    return { r, store };
  };
  const withVolume = (
    v: Partial<{ Driver: string; Options: Record<string, string>; Labels: Record<string, string> | null }>,
  ) => {
    const e = new FakeVolumeEngine();
    e.volumes.set('data', {
      Name: 'data',
      Driver: 'swlvol:latest',
      Options: { size: '1' },
      Labels: { app: 'x', ...OWNED },
      ...v,
    });
    return e;
  };

  it('creates an absent volume, recorded before the create', async () => {
    const e = new FakeVolumeEngine();
    const { r, store } = await run(e);
    expect(r).toEqual({ state: 'Ready', message: 'created on node n1', changed: true });
    expect(e.volumes.get('data')).toEqual({
      Name: 'data',
      Driver: 'swlvol',
      Options: { size: '1' },
      Labels: { app: 'x', ...OWNED },
    });
    expect(await store.list(KEYV)).toEqual([{ nodeId: 'N1', hostname: 'n1', name: 'data' }]);
  });

  it('waits for a driver plugin that is installed but not enabled yet, creating nothing', async () => {
    const e = new FakeVolumeEngine();
    e.plugins.push({ Name: 'swlvol:latest', Enabled: false });
    const { r, store } = await run(e);
    expect(r).toEqual({
      state: 'WaitingForDriver',
      message: 'driver plugin swlvol of volume data on node n1 is installed but not enabled yet',
    });
    expect(e.volumes.size).toBe(0);
    expect(await store.list(KEYV)).toEqual([]);
    e.plugins[0]!.Enabled = true;
    expect((await run(e)).r.state).toBe('Ready');
  });

  it('leaves an owned volume as desired alone', async () => {
    const e = withVolume({});
    const { r } = await run(e);
    expect(r).toEqual({ state: 'Ready', message: 'present on node n1', changed: false });
    expect(e.calls).toEqual(['GET /volumes/data']);
  });

  it.each([
    [
      { Labels: null },
      'volume data on node n1 exists without swarmkeeper owner labels (driver swlvol:latest); set spec.adopt: true to take it over',
    ],
    [
      { Labels: { 'swarmkeeper.io/owner': 'SwarmVolume/other/data', 'swarmkeeper.io/instance': 'i1' } },
      'volume data on node n1 is owned by SwarmVolume/other/data (instance i1) (driver swlvol:latest); another resource manages it',
    ],
  ])('never touches a volume it does not own: %j', async (v, message) => {
    const e = withVolume(v);
    const before = structuredClone(e.volumes.get('data'));
    const { r } = await run(e, { recreatePolicy: 'Always' });
    expect(r).toEqual({ state: 'Conflict', message });
    expect(e.volumes.get('data')).toEqual(before);
  });

  it('adopts an unlabelled volume with spec.adopt (recorded; labels are not compared)', async () => {
    const e = withVolume({ Labels: null });
    const { r, store } = await run(e, { adopt: true });
    expect(r).toEqual({ state: 'Ready', message: 'adopted on node n1', changed: true });
    expect(await store.list(KEYV)).toEqual([{ nodeId: 'N1', hostname: 'n1', name: 'data', adopted: true }]);
    // the next reconcile knows it from the record
    expect((await run(e, { store })).r).toEqual({
      state: 'Ready',
      message: 'adopted on node n1',
      changed: false,
    });
  });

  it('blocks a needed recreation with recreatePolicy Never, naming the services that mount it', async () => {
    const e = withVolume({ Options: { size: '2' } });
    e.services.push({
      Spec: {
        Name: 'app_web',
        TaskTemplate: { ContainerSpec: { Mounts: [{ Type: 'volume', Source: 'data' }] } },
      },
    });
    const { r } = await run(e);
    expect(r).toEqual({
      state: 'RecreateBlocked',
      message:
        'volume data on node n1 differs in driverOpts.size: volumes are immutable and recreating one deletes its data; set recreatePolicy: Always to recreate it; mounted by service(s) app_web',
    });
    expect(e.volumes.get('data')?.Options).toEqual({ size: '2' });
  });

  it('with recreatePolicy Always, reports a volume in use by a container and recreates a free one', async () => {
    const e = withVolume({ Options: { size: '2' } });
    e.containers.set('data', ['app_web.1.abc']);
    expect((await run(e, { recreatePolicy: 'Always' })).r).toEqual({
      state: 'InUse',
      message:
        'volume data on node n1 differs in driverOpts.size and must be recreated, but it is in use by container(s) app_web.1.abc: a volume in use cannot be removed',
    });
    e.containers.delete('data');
    expect((await run(e, { recreatePolicy: 'Always' })).r).toEqual({
      state: 'Ready',
      message: 'recreated on node n1 (driverOpts.size)',
      changed: true,
    });
    expect(e.volumes.get('data')?.Options).toEqual({ size: '1' });
  });

  it('redacts Secret values from a driver error', async () => {
    const e = new FakeVolumeEngine();
    e.createError = 'mount failed with key BL0BS3CRET';
    const d = desiredVolume(
      owner,
      {
        preset: {
          type: 'blobfs',
          accountName: 'a',
          container: 'c',
          accountKeySecretRef: { name: 's', key: 'k' },
        },
      },
      'i1',
      () => new Sensitive('BL0BS3CRET'),
    );
    const { r } = await run(e, { d });
    expect(r).toEqual({
      state: 'Failed',
      message: 'create volume data on node n1: mount failed with key [redacted] (HTTP 500)',
    });
  });

  it.each([
    ['absent', undefined, [], { done: true }],
    ['owned, free', { Labels: OWNED }, [], { done: true }],
    [
      'not owned',
      { Labels: null },
      [],
      { done: true, message: 'volume data on node n1 is not owned by swarmkeeper: left alone' },
    ],
    [
      'owned, in use',
      { Labels: OWNED },
      ['web.1.x'],
      {
        done: false,
        inUseBy: ['web.1.x'],
        message: 'volume data on node n1 is in use by container(s) web.1.x',
      },
    ],
  ])('removal: %s', async (_, v, containers, want) => {
    const e = new FakeVolumeEngine();
    if (v) e.volumes.set('data', { Name: 'data', Driver: 'local', Options: null, ...v });
    if (containers.length > 0) e.containers.set('data', containers);
    const r = await removeOwnedVolume({
      key: KEYV,
      owner,
      instanceId: 'i1',
      record: { nodeId: 'N1', hostname: 'n1', name: 'data' },
      docker: e.docker,
      manager: e.docker,
    });
    expect(r).toEqual(want);
    expect(e.volumes.has('data')).toBe(v !== undefined && (v.Labels === null || containers.length > 0));
  });
});
