/**
 * Volume migration machine (SwarmVolumeMigration): copy a Docker volume from one node to another
 * (or another driver) while its consumer services are stopped, verify, and move the services over.
 *
 *   discover        the consumers with replicas, mounts and constraints (recorded: rollback restores them)
 *   ensureTarget    inline spec: create it (owner labels); volumeRef: it must exist, else -> waiting
 *   scaleDown       consumers to 0 replicas, until none of their tasks runs
 *   measure         bytes and files in the source (the total of the progress)
 *   copy            source archive streamed into the target (never-started helper containers)
 *   verify          names, sizes and sha256 of every entry equal on both sides
 *   switch          consumers' mounts to the target, pinned to the target node
 *   scaleUp         recorded replicas, until the tasks run on the target -> completed
 *   removeSource    only with deleteSource, only once completed -> succeeded
 *
 * Ensuring the target comes before the scale-down (the issue lists it after): a volumeRef that does
 * not exist yet then makes the migration wait with its consumers still running, not stopped.
 *
 * Rollback: a failure in scaleDown..verify -> restoreReplicas (the source was never touched);
 * in switch or scaleUp -> restoreMounts -> restoreReplicas. Final: succeeded, rolledBack, failed
 * (the failure, and the rollback failure if any), waiting (nothing changed). `mode: cancel` starts
 * directly in the rollback of what an interrupted run had changed (the resource was deleted).
 *
 * Every step: a timeout and bounded retries with backoff. Every non-final state accepts RESUME (sent
 * by the runner after a restore) and re-enters its step; a step's context output (recorded consumers,
 * copied, verified) is persisted with the transition that leaves it, so a resume after verify goes
 * straight to switch, never back to copy. A resumed copy starts over (the archive is extracted over
 * the target again), and verify always follows it.
 */
import type {
  Amount,
  ConsumerRecord,
  EnsuredTarget,
  StepName,
  VolumeMigrationOutput,
} from './volume-migration.types.js';
import { onError, retryingStep } from './step-state.js';
import { volumeMigrationSetup as S } from './volume-migration.setup.js';

type StateConfig = Parameters<typeof S.createStateConfig>[0];
type Invoke = NonNullable<StateConfig['invoke']>;
type Always = StateConfig['always'];

const ID = 'volumeMigration';
const FAILED = `#${ID}.failed`;
const SUCCEEDED = `#${ID}.succeeded`;
const RESTORE_REPLICAS = `#${ID}.rollingBack.restoreReplicas`;
const RESTORE_MOUNTS = `#${ID}.rollingBack.restoreMounts`;

/** State id of a step (ids must not contain dots). */
export const migrationStepId = (step: StepName): string => `mig-${step}`;

const beforeSwitch = { target: RESTORE_REPLICAS, actions: 'rememberFailure' } as const;
const afterSwitch = { target: RESTORE_MOUNTS, actions: 'rememberFailure' } as const;

/**
 * A step invoking one actor with a timeout and bounded retries:
 * run --(done)--> onDone; run --(error | stepTimeout)--> retry --(backoff)--> run; exhausted -> onFailure.
 */
function retrying(step: StepName, invoke: Invoke, onFailure: Always, entry: string[] = []): StateConfig {
  return S.createStateConfig(
    retryingStep(
      migrationStepId(step),
      [{ type: 'enterStep', params: { step } }, ...(entry as 'markSwitchStarted'[])],
      invoke,
      onFailure,
    ),
  );
}

const amount = (output: unknown) => ({ amount: output as Amount });

