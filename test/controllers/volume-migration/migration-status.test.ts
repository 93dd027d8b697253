// Status of a SwarmVolumeMigration: live phase/progress from a machine snapshot, live amounts, the
// running status and the final status with the error the controller's retry policy acts on.
import { describe, expect, it } from 'vitest';
import {
  finalStatus,
  liveAmount,
  liveFromSnapshot,
  runningStatus,
  type MigrationLive,
} from '../../../controllers/volume-migration/migration-status.js';
import type { KindStatus } from '../../../controllers/ports.js';
import type {
  StepName,
  VolumeMigrationContext,
  VolumeMigrationOutput,
} from '../../../machines/volume-migration.types.js';
import type { Condition } from '../../../reconciler/status/conditions.js';

const MIB = 1024 ** 2;
const WEB = { service: 'web', id: 's1', replicas: 2, mounts: [], constraints: [] };
const API = { service: 'api', id: 's2', replicas: 3, mounts: [], constraints: [] };
const NOW = new Date('2026-01-02T03:04:05.000Z');
const BASE = { startedAt: '2026-01-01T00:00:00.000Z', desiredHash: 'h1' };
const SRC = 'volume data on node n1';
const DST = 'volume data2 on node n2';

function ctx(over: Partial<VolumeMigrationContext> = {}): VolumeMigrationContext {
  return {
    mode: 'migrate',
    key: 'SwarmVolumeMigration/default/move',
    source: { volume: 'data', node: { node: 'n1', hostname: 'n1', id: 'ID1' } },
    target: { volume: 'data2', node: { node: 'ID2', hostname: 'n2', id: 'ID2' }, origin: 'spec.target.spec' },
    deleteSource: false,
    policy: { maxAttempts: 2, baseBackoffMs: 1, taskPollIntervalMs: 1 } as VolumeMigrationContext['policy'],
    step: 'discover',
    attempt: 0,
    recorded: [],
    switchStarted: false,
    completed: false,
    ...over,
  };
}

const cond = (s: KindStatus, type: string) =>
  (s.conditions as Condition[]).find((c) => c.type === type) as Condition;

describe('liveFromSnapshot: phase and progress of each step', () => {
  const two = { recorded: [WEB, API] };
  it.each<[StepName, Partial<VolumeMigrationContext>, string, string]>([
    ['discover', {}, 'Discovering', `looking for the consumers of ${SRC}`],
    ['ensureTarget', {}, 'PreparingTarget', `preparing ${DST}`],
    ['scaleDown', {}, 'ScalingDown', 'scaling no consumers to 0'],
    ['scaleDown', two, 'ScalingDown', 'scaling web, api to 0'],
    ['measure', {}, 'Measuring', `measuring ${SRC}`],
    ['copy', {}, 'Copying', `copying ${SRC} to ${DST}`],
    ['copy', { total: { bytes: 50 * MIB, files: 500 } }, 'Copying', '0 bytes / 50 MiB, 0/500 files'],
    ['verify', {}, 'Verifying', `verifying ${DST}`],
    ['verify', { copied: { bytes: 50 * MIB, files: 500 } }, 'Verifying', 'verifying 50 MiB, 500 files'],
    ['switch', two, 'Switching', `switching web, api to ${DST}`],
    ['switch', {}, 'Switching', `switching no consumers to ${DST}`],
    ['scaleUp', two, 'ScalingUp', 'scaling web, api back up'],
    ['removeSource', {}, 'RemovingSource', `removing ${SRC}`],
    [
      'restoreMounts',
      { failure: 'copy failed: disk full' },
      'RollingBack',
      'rolling back: copy failed: disk full',
    ],
    [
      'restoreReplicas',
      { cancelReason: 'deleted while Copying' },
      'RollingBack',
      'rolling back: deleted while Copying',
    ],
    ['restoreReplicas', {}, 'RollingBack', 'rolling back: '],
  ])('step %s %j → %s: %s', (step, over, phase, progress) => {
    const live = liveFromSnapshot({ running: { step: 'invoke' } }, ctx({ step, ...over }));
    expect(live.phase).toBe(phase);
    expect(live.progress).toBe(progress);
  });

  it('failure wins over cancelReason in the rollback message', () => {
    const c = ctx({ step: 'restoreMounts', failure: 'F', cancelReason: 'C' });
    expect(liveFromSnapshot('rollingBack', c).progress).toBe('rolling back: F');
  });

  it.each([
    ['rollingBack', 'RollingBack'],
    [{ rollingBack: 'restoreMounts' }, 'RollingBack'],
    ['cancel', 'RollingBack'],
    [{ cancel: 'x' }, 'RollingBack'],
    ['running', 'Copying'],
    [{ running: 'copy' }, 'Copying'],
    [{ other: 'rollingBack' }, 'Copying'],
  ])('state value %j during copy → phase %s', (value, phase) => {
    const c = ctx({ step: 'copy', failure: 'F' });
    const live = liveFromSnapshot(value, c);
    expect(live.phase).toBe(phase);
    expect(live.progress).toBe(phase === 'RollingBack' ? 'rolling back: F' : `copying ${SRC} to ${DST}`);
  });

  it('shows scaledDown replicas and bytesCopied only once known', () => {
    const bare = liveFromSnapshot('running', ctx({ step: 'copy' }));
    expect(bare).toEqual({ phase: 'Copying', progress: `copying ${SRC} to ${DST}` });
    const full = liveFromSnapshot(
      'running',
      ctx({ step: 'verify', recorded: [WEB, API], copied: { bytes: 7, files: 1 } }),
    );
    expect(full.scaledDown).toEqual([
      { service: 'web', replicas: 2 },
      { service: 'api', replicas: 3 },
    ]);
    expect(full.bytesCopied).toBe(7);
  });
});

