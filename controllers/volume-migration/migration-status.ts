/**
 * Status of a SwarmVolumeMigration from its machine: the live phase and progress while it runs, and
 * the final status (with the error the controller's retry policy acts on). Pure.
 *
 *   phase     Discovering, PreparingTarget, ScalingDown, Measuring, Copying, Verifying, Switching,
 *             ScalingUp, RemovingSource, RollingBack; then Succeeded, RolledBack, Failed or Waiting
 *   progress  `12.5 MiB / 50 MiB, 120/500 files` while copying
 *   Ready     True once Succeeded; RolledBack and Failed are Stalled (not retried until the spec changes)
 */
import { amountProgress, STEP_PHASE } from '../../machines/volume-migration.messages.js';
import type {
  Amount,
  ConsumerRecord,
  VolumeMigrationContext,
  VolumeMigrationOutput,
} from '../../machines/volume-migration.types.js';
import { skError, type SwarmkeeperError } from '../../reconciler/errors.js';
import type { KindStatus } from '../ports.js';
import { kindConditions, type KindVerdict } from '../machine-runner/kind-status.js';

export const FINAL_PHASES = ['Succeeded', 'RolledBack', 'Failed'] as const;

/** What the status shows of a running migration. */
export interface MigrationLive {
  phase: string;
  progress: string;
  bytesCopied?: number;
  scaledDown?: { service: string; replicas: number }[];
}

/** Fields kept across the run. */
export interface MigrationStatusBase {
  startedAt: string;
  /** Hash of the spec the run is for: a failed migration is retried only for another spec. */
  desiredHash: string;
}

const scaledDown = (recorded: readonly ConsumerRecord[]) =>
  recorded.map((r) => ({ service: r.service, replicas: r.replicas }));

const names = (c: VolumeMigrationContext) =>
  c.recorded.length === 0 ? 'no consumers' : c.recorded.map((r) => r.service).join(', ');

/** Phase and progress of a machine snapshot (state value + context). */
export function liveFromSnapshot(value: unknown, c: VolumeMigrationContext): MigrationLive {
  const top = typeof value === 'string' ? value : Object.keys(value as object)[0];
  const phase = top === 'rollingBack' || top === 'cancel' ? 'RollingBack' : STEP_PHASE[c.step];
  const live: MigrationLive = { phase, progress: stepProgress(phase, c) };
  if (c.recorded.length > 0) live.scaledDown = scaledDown(c.recorded);
  if (c.copied) live.bytesCopied = c.copied.bytes;
  return live;
}

function stepProgress(phase: string, c: VolumeMigrationContext): string {
  const src = `volume ${c.source.volume} on node ${c.source.node.hostname}`;
  const dst = `volume ${c.target.volume} on node ${c.target.node.hostname}`;
  switch (phase) {
    case 'Discovering':
      return `looking for the consumers of ${src}`;
    case 'PreparingTarget':
      return `preparing ${dst}`;
    case 'ScalingDown':
      return `scaling ${names(c)} to 0`;
    case 'Measuring':
      return `measuring ${src}`;
    case 'Copying':
      return c.total ? amountProgress({ bytes: 0, files: 0 }, c.total) : `copying ${src} to ${dst}`;
    case 'Verifying':
      return c.copied ? `verifying ${amountProgress(c.copied)}` : `verifying ${dst}`;
    case 'Switching':
      return `switching ${names(c)} to ${dst}`;
    case 'ScalingUp':
      return `scaling ${names(c)} back up`;
    case 'RemovingSource':
      return `removing ${src}`;
    case 'RollingBack':
      return `rolling back: ${c.failure ?? c.cancelReason ?? ''}`;
    default:
      return phase;
  }
}

/** Live amounts reported by measure/copy/verify. */
export function liveAmount(
  phase: 'Measuring' | 'Copying' | 'Verifying',
  done: Amount,
  total?: Amount,
): MigrationLive {
  const text = amountProgress(done, total);
  if (phase === 'Copying') return { phase, progress: text, bytesCopied: done.bytes };
  return { phase, progress: phase === 'Measuring' ? `measuring: ${text}` : `verifying: ${text}` };
}

function withLive(
  prev: KindStatus | undefined,
  base: MigrationStatusBase,
  live: MigrationLive,
  verdict: KindVerdict,
  now: Date,
  generation?: number,
): KindStatus {
  const status: KindStatus = {
    conditions: kindConditions(prev?.conditions, verdict, now, generation),
    phase: live.phase,
    progress: live.progress,
    startedAt: base.startedAt,
    desiredHash: base.desiredHash,
  };
  if (generation !== undefined) status.observedGeneration = generation;
  const bytes = live.bytesCopied ?? (prev?.['bytesCopied'] as number | undefined);
  if (bytes !== undefined) status['bytesCopied'] = bytes;
  const scaled = live.scaledDown ?? (prev?.['scaledDown'] as MigrationLive['scaledDown']);
  if (scaled !== undefined) status['scaledDown'] = scaled;
  return status;
}

/** While the machine runs: Ready=False (Progressing), Reconciling=True. */
export function runningStatus(
  prev: KindStatus | undefined,
  base: MigrationStatusBase,
  live: MigrationLive,
  now: Date,
  generation?: number,
): KindStatus {
  const message = `${live.phase}: ${live.progress}`;
  return withLive(
    prev,
    base,
    live,
    { ready: false, reason: 'Progressing', message, reconciling: true },
    now,
    generation,
  );
}

export interface FinalMigrationStatus {
  status: KindStatus;
  error?: SwarmkeeperError;
}

/** The status of a finished run and, unless it succeeded, the error for the controller. */
export function finalStatus(
  key: string,
  prev: KindStatus | undefined,
  base: MigrationStatusBase,
  out: VolumeMigrationOutput,
  now: Date,
  opts: { generation?: number; retryMs: number },
): FinalMigrationStatus {
  const done = out.verified ?? out.copied;
  const live: MigrationLive = {
    phase: out.outcome,
    progress: done ? amountProgress(done) : out.outcome,
  };
  if (out.copied) live.bytesCopied = out.copied.bytes;
  if (out.recorded.length > 0) live.scaledDown = scaledDown(out.recorded);
  const gen = opts.generation;
  switch (out.outcome) {
    case 'Succeeded': {
      const status = withLive(
        prev,
        base,
        live,
        { ready: true, reason: 'Succeeded', message: out.message },
        now,
        gen,
      );
      status['completedAt'] = now.toISOString();
      return { status };
    }
    case 'Waiting': {
      const verdict = { ready: false, reason: 'TargetMissing', message: out.message, reconciling: true };
      const status = withLive(prev, base, { ...live, progress: out.message }, verdict, now, gen);
      const error = skError('DEPENDENCY_NOT_READY', `${key}: ${out.message}`, {
        requeueAfterMs: opts.retryMs,
      });
      return { status, error };
    }
    case 'RolledBack':
    case 'Failed': {
      const reason = out.outcome === 'RolledBack' ? 'RolledBack' : 'MigrationFailed';
      const status = withLive(
        prev,
        base,
        live,
        { ready: false, reason, message: out.message, stalled: true },
        now,
        gen,
      );
      status['completedAt'] = now.toISOString();
      return { status, error: skError('MIGRATION_FAILED', `${key}: ${out.message}`) };
    }
  }
}
