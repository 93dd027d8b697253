// The SwarmVolume kind's reconciler wired to one fake Engine per node and a fake manager
// (fake-volume-engine.ts), with a memory logger, recorded Events and progress writes.
import type Docker from 'dockerode';
import pino from 'pino';
import type { NodeEndpoints } from '../../../controllers/machine-runner/node-endpoints.js';
import { MemoryNodeOwnership } from '../../../controllers/machine-runner/node-ownership.js';
import { ResourceNodeEndpoints } from '../../../controllers/machine-runner/resource-node-endpoints.js';
import type { KindReconcileContext, KindStatus, ResourceEvent } from '../../../controllers/ports.js';
import { volumeKindReconciler } from '../../../controllers/volume/volume-kind.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { FakeVolumeEngine } from './fake-volume-engine.js';

export const KEY = 'SwarmVolume/default/data';
export const OWNED = { 'swarmkeeper.io/owner': KEY, 'swarmkeeper.io/instance': 'i1' };
export const NOW = new Date('2026-12-06T12:00:00Z');

export function harness(
  nodes: { host: string; state?: string; labels?: Record<string, string>; endpoint?: boolean }[],
) {
  const manager = new FakeVolumeEngine();
  const engines: Record<string, FakeVolumeEngine> = {};
  for (const [i, n] of nodes.entries()) {
    manager.nodes.push({
      ID: `N${i + 1}`,
      Spec: { Role: i === 0 ? 'manager' : 'worker', Labels: n.labels ?? {} },
      Description: { Hostname: n.host },
      Status: { State: n.state ?? 'ready' },
    });
    if (n.endpoint !== false) engines[n.host] = new FakeVolumeEngine();
  }
  const statics: NodeEndpoints = {
    docker: (n) => engines[n.hostname]?.docker as Docker | undefined,
    describe: (n) => `${n.hostname}: ${engines[n.hostname] ? 'unix:///fake' : 'no endpoint'}`,
  };
  const noSecrets = { get: () => Promise.reject(new Error('no secrets here')) };
  const events: ResourceEvent[] = [];
  const store = new MemoryNodeOwnership();
  const reconciler = volumeKindReconciler({
    manager: manager.docker,
    instanceId: 'i1',
    secrets: noSecrets,
    endpoints: new ResourceNodeEndpoints({ secrets: noSecrets, staticEndpoints: statics }),
    ownership: store,
    recorder: { record: (e) => events.push(e) },
    retryMs: 111,
    blockedRetryMs: 222,
    now: () => NOW,
  });
  const progress: KindStatus[] = [];
  const lines: Record<string, unknown>[] = [];
  const ctx = (prev?: KindStatus): KindReconcileContext => ({
    signal: new AbortController().signal,
    reconcileId: 'r1',
    prev,
    log: pino(
      { level: 'info' },
      { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
    ),
    root: '.',
    progress: async (s) => {
      progress.push(s);
    },
    resources: () => [],
  });
  return { manager, engines, reconciler, ctx, events, store, progress, lines };
}

export const resource = (spec: Record<string, unknown> = {}, generation = 3): DesiredResource => ({
  key: KEY,
  kind: 'SwarmVolume',
  namespace: 'default',
  name: 'data',
  generation,
  spec: { driver: 'local', driverOpts: { type: 'tmpfs', device: 'tmpfs' }, ...spec },
  origin: { file: 'data.yaml' },
  baseDir: '.',
});
export const cond = (s: KindStatus | undefined, type: string) => s?.conditions.find((c) => c.type === type);