describe('liveAmount', () => {
  const done = { bytes: 10 * MIB, files: 100 };
  const total = { bytes: 50 * MIB, files: 500 };
  it.each<['Measuring' | 'Copying' | 'Verifying', MigrationLive]>([
    ['Measuring', { phase: 'Measuring', progress: 'measuring: 10 MiB / 50 MiB, 100/500 files' }],
    ['Copying', { phase: 'Copying', progress: '10 MiB / 50 MiB, 100/500 files', bytesCopied: 10 * MIB }],
    ['Verifying', { phase: 'Verifying', progress: 'verifying: 10 MiB / 50 MiB, 100/500 files' }],
  ])('%s', (phase, want) => {
    expect(liveAmount(phase, done, total)).toEqual(want);
  });
  it('without a total shows the amount alone', () => {
    expect(liveAmount('Measuring', done)).toEqual({
      phase: 'Measuring',
      progress: 'measuring: 10 MiB, 100 files',
    });
  });
});

describe('runningStatus', () => {
  const live: MigrationLive = { phase: 'Copying', progress: '1 MiB, 1 files' };
  it('is Ready=False Progressing, Reconciling=True, not Stalled, with phase/progress and base fields', () => {
    const s = runningStatus(undefined, BASE, live, NOW, 4);
    expect(s).toMatchObject({
      phase: 'Copying',
      progress: '1 MiB, 1 files',
      startedAt: BASE.startedAt,
      desiredHash: 'h1',
      observedGeneration: 4,
    });
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Progressing',
      message: 'Copying: 1 MiB, 1 files',
      observedGeneration: 4,
    });
    expect(cond(s, 'Reconciling')).toMatchObject({ status: 'True', reason: 'Progressing' });
    expect(cond(s, 'Stalled')).toMatchObject({ status: 'False' });
    expect('bytesCopied' in s).toBe(false);
    expect('scaledDown' in s).toBe(false);
  });
  it('without a generation sets no observedGeneration', () => {
    expect('observedGeneration' in runningStatus(undefined, BASE, live, NOW)).toBe(false);
  });
  it('keeps bytesCopied and scaledDown of the previous status until the live one has them', () => {
    const prev = {
      conditions: [],
      bytesCopied: 9,
      scaledDown: [{ service: 'web', replicas: 2 }],
    } as KindStatus;
    const kept = runningStatus(prev, BASE, live, NOW);
    expect(kept['bytesCopied']).toBe(9);
    expect(kept['scaledDown']).toEqual([{ service: 'web', replicas: 2 }]);
    const fresh = runningStatus(prev, BASE, { ...live, bytesCopied: 11, scaledDown: [] }, NOW);
    expect(fresh['bytesCopied']).toBe(11);
    expect(fresh['scaledDown']).toEqual([]);
  });
});

