/**
 * The SwarmVolumeMigration kind for the controller: reconcile = run the volume migration machine
 * (machines/volume-migration.machine.ts) with the dockerode actors, resuming the snapshot a crashed
 * or stopped run left in Redis, with live progress in the status; remove = nothing once finished,
 * and the rollback of what an interrupted run changed when the resource is deleted mid-run.
 *
 * - The machine runs inside the reconcile, under the work queue's per-key lock: two processes never
 *   run one migration at once. It stops (keeping its snapshot) when the controller shuts down, loses
 *   the lock, or the resource is deleted (checked every `deletionPollMs`); the key is requeued and the
 *   next reconcile resumes it, or `remove` rolls it back.
 * - A finished migration is not run again: Succeeded stays whatever the spec says (copying again
 *   would overwrite the data written to the target since). RolledBack and Failed stay until the spec
 *   changes (status.desiredHash).
 * - Source and target nodes: hostname or node ID (spec.*.node), reached through the node endpoints
 *   (SwarmNode resources, `run --node-endpoint`). Consumers are services on the manager.
 * - Target: `spec.target.spec` is created on the target node with the owner labels (a preset is not
 *   supported here: create a SwarmVolume with it and use volumeRef); `spec.target.volumeRef` names a
 *   SwarmVolume, whose volume must exist on the target node, else the migration waits.
 *
 * Environment (read by swarmVolumeMigrationKind, i.e. `swarmkeeper run`):
 *   SWARMKEEPER_MIGRATION_HELPER_IMAGE  image of the never-started helper containers (default
 *                                        local/busybox:1; it is never pulled: it must be on the nodes)
 *   SWARMKEEPER_MIGRATION_BANDWIDTH     copy bandwidth limit per second, e.g. `20MB` (binary units, as
 *                                        every size of swarmkeeper: 20MB = 20MiB); unset: no limit
 */
