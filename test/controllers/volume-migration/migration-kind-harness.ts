// Shared by the migration-kind-*.test.ts files: the SwarmVolumeMigration kind reconciler with fake
// actors, an in-memory snapshot store and a stub manager answering GET /nodes.
import type Docker from 'dockerode';
import { pino } from 'pino';
import {
  migrationActorsFrom,
  type MigrationOps,
} from '../../../controllers/volume-migration/migration-actors.js';
import {
  migrationKindReconciler,
  type MigrationKindDeps,
} from '../../../controllers/volume-migration/migration-kind.js';
import type { NodeEndpoints } from '../../../controllers/machine-runner/node-endpoints.js';
import { ResourceNodeEndpoints } from '../../../controllers/machine-runner/resource-node-endpoints.js';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import type { KindReconcileContext, KindStatus } from '../../../controllers/ports.js';
import { noSecrets } from '../../../controllers/sources/dir-secrets.js';
import type { ConsumerRecord } from '../../../machines/volume-migration.types.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';

export const KEY = 'SwarmVolumeMigration/default/move';
export const WEB: ConsumerRecord = { service: 'web', id: 'svc1', replicas: 2, mounts: [], constraints: [] };
export const AMOUNT = { bytes: 50 * 1024 ** 2, files: 500 };
export const NODES = [
  { ID: 'ID1', Spec: { Role: 'manager' }, Description: { Hostname: 'n1' }, Status: { State: 'ready' } },
  { ID: 'ID2', Spec: { Role: 'worker' }, Description: { Hostname: 'n2' }, Status: { State: 'ready' } },
];

export const manager = {
  modem: {
    dial(opts: { path: string }, cb: (err: unknown, data: unknown) => void) {
      if (opts.path === '/nodes') cb(null, NODES);
      else cb(new Error(`unexpected call ${opts.path}`), undefined);
    },
  },
} as unknown as Docker;
export const nodeDocker = {} as Docker;

export function endpoints(known = ['n1', 'n2']): ResourceNodeEndpoints {
  const statics: NodeEndpoints = {
    docker: (n) => (known.includes(n.hostname) ? nodeDocker : undefined),
    describe: (n) => `${n.hostname}: ${known.includes(n.hostname) ? 'unix:///fake' : 'no endpoint'}`,
  };
  return new ResourceNodeEndpoints({ secrets: noSecrets, staticEndpoints: statics });
}

export function resource(spec: Record<string, unknown> = {}): DesiredResource {
  return {
    key: KEY,
    kind: 'SwarmVolumeMigration',
    namespace: 'default',
    name: 'move',
    spec: {
      source: { volume: 'data', node: 'n1' },
      target: { node: 'n2', spec: { name: 'data2', driver: 'swlvol' } },
      ...spec,
    },
    origin: { file: 'move.yaml' },
    baseDir: '.',
  };
}

export const hang = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

export type Fakes = Partial<MigrationOps>;

export function harness(opts: { deps?: Partial<MigrationKindDeps>; known?: string[] } = {}) {
  const store = new MemorySnapshotStore();
  const calls: string[] = [];
  let over: Fakes = {};
  const deps: MigrationKindDeps = {
    manager,
    endpoints: endpoints(opts.known),
    store,
    instanceId: 'test',
    progressIntervalMs: 0,
    deletionPollMs: 10,
    policy: { maxAttempts: 2, baseBackoffMs: 1 },
    actors: (_real, report) => {
      const base: MigrationOps = {
        discover: async () => [WEB],
        ensureTarget: async () => ({ exists: true, created: true, driver: 'swlvol' }),
        scaleDown: async () => undefined,
        measure: async () => AMOUNT,
        copy: async ({ input }) => {
          report({
            step: 'copy',
            done: { bytes: 25 * 1024 ** 2, files: 250 },
            ...(input.total ? { total: input.total } : {}),
          });
          return AMOUNT;
        },
        verify: async () => AMOUNT,
        switch: async () => undefined,
        scaleUp: async () => undefined,
        restoreMounts: async () => undefined,
        removeSource: async () => undefined,
        ...over,
      };
      const counted = Object.fromEntries(
        Object.entries(base).map(([name, op]) => [
          name,
          (args: { input: { wait?: boolean }; signal: AbortSignal }) => {
            calls.push(name === 'scaleUp' && args.input.wait === false ? 'restoreReplicas' : name);
            return (op as (a: typeof args) => Promise<unknown>)(args);
          },
        ]),
      );
      return migrationActorsFrom(counted as unknown as MigrationOps);
    },
    ...opts.deps,
  };
  const reconciler = migrationKindReconciler(deps);
  const progress: KindStatus[] = [];
  let resources: DesiredResource[] = [];
  const ctx = (
    prev?: KindStatus,
    signal: AbortSignal = new AbortController().signal,
  ): KindReconcileContext => ({
    signal,
    reconcileId: 'r1',
    prev,
    log: pino({ level: 'silent' }),
    root: '.',
    progress: async (s) => {
      progress.push(s);
    },
    resources: (kind) => resources.filter((r) => r.kind === kind),
  });
  return {
    store,
    calls,
    progress,
    reconciler,
    ctx,
    setActors: (f: Fakes) => (over = f),
    setResources: (r: DesiredResource[]) => (resources = r),
  };
}

export const cond = (s: KindStatus, type: string) => s.conditions.find((c) => c.type === type);
