/**
 * One run (or resumption) of the volume migration machine for a SwarmVolumeMigration: the machine with
 * the dockerode actors (helper containers named per migration, owner labels), live progress, and a
 * stop that keeps the snapshot when the controller shuts down, the lock is lost or the resource is
 * deleted. Never throws: the result says how the run ended.
 */
import { createHash } from 'node:crypto';
import { volumeMigrationMachine } from '../../machines/volume-migration.machine.js';
import type { VolumeMigrationActors } from '../../machines/volume-migration.setup.js';
import type { MigrationPolicy, VolumeMigrationOutput } from '../../machines/volume-migration.types.js';
import { asSwarmkeeperError, errorName, type SwarmkeeperError } from '../../reconciler/errors.js';
import { ownerLabels } from '../../reconciler/model/ownership.js';
import type { KindReconcileContext } from '../ports.js';
import { runMachine } from '../machine-runner/machine-runner.js';
import type { MachineSnapshotStore } from '../machine-runner/snapshot-store.js';
import { dockerMigrationActors, type MigrationProgress } from './migration-actors.js';
import { migrationInputHash, migrationMachineKey, type Prepared } from './migration-prepare.js';
import { liveAmount, liveFromSnapshot, type MigrationLive } from './migration-status.js';
import type Docker from 'dockerode';

export const DEFAULT_HELPER_IMAGE = 'local/busybox:1';

const PHASE_OF = { measure: 'Measuring', copy: 'Copying', verify: 'Verifying' } as const;

/** What a run needs of the kind's deps. */
export interface MigrationRunDeps {
  manager: Docker;
  store: MachineSnapshotStore;
  instanceId: string;
  helperImage?: string;
  bytesPerSecond?: number;
  progressIntervalMs?: number;
  deletionPollMs?: number;
  runDeadlineMs?: number;
  actors?: (
    real: VolumeMigrationActors,
    report: (p: MigrationProgress) => void,
  ) => Partial<VolumeMigrationActors>;
}

export interface RunResult {
  output?: VolumeMigrationOutput;
  resumedFrom?: unknown;
  /** Why the run stopped before a final state (its snapshot stays). */
  stopped?: string;
  error?: SwarmkeeperError;
  live?: MigrationLive;
}

export function migrationRunner(deps: MigrationRunDeps, policy: MigrationPolicy) {
  function helperName(key: string): string {
    return `skmig-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
  }

  function machineFor(
    key: string,
    p: Pick<Prepared, 'source' | 'target'>,
    onProgress?: (p: MigrationProgress) => void,
  ) {
    const [kind, namespace, name] = key.split('/') as [string, string, string];
    const real = dockerMigrationActors({
      manager: deps.manager,
      source: p.source,
      target: p.target,
      helperImage: deps.helperImage ?? DEFAULT_HELPER_IMAGE,
      helperName: helperName(key),
      helperLabels: ownerLabels({ kind, namespace, name }, deps.instanceId),
      taskPollIntervalMs: policy.taskPollIntervalMs,
      progressIntervalMs: deps.progressIntervalMs ?? 500,
      ...(deps.bytesPerSecond !== undefined ? { bytesPerSecond: deps.bytesPerSecond } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    const replaced = deps.actors?.(real, (pr) => onProgress?.(pr));
    return volumeMigrationMachine.provide({ actors: { ...real, ...replaced } });
  }

  /** Runs (or resumes) the machine with live status writes; never throws. */
  async function run(
    key: string,
    p: Prepared,
    ctx: KindReconcileContext,
    report: ((live: MigrationLive) => void) | undefined,
    gone: () => boolean,
  ): Promise<RunResult> {
    const stop = new AbortController();
    const onAbort = () => stop.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const poll = setInterval(() => {
      if (gone()) stop.abort(new Error(`${key} was deleted`));
    }, deps.deletionPollMs ?? 1000);
    let live: MigrationLive | undefined;
    const show = (l: MigrationLive) => {
      live = l;
      report?.(l);
    };
    const machine = machineFor(key, p, (pr) => show(liveAmount(PHASE_OF[pr.step], pr.done, pr.total)));
    try {
      const r = await runMachine({
        machine,
        input: p.input,
        key: migrationMachineKey(key),
        store: deps.store,
        inputHash: migrationInputHash(p.input),
        signal: stop.signal,
        ...(deps.runDeadlineMs !== undefined ? { deadlineMs: deps.runDeadlineMs } : {}),
        onSnapshot: (s) => {
          if (s.status === 'active') show(liveFromSnapshot(s.value, s.context));
        },
      });
      if (r.persistError) ctx.log.warn({ err: r.persistError }, 'a migration snapshot could not be stored');
      const out: RunResult = { output: r.output, resumedFrom: r.resumedFrom };
      if (live) out.live = live;
      return out;
    } catch (e) {
      const out: RunResult = { stopped: (e as Error).message };
      if (!stop.signal.aborted && errorName(e) !== 'MACHINE_DEADLINE') out.error = asSwarmkeeperError(e);
      if (live) out.live = live;
      return out;
    } finally {
      clearInterval(poll);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  return { run };
}
