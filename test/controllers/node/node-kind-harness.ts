// The SwarmNode kind reconciler over the in-memory swarm (fake-node-swarm.ts), with its records,
// snapshot store, lock and context exposed to the tests.
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import Docker from 'dockerode';
import { nodeKindReconciler, type ManagerChangeLock } from '../../../controllers/node/node-kind.js';
import { MemoryNodeRecords } from '../../../controllers/node/node-records.js';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import type { KindReconcileContext, KindStatus } from '../../../controllers/ports.js';
import { noSecrets } from '../../../controllers/sources/dir-secrets.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { FakeNodeSwarm } from './fake-node-swarm.js';

const POLICY = {
  maxAttempts: 2,
  baseBackoffMs: 1,
  maxBackoffMs: 2,
  pollIntervalMs: 1,
  readyTimeoutMs: 2000,
  drainTimeoutMs: 2000,
  downTimeoutMs: 2000,
};

export function kindSetup() {
  const state = { lockBusy: false, lockTaken: 0, lockReleased: 0 };
  const swarm = new FakeNodeSwarm();
  swarm.daemon('/n1.sock', 'n1', { role: 'manager' });
  const store = new MemorySnapshotStore();
  const records = new MemoryNodeRecords();
  const lock: ManagerChangeLock = {
    tryAcquire: async () => {
      if (state.lockBusy) return undefined;
      state.lockTaken++;
      return {
        token: 't',
        lost: new AbortController().signal,
        release: async () => {
          state.lockReleased++;
        },
      };
    },
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
    lockRetryMs: 1234,
    ops: (d) => swarm.ops(d),
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
  const statuses = new Map<string, KindStatus>();
  const logs: string[] = [];
  const log = {
    debug: (_: unknown, m?: string) => logs.push(`debug ${m ?? String(_)}`),
    info: (_: unknown, m?: string) => logs.push(`info ${m ?? String(_)}`),
    warn: (_: unknown, m?: string) => logs.push(`warn ${m ?? String(_)}`),
  } as unknown as Logger;
  const ctx = (key: string): KindReconcileContext => ({
    signal: new AbortController().signal,
    reconcileId: 'r1',
    prev: statuses.get(key),
    log,
    root: '.',
    progress: async () => undefined,
    resources: () => [],
  });
  const resource = (name: string, spec: Record<string, unknown>, generation = 1): DesiredResource => ({
    key: `SwarmNode/default/${name}`,
    kind: 'SwarmNode',
    namespace: 'default',
    name,
    generation,
    spec,
    origin: { file: `${name}.yaml` },
    baseDir: '.',
  });
  const reconcile = async (res: DesiredResource) => {
    const out = await r.reconcile(res, ctx(res.key));
    statuses.set(res.key, out.status);
    return out;
  };
  const remove = async (key: string, res?: DesiredResource) => {
    const out = await r.remove!(key, res, ctx(key));
    if (out.status) statuses.set(key, out.status);
    return out;
  };
  return { swarm, store, records, r, statuses, logs, resource, reconcile, remove, state };
}

export const cond = (s: KindStatus | undefined, type: string) => s?.conditions.find((c) => c.type === type);
