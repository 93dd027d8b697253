/** Human-readable phases, progress and results of the volume migration machine. Pure. */
import { formatBytes } from '../reconciler/units/size.js';
import type { Amount, StepName, VolumeMigrationContext } from './volume-migration.types.js';

/** status.phase while a step runs. */
export const STEP_PHASE: Record<StepName, string> = {
  discover: 'Discovering',
  ensureTarget: 'PreparingTarget',
  scaleDown: 'ScalingDown',
  measure: 'Measuring',
  copy: 'Copying',
  verify: 'Verifying',
  switch: 'Switching',
  scaleUp: 'ScalingUp',
  removeSource: 'RemovingSource',
  restoreMounts: 'RollingBack',
  restoreReplicas: 'RollingBack',
};

/** `12.5 MiB / 50 MiB, 120/500 files`, or `12.5 MiB, 120 files` without a total. */
export function amountProgress(done: Amount, total?: Amount): string {
  if (total === undefined) return `${formatBytes(done.bytes)}, ${done.files} files`;
  return `${formatBytes(done.bytes)} / ${formatBytes(total.bytes)}, ${done.files}/${total.files} files`;
}

const services = (c: VolumeMigrationContext): string =>
  c.recorded.length === 0 ? 'no consumers' : c.recorded.map((r) => r.service).join(', ');

function stepLabel(c: VolumeMigrationContext): string {
  const src = `volume ${c.source.volume} on node ${c.source.node.hostname}`;
  const dst = `volume ${c.target.volume} on node ${c.target.node.hostname}`;
  switch (c.step) {
    case 'discover':
      return `find the consumers of ${src}`;
    case 'ensureTarget':
      return `prepare target ${dst} (${c.target.origin})`;
    case 'scaleDown':
      return `scale down ${services(c)}`;
    case 'measure':
      return `measure ${src}`;
    case 'copy':
      return `copy ${src} to ${dst}`;
    case 'verify':
      return `verify the copy in ${dst}`;
    case 'switch':
      return `switch ${services(c)} to ${dst}`;
    case 'scaleUp':
      return `scale ${services(c)} back up on ${dst}`;
    case 'removeSource':
      return `remove source ${src}`;
    case 'restoreMounts':
      return `restore the mounts of ${services(c)} to ${src}`;
    case 'restoreReplicas':
      return `scale ${services(c)} back up on ${src}`;
  }
}

/** `copy volume a on node n1 to volume b on node n2 failed after 3 attempts: <why>` */
export function stepFailureMessage(c: VolumeMigrationContext): string {
  const attempts = c.attempt === 1 ? '1 attempt' : `${c.attempt} attempts`;
  return `${stepLabel(c)} failed after ${attempts}: ${c.lastFailure?.message ?? 'unknown error'}`;
}

export function succeededMessage(c: VolumeMigrationContext): string {
  const what = c.verified ?? c.copied;
  const amount = what ? `${formatBytes(what.bytes)} in ${what.files} files` : 'the volume';
  const consumers =
    c.recorded.length === 0
      ? 'no consumers'
      : `${c.recorded.length} consumer${c.recorded.length === 1 ? '' : 's'} switched (${services(c)})`;
  const removal =
    c.sourceRemovalFailure !== undefined
      ? `; the source volume was NOT removed: ${c.sourceRemovalFailure}`
      : c.deleteSource
        ? '; source volume removed'
        : '';
  return (
    `copied and verified ${amount} from volume ${c.source.volume} on node ${c.source.node.hostname} ` +
    `to volume ${c.target.volume} on node ${c.target.node.hostname}; ${consumers}${removal}`
  );
}

export function rolledBackMessage(c: VolumeMigrationContext): string {
  const back =
    c.recorded.length === 0
      ? 'nothing to restore'
      : `${services(c)} back on volume ${c.source.volume} on node ${c.source.node.hostname} with their replicas`;
  return `rolled back: ${c.failure ?? 'migration failed'}; ${back}`;
}

export function failedMessage(c: VolumeMigrationContext): string {
  if (c.failure === undefined) return stepFailureMessage(c);
  return `${c.failure}; rollback failed: ${stepFailureMessage(c)}`;
}

export function waitingMessage(c: VolumeMigrationContext): string {
  return (
    `target volume ${c.target.volume} does not exist on node ${c.target.node.hostname} yet ` +
    `(${c.target.origin}); nothing was changed`
  );
}
