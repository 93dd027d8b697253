// Wiring of the SwarmPlugin kind over the fake swarm: a reconciler, contexts that keep the status
// between reconciles, the live progress writes and the Events recorded.
import pino from 'pino';
import { pluginKindReconciler, type PluginKindDeps } from '../../../controllers/plugin/plugin-kind.js';
import { MemoryNodeOwnership } from '../../../controllers/machine-runner/node-ownership.js';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import type { KindReconcileContext, KindStatus, ResourceEvent } from '../../../controllers/ports.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { FakePluginSwarm } from './fake-plugin-swarm.js';

export const KEY = 'SwarmPlugin/default/swlvol';
export const REF1 = 'reg:5000/lab/swlvol:1';
export const REF2 = 'reg:5000/lab/swlvol:2';
export const NETWORK_NONE = [{ Name: 'network', Description: 'network access', Value: ['none'] }];
export const POLICY = { maxAttempts: 2, baseBackoffMs: 1, maxBackoffMs: 2, pollIntervalMs: 1 };
export const NOW = new Date('2026-01-02T03:04:05.000Z');

export function setup(over: Partial<PluginKindDeps> = {}) {
  const clock = { now: NOW };
  const swarm = new FakePluginSwarm();
  swarm.registry.set(REF1, NETWORK_NONE);
  swarm.registry.set(REF2, NETWORK_NONE);
  const ownership = new MemoryNodeOwnership();
  const store = new MemorySnapshotStore();
  const events: ResourceEvent[] = [];
  const r = pluginKindReconciler({
    manager: swarm.manager,
    endpoints: swarm.resourceEndpoints,
    ownership,
    store,
    recorder: { record: (e) => events.push(e) },
    policy: POLICY,
    retryMs: 111,
    blockedRetryMs: 222,
    now: () => clock.now,
    ...over,
  });
  const statuses = new Map<string, KindStatus>();
  const progress: KindStatus[] = [];
  const logs: { msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const ctx = (key: string): KindReconcileContext => ({
    signal: new AbortController().signal,
    reconcileId: 'r1',
    prev: statuses.get(key),
    log,
    root: '.',
    progress: async (s) => {
      progress.push(s);
    },
    resources: () => [],
  });
  const resource = (spec: Record<string, unknown>, generation: number | null): DesiredResource => ({
    key: KEY,
    kind: 'SwarmPlugin',
    namespace: 'default',
    name: 'swlvol',
    ...(generation === null ? {} : { generation }),
    spec: {
      remote: REF1,
      alias: 'swlvol',
      allowedPrivileges: [{ name: 'network', value: ['none'] }],
      ...spec,
    },
    origin: { file: 'swlvol.yaml' },
    baseDir: '.',
  });
  const reconcile = async (spec: Record<string, unknown> = {}, generation: number | null = 1) => {
    const out = await r.reconcile(resource(spec, generation), ctx(KEY));
    statuses.set(KEY, out.status);
    return out;
  };
  const remove = async () => {
    const out = await r.remove!(KEY, undefined, ctx(KEY));
    if (out.status) statuses.set(KEY, out.status);
    return out;
  };
  const owned = async () =>
    (await ownership.list(KEY)).map((o) => `${o.hostname}/${o.name}${o.adopted ? ' adopted' : ''}`);
  return { clock, swarm, ownership, store, events, r, statuses, progress, logs, reconcile, remove, owned };
}

export const cond = (s: KindStatus | undefined, type: string) => s?.conditions.find((c) => c.type === type);