import type Docker from 'dockerode';
import { volumeMigrationMachine } from '../../machines/volume-migration.machine.js';
import { migrationPolicy, type VolumeMigrationActors } from '../../machines/volume-migration.setup.js';
import type {
  MigrationPolicy,
  VolumeMigrationContext,
  VolumeMigrationInput,
} from '../../machines/volume-migration.types.js';
import type { SwarmVolumeMigration } from '../../reconciler/api/resource.js';
import { asSwarmkeeperError, skError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import type { EventRecorder } from '../ports.js';
import type {
  KindReconcileContext,
  KindReconciler,
  KindReconcileResult,
  KindRemoveResult,
  KindStatus,
} from '../ports.js';
import type { KindReconcilerDeps } from '../machine-runner/kind-deps.js';
import { beginKindReconcile } from '../machine-runner/kind-skeleton.js';
import { hashInput } from '../machine-runner/machine-runner.js';
import { type MigrationProgress } from './migration-actors.js';
import {
  isBeingDeleted,
  migrationEnv,
  migrationMachineKey,
  migrationPreparer,
  type Prepared,
} from './migration-prepare.js';
import { migrationRunner } from './migration-run.js';

export { migrationEnv, migrationInputHash, migrationMachineKey } from './migration-prepare.js';
import {
  finalStatus,
  liveFromSnapshot,
  runningStatus,
  type MigrationLive,
  type MigrationStatusBase,
} from './migration-status.js';
import {
  sharedResourceEndpoints,
  type ResourceNodeEndpoints,
} from '../machine-runner/resource-node-endpoints.js';
import {
  RedisSnapshotStore,
  type MachineSnapshotStore,
  type StoredSnapshot,
} from '../machine-runner/snapshot-store.js';

export interface MigrationKindDeps {
  /** A manager's daemon (nodes, services, tasks). */
  manager: Docker;
  endpoints: ResourceNodeEndpoints;
  store: MachineSnapshotStore;
  instanceId: string;
  recorder?: EventRecorder;
  policy?: Partial<MigrationPolicy>;
  helperImage?: string;
  /** Copy bandwidth limit, bytes/s. */
  bytesPerSecond?: number;
  /** Live status writes at most this often (default 500 ms). */
  progressIntervalMs?: number;
  /** How often a running migration checks that its resource still exists (default 1 s). */
  deletionPollMs?: number;
  /** Stop a run after this long (its snapshot stays; the key is requeued). Default: run to the end. */
  runDeadlineMs?: number;
  /** Requeue delay while waiting for a node, an endpoint or the target (default 10 s). */
  retryMs?: number;
  /**
   * Replaces some of the real actors. For tests only (e.g. a verify that fails, to exercise the
   * rollback on real services): production passes nothing.
   */
  actors?: (
    real: VolumeMigrationActors,
    report: (p: MigrationProgress) => void,
  ) => Partial<VolumeMigrationActors>;
  now?: () => Date;
}

export function migrationKindReconciler(deps: MigrationKindDeps): KindReconciler {
  const now = deps.now ?? (() => new Date());
  const retryMs = deps.retryMs ?? 10_000;
  const policy = migrationPolicy(deps.policy);
  const { prepare, clients } = migrationPreparer(deps, retryMs, policy);

  const { run } = migrationRunner(deps, policy);

  async function reconcile(res: DesiredResource, ctx: KindReconcileContext): Promise<KindReconcileResult> {
    const gen = res.generation;
    const prev = ctx.prev;
    const phase = prev?.['phase'];
    const begun = await beginKindReconcile<SwarmVolumeMigration, Prepared>(res, ctx, now, {
      // finished: never again (Succeeded), or not before the spec changes (RolledBack, Failed)
      early: (m) => {
        if (prev !== undefined && phase === 'Succeeded') return { status: prev };
        if (
          prev !== undefined &&
          (phase === 'RolledBack' || phase === 'Failed') &&
          prev.desiredHash === hashInput(m.spec)
        )
          return { status: prev };
        return undefined;
      },
      load: (m) => prepare(m, res, ctx),
    });
    if (begun.result) return begun.result;
    const specHash = hashInput(begun.kind.spec);
    const p = begun.loaded;

    // a run that was already going (resumed) keeps its start time; a new one starts afresh
    const running =
      phase !== undefined && !['Succeeded', 'RolledBack', 'Failed', 'Waiting'].includes(String(phase));
    const fresh: KindStatus | undefined =
      prev === undefined ? undefined : running ? prev : { conditions: prev.conditions };
    const base: MigrationStatusBase = {
      startedAt: running && typeof prev?.['startedAt'] === 'string' ? prev['startedAt'] : now().toISOString(),
      desiredHash: specHash,
    };

    let writes: Promise<void> = Promise.resolve();
    let closed = false;
    let lastWrite = 0;
    let lastPhase = '';
    const every = deps.progressIntervalMs ?? 500;
    const report = (live: MigrationLive) => {
      if (closed) return; // the final status is the reconcile's result
      const t = Date.now();
      // phase changes always; progress within a phase at most every `every` ms
      if (live.phase === lastPhase && t - lastWrite < every) return;
      lastPhase = live.phase;
      lastWrite = t;
      const status = runningStatus(fresh, base, live, now(), gen);
      writes = writes.then(() => ctx.progress(status)).catch(() => undefined);
    };
    // Deleted mid-run: the key left the resources the controller knows, or is being deleted. A
    // replica that does not list the resources (it looked the key up) cannot tell: never stop there.
    const listed = ctx.resources(res.kind).some((x) => x.key === res.key);
    const gone = () => {
      if (!listed) return false;
      const r = ctx.resources(res.kind).find((x) => x.key === res.key);
      return r === undefined || isBeingDeleted(r);
    };

    ctx.log.info({ source: p.input.source, target: p.input.target.volume }, 'volume migration: running');
    const r = await run(res.key, p, ctx, report, gone);
    closed = true;
    await writes;
    if (r.resumedFrom !== undefined)
      ctx.log.info({ resumedFrom: r.resumedFrom }, 'volume migration: resumed from the stored snapshot');

    if (r.output === undefined) {
      const live = r.live ?? { phase: String(phase ?? 'Pending'), progress: '' };
      const status = runningStatus(fresh, base, live, now(), gen);
      if (r.error) {
        ctx.log.warn({ err: r.error }, 'volume migration: run failed; the snapshot stays');
        return { status, error: r.error };
      }
      ctx.log.info({ why: r.stopped }, 'volume migration: stopped; the snapshot stays');
      return { status, requeueAfterMs: 200 };
    }
    const out = r.output;
    ctx.log.info({ outcome: out.outcome, message: out.message }, 'volume migration: finished');
    const final = finalStatus(res.key, fresh, base, out, now(), {
      retryMs,
      ...(gen !== undefined ? { generation: gen } : {}),
    });
    if (out.outcome === 'Succeeded')
      deps.recorder?.record({
        key: res.key,
        type: 'Normal',
        reason: 'Succeeded',
        action: 'Migrate',
        note: out.message,
      });
    return final.error ? { status: final.status, error: final.error } : { status: final.status };
  }

  /** Deleted: nothing to undo once finished; an interrupted run is rolled back (or, once completed, finished). */
  async function remove(
    key: string,
    _res: DesiredResource | undefined,
    ctx: KindReconcileContext,
  ): Promise<KindRemoveResult> {
    const stored = await deps.store.load(migrationMachineKey(key));
    if (stored === undefined || stored.machine !== volumeMigrationMachine.id) return { done: true };
    const c = (stored.snapshot as { context?: VolumeMigrationContext } | undefined)?.context;
    if (c === undefined) return { done: true };
    let cl: Pick<Prepared, 'source' | 'target'>;
    try {
      const endpoints = await deps.endpoints.resolve(ctx.resources('SwarmNode'), ctx.log, ctx.signal);
      cl = clients(endpoints, c.source.node, c.target.node, key);
    } catch (e) {
      const error = asSwarmkeeperError(e);
      return { done: false, error, requeueAfterMs: retryMs };
    }
    const base: VolumeMigrationInput = {
      mode: 'migrate',
      key: c.key,
      source: c.source,
      target: c.target,
      deleteSource: c.deleteSource,
      policy,
      ...(c.consumers !== undefined ? { consumers: c.consumers } : {}),
    };
    let input: VolumeMigrationInput;
    if (c.mode === 'migrate' && c.completed)
      input = base; // consumers run on the target: finish it
    else {
      const where = liveFromSnapshot((stored.snapshot as { value?: unknown }).value ?? 'start', c).phase;
      input = {
        ...base,
        mode: 'cancel',
        recorded: c.recorded,
        switchStarted: c.switchStarted,
        cancelReason: c.mode === 'cancel' ? (c.cancelReason ?? '') : `${key} was deleted while ${where}`,
      };
    }
    ctx.log.info({ mode: input.mode }, 'volume migration deleted mid-run: finishing what it changed');
    const r = await run(key, { input, ...cl }, ctx, undefined, () => false);
    if (r.output?.outcome === 'Succeeded' || r.output?.outcome === 'RolledBack') {
      ctx.log.info({ outcome: r.output.outcome, message: r.output.message }, 'volume migration removed');
      return { done: true };
    }
    // keep what the next attempt needs to try again
    if (r.output !== undefined) await restore(key, stored);
    const message = r.output?.message ?? r.stopped ?? 'rollback did not finish';
    return {
      done: false,
      error: r.error ?? skError('DOCKER_API', `${key}: rollback of the deleted migration: ${message}`),
      requeueAfterMs: retryMs,
    };
  }

  async function restore(key: string, stored: StoredSnapshot): Promise<void> {
    await deps.store.save(migrationMachineKey(key), stored).catch(() => undefined);
  }

  return { reconcile, remove, writesServices: true };
}

/** The entry `swarmkeeper run` registers (settings from the environment, see the module comment). */
export function swarmVolumeMigrationKind(
  deps: KindReconcilerDeps,
  env: Record<string, string | undefined> = process.env,
): KindReconciler {
  return migrationKindReconciler({
    manager: deps.docker,
    endpoints: sharedResourceEndpoints(deps),
    store: new RedisSnapshotStore(deps.redis, deps.instanceId),
    instanceId: deps.instanceId,
    ...(deps.recorder ? { recorder: deps.recorder } : {}),
    ...migrationEnv(env),
  });
}
export { DEFAULT_HELPER_IMAGE } from './migration-run.js';