describe('finalStatus', () => {
  const KEY = 'SwarmVolumeMigration/default/move';
  const copied = { bytes: 50 * MIB, files: 500 };
  const out = (o: Partial<VolumeMigrationOutput>): VolumeMigrationOutput => ({
    outcome: 'Succeeded',
    message: 'moved',
    recorded: [],
    ...o,
  });
  const opts = { generation: 3, retryMs: 5000 };

  it('Succeeded: Ready=True, not reconciling nor stalled, completedAt, amounts, no error', () => {
    const r = finalStatus(
      KEY,
      undefined,
      BASE,
      out({ copied, verified: { bytes: 1, files: 1 }, recorded: [WEB] }),
      NOW,
      opts,
    );
    expect(r.error).toBeUndefined();
    expect(r.status).toMatchObject({
      phase: 'Succeeded',
      progress: '1 bytes, 1 files',
      bytesCopied: 50 * MIB,
      scaledDown: [{ service: 'web', replicas: 2 }],
      completedAt: NOW.toISOString(),
      observedGeneration: 3,
      startedAt: BASE.startedAt,
      desiredHash: 'h1',
    });
    expect(cond(r.status, 'Ready')).toMatchObject({ status: 'True', reason: 'Succeeded', message: 'moved' });
    expect(cond(r.status, 'Reconciling')).toMatchObject({ status: 'False' });
    expect(cond(r.status, 'Stalled')).toMatchObject({ status: 'False' });
  });

  it('progress falls back to copied, then to the outcome', () => {
    expect(finalStatus(KEY, undefined, BASE, out({ copied }), NOW, opts).status.progress).toBe(
      '50 MiB, 500 files',
    );
    const bare = finalStatus(KEY, undefined, BASE, out({}), NOW, opts).status;
    expect(bare.progress).toBe('Succeeded');
    expect('bytesCopied' in bare).toBe(false);
    expect('scaledDown' in bare).toBe(false);
  });

  it('Waiting: TargetMissing, reconciling, a waiting error requeued after retryMs, no completedAt', () => {
    const r = finalStatus(
      KEY,
      undefined,
      BASE,
      out({ outcome: 'Waiting', message: 'no volume data2' }),
      NOW,
      opts,
    );
    expect(r.status.phase).toBe('Waiting');
    expect(r.status.progress).toBe('no volume data2');
    expect('completedAt' in r.status).toBe(false);
    expect(cond(r.status, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'TargetMissing',
      message: 'no volume data2',
    });
    expect(cond(r.status, 'Reconciling')).toMatchObject({ status: 'True', reason: 'TargetMissing' });
    expect(cond(r.status, 'Stalled')).toMatchObject({ status: 'False' });
    expect(r.error).toMatchObject({
      code: 'SK_ERR_DEPENDENCY_NOT_READY',
      policy: 'waiting',
      message: `${KEY}: no volume data2`,
      requeueAfterMs: 5000,
    });
  });

  it.each([
    ['RolledBack', 'RolledBack'],
    ['Failed', 'MigrationFailed'],
  ] as const)(
    '%s: Stalled=True reason %s, terminal MIGRATION_FAILED error, completedAt',
    (outcome, reason) => {
      const r = finalStatus(KEY, undefined, BASE, out({ outcome, message: 'copy failed' }), NOW, opts);
      expect(r.status.phase).toBe(outcome);
      expect(r.status['completedAt']).toBe(NOW.toISOString());
      expect(cond(r.status, 'Ready')).toMatchObject({ status: 'False', reason, message: 'copy failed' });
      expect(cond(r.status, 'Stalled')).toMatchObject({ status: 'True', reason, message: 'copy failed' });
      expect(cond(r.status, 'Reconciling')).toMatchObject({ status: 'False' });
      expect(r.error).toMatchObject({
        code: 'SK_ERR_MIGRATION_FAILED',
        policy: 'terminal',
        message: `${KEY}: copy failed`,
      });
    },
  );
});
