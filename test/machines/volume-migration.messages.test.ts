// Texts of the volume migration machine (sizes, progress, the step that failed, results), from a context.
import { describe, expect, it } from 'vitest';
import {
  amountProgress,
  failedMessage,
  rolledBackMessage,
  stepFailureMessage,
  succeededMessage,
  waitingMessage,
} from '../../machines/volume-migration.messages.js';
import type { StepName, VolumeMigrationContext } from '../../machines/volume-migration.types.js';
import { input, WEB } from './volume-migration-harness.js';

const ctx = (over: Partial<VolumeMigrationContext> = {}): VolumeMigrationContext => ({
  ...input(),
  step: 'discover',
  attempt: 3,
  recorded: [WEB],
  switchStarted: false,
  completed: false,
  lastFailure: { message: 'EOF', retryable: true },
  ...over,
});
const SRC = 'volume data on node n1';
const DST = 'volume data2 on node n2';
const DB = { ...WEB, service: 'db', id: 'svc2' };

describe('volume migration messages', () => {
  it.each([
    [{ bytes: 1536, files: 3 }, undefined, '1.5 KiB, 3 files'],
    [{ bytes: 1536, files: 3 }, { bytes: 3 * 1024 ** 2, files: 30 }, '1.5 KiB / 3 MiB, 3/30 files'],
  ])('amountProgress(%j, %j)', (done, total, text) => {
    expect(amountProgress(done, total)).toBe(text);
  });

  it.each<[StepName, VolumeMigrationContext['recorded'], string]>([
    ['discover', [WEB], `find the consumers of ${SRC}`],
    ['ensureTarget', [WEB], `prepare target ${DST} (spec.target.spec)`],
    ['scaleDown', [WEB, DB], 'scale down web, db'],
    ['scaleDown', [], 'scale down no consumers'],
    ['measure', [WEB], `measure ${SRC}`],
    ['copy', [WEB], `copy ${SRC} to ${DST}`],
    ['verify', [WEB], `verify the copy in ${DST}`],
    ['switch', [WEB], `switch web to ${DST}`],
    ['scaleUp', [WEB], `scale web back up on ${DST}`],
    ['removeSource', [WEB], `remove source ${SRC}`],
    ['restoreMounts', [WEB], `restore the mounts of web to ${SRC}`],
    ['restoreReplicas', [WEB], `scale web back up on ${SRC}`],
  ])('a failure in %s names the step', (step, recorded, label) => {
    expect(stepFailureMessage(ctx({ step, recorded }))).toBe(`${label} failed after 3 attempts: EOF`);
  });

  it('one attempt, no failure recorded', () => {
    expect(stepFailureMessage(ctx({ attempt: 1, lastFailure: undefined }))).toBe(
      `find the consumers of ${SRC} failed after 1 attempt: unknown error`,
    );
  });

  it.each<[string, Partial<VolumeMigrationContext>, string]>([
    [
      'copied, not verified',
      { copied: { bytes: 2048, files: 2 } },
      `2 KiB in 2 files from ${SRC} to ${DST}; 1 consumer switched (web)`,
    ],
    [
      'verified wins over copied',
      { copied: { bytes: 2048, files: 2 }, verified: { bytes: 3072, files: 3 } },
      `3 KiB in 3 files from ${SRC} to ${DST}; 1 consumer switched (web)`,
    ],
    [
      'nothing measured, two consumers',
      { recorded: [WEB, DB] },
      `the volume from ${SRC} to ${DST}; 2 consumers switched (web, db)`,
    ],
    [
      'no consumers, source removed',
      { recorded: [], deleteSource: true },
      `the volume from ${SRC} to ${DST}; no consumers; source volume removed`,
    ],
    [
      'the source could not be removed',
      { deleteSource: true, sourceRemovalFailure: 'volume in use' },
      `the volume from ${SRC} to ${DST}; 1 consumer switched (web); the source volume was NOT removed: volume in use`,
    ],
  ])('succeeded: %s', (_n, over, tail) => {
    expect(succeededMessage(ctx(over))).toBe(`copied and verified ${tail}`);
  });

  it.each<[string, Partial<VolumeMigrationContext>, string]>([
    [
      'with consumers',
      { failure: 'copy failed' },
      'rolled back: copy failed; web back on volume data on node n1 with their replicas',
    ],
    ['nothing to restore', { recorded: [] }, 'rolled back: migration failed; nothing to restore'],
  ])('rolled back: %s', (_n, over, text) => {
    expect(rolledBackMessage(ctx(over))).toBe(text);
  });

  it.each<[string, Partial<VolumeMigrationContext>, string]>([
    ['a step failed', {}, `find the consumers of ${SRC} failed after 3 attempts: EOF`],
    [
      'the rollback failed too',
      { failure: 'copy failed', step: 'restoreMounts' },
      `copy failed; rollback failed: restore the mounts of web to ${SRC} failed after 3 attempts: EOF`,
    ],
  ])('failed: %s', (_n, over, text) => {
    expect(failedMessage(ctx(over))).toBe(text);
  });

  it('waiting for the target', () => {
    expect(waitingMessage(ctx())).toBe(
      'target volume data2 does not exist on node n2 yet (spec.target.spec); nothing was changed',
    );
  });
});
