// The SwarmNode kind reconciler over the in-memory swarm, with a manager-change lock that can be held
// busy and a configurable step deadline, shared by the node-kind-*.test.ts files.
import pino from 'pino';
import type { Redis } from 'ioredis';
import Docker from 'dockerode';
import { nodeKindReconciler, type ManagerChangeLock } from '../../../controllers/node/node-kind.js';
import { MemoryNodeRecords } from '../../../controllers/node/node-records.js';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import type { KindReconcileContext, KindStatus } from '../../../controllers/ports.js';
import { noSecrets } from '../../../controllers/sources/dir-secrets.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { FakeNodeSwarm } from './fake-node-swarm.js';

export const POLICY = {
  maxAttempts: 2,
  baseBackoffMs: 1,
  maxBackoffMs: 2,
  pollIntervalMs: 1,
  readyTimeoutMs: 2000,
  drainTimeoutMs: 2000,
  downTimeoutMs: 2000,
};

export function setup(opts: { lockBusy?: boolean; deadlineMs?: number } = {}) {
  const state = { lockBusy: opts.lockBusy === true };
  const swarm = new FakeNodeSwarm();
  swarm.daemon('/n1.sock', 'n1', { role: 'manager' });
  const store = new MemorySnapshotStore();
  const records = new MemoryNodeRecords();
  const lock: ManagerChangeLock = {
    tryAcquire: async () =>
      state.lockBusy
        ? undefined
        : { token: 't', lost: new AbortController().signal, release: async () => undefined },
  };
  const r = nodeKindReconciler({
    docker: new Docker({ socketPath: '/n1.sock' }),
    redis: {} as Redis,
    instanceId: 'i1',
    secrets: noSecrets,
    policy: POLICY,
    store,
    records,
    lock,
    ops: (d) => swarm.ops(d),
    ...(opts.deadlineMs ? { machineDeadlineMs: opts.deadlineMs } : {}),
  });
  const statuses = new Map<string, KindStatus>();
  const progress = new Map<string, KindStatus[]>();
  const logs: { msg: string; obj: unknown }[] = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => logs.push({ msg: JSON.parse(line).msg, obj: JSON.parse(line) }) },
  );
  const ctx = (key: string): KindReconcileContext => ({
    signal: new AbortController().signal,
    reconcileId: 'r1',
    prev: statuses.get(key),
    log,
    root: '.',
    progress: async (s) => {
      progress.set(key, [...(progress.get(key) ?? []), s]);
    },
    resources: () => [],
  });
  const resource = (name: string, spec: Record<string, unknown>): DesiredResource => ({
    key: `SwarmNode/default/${name}`,
    kind: 'SwarmNode',
    namespace: 'default',
    name,
    generation: 1,
    spec,
    origin: { file: `${name}.yaml` },
    baseDir: '.',
  });
  const reconcile = async (res: DesiredResource) => {
    const out = await r.reconcile(res, ctx(res.key));
    statuses.set(res.key, out.status);
    return out;
  };
  const remove = async (key: string) => {
    const out = await r.remove!(key, undefined, ctx(key));
    if (out.status) statuses.set(key, out.status);
    return out;
  };
  return { swarm, store, records, r, statuses, progress, logs, resource, reconcile, remove, state };
}

export const cond = (s: KindStatus | undefined, type: string) => s?.conditions.find((c) => c.type === type);