export const volumeMigrationMachine = S.createMachine({
  id: ID,
  context: ({ input }) => ({
    ...input,
    step: 'discover',
    attempt: 1,
    recorded: input.recorded ?? [],
    switchStarted: input.switchStarted ?? false,
    completed: false,
  }),
  initial: 'start',
  states: {
    start: {
      always: [{ guard: 'isCancel', target: 'cancel' }, { target: 'discover' }],
    },
    cancel: {
      entry: 'rememberCancel',
      always: [
        { guard: 'nothingRecorded', target: 'rolledBack' },
        { guard: 'switchStarted', target: RESTORE_MOUNTS },
        { target: RESTORE_REPLICAS },
      ],
    },
    discover: retrying(
      'discover',
      {
        id: 'discover',
        src: 'discover',
        input: ({ context }) => ({
          source: context.source,
          ...(context.consumers ? { consumers: context.consumers } : {}),
          ...(context.corrected ? { corrected: context.corrected } : {}),
        }),
        onDone: {
          target: `#${ID}.ensureTarget`,
          actions: {
            type: 'setRecorded',
            params: ({ event }) => ({ recorded: event.output as ConsumerRecord[] }),
          },
        },
        onError: onError(),
      },
      FAILED,
    ),
    ensureTarget: retrying(
      'ensureTarget',
      {
        id: 'ensureTarget',
        src: 'ensureTarget',
        input: ({ context }) => ({ target: context.target }),
        onDone: [
          {
            guard: {
              type: 'targetMissing',
              params: ({ event }) => ({ target: event.output as EnsuredTarget }),
            },
            target: `#${ID}.waiting`,
          },
          {
            target: `#${ID}.scaleDown`,
            actions: {
              type: 'setTarget',
              params: ({ event }) => ({ target: event.output as EnsuredTarget }),
            },
          },
        ],
        onError: onError(),
      },
      FAILED,
    ),
    scaleDown: retrying(
      'scaleDown',
      {
        id: 'scaleDown',
        src: 'scaleDown',
        input: ({ context }) => ({ consumers: context.recorded }),
        onDone: `#${ID}.measure`,
        onError: onError(),
      },
      beforeSwitch,
    ),
    measure: retrying(
      'measure',
      {
        id: 'measure',
        src: 'measure',
        input: ({ context }) => ({ source: context.source }),
        onDone: {
          target: `#${ID}.copy`,
          actions: { type: 'setTotal', params: ({ event }) => amount(event.output) },
        },
        onError: onError(),
      },
      beforeSwitch,
    ),
    copy: retrying(
      'copy',
      {
        id: 'copy',
        src: 'copy',
        input: ({ context }) => ({
          source: context.source,
          target: context.target,
          ...(context.total ? { total: context.total } : {}),
        }),
        onDone: {
          target: `#${ID}.verify`,
          actions: { type: 'setCopied', params: ({ event }) => amount(event.output) },
        },
        onError: onError(),
      },
      beforeSwitch,
    ),
    verify: retrying(
      'verify',
      {
        id: 'verify',
        src: 'verify',
        input: ({ context }) => ({
          source: context.source,
          target: context.target,
          ...(context.total ? { total: context.total } : {}),
        }),
        onDone: {
          target: `#${ID}.switch`,
          actions: { type: 'setVerified', params: ({ event }) => amount(event.output) },
        },
        onError: onError(),
      },
      beforeSwitch,
    ),
    switch: retrying(
      'switch',
      {
        id: 'switch',
        src: 'switch',
        input: ({ context }) => ({
          consumers: context.recorded,
          source: context.source,
          target: context.target,
        }),
        onDone: `#${ID}.scaleUp`,
        onError: onError(),
      },
      afterSwitch,
      ['markSwitchStarted'],
    ),
    scaleUp: retrying(
      'scaleUp',
      {
        id: 'scaleUp',
        src: 'scaleUp',
        input: ({ context }) => ({ consumers: context.recorded, wait: true }),
        onDone: { target: `#${ID}.completed`, actions: 'markCompleted' },
        onError: onError(),
      },
      afterSwitch,
    ),
    completed: {
      always: [{ guard: 'deleteSource', target: 'removeSource' }, { target: 'succeeded' }],
    },
    removeSource: retrying(
      'removeSource',
      {
        id: 'removeSource',
        src: 'removeSource',
        input: ({ context }) => ({ source: context.source, consumers: context.recorded }),
        onDone: SUCCEEDED,
        onError: onError(),
      },
      // the data is migrated and verified: a source that cannot be removed is a note, not a failure
      { target: SUCCEEDED, actions: 'rememberRemovalFailure' },
    ),
    rollingBack: {
      initial: 'restoreMounts',
      states: {
        restoreMounts: retrying(
          'restoreMounts',
          {
            id: 'restoreMounts',
            src: 'restoreMounts',
            input: ({ context }) => ({
              consumers: context.recorded,
              source: context.source,
              target: context.target,
            }),
            onDone: RESTORE_REPLICAS,
            onError: onError(),
          },
          FAILED,
        ),
        restoreReplicas: retrying(
          'restoreReplicas',
          {
            id: 'restoreReplicas',
            src: 'scaleUp',
            input: ({ context }) => ({ consumers: context.recorded, wait: false }),
            onDone: `#${ID}.rolledBack`,
            onError: onError(),
          },
          FAILED,
        ),
      },
    },
    succeeded: { type: 'final', entry: 'finishSucceeded' },
    rolledBack: { type: 'final', entry: 'finishRolledBack' },
    failed: { type: 'final', entry: 'finishFailed' },
    waiting: { type: 'final', entry: 'finishWaiting' },
  },
  output: ({ context }): VolumeMigrationOutput => {
    const out: VolumeMigrationOutput = {
      outcome: context.outcome ?? 'Failed',
      message: context.message ?? '',
      recorded: context.recorded,
    };
    if (context.total) out.total = context.total;
    if (context.copied) out.copied = context.copied;
    if (context.verified) out.verified = context.verified;
    return out;
  },
});

export type VolumeMigrationMachine = typeof volumeMigrationMachine;
