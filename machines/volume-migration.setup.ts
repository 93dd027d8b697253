/**
 * setup() of the volume migration machine: actor placeholders (real ones are supplied with
 * `.provide({ actors })`, see controllers/volume-migration/migration-actors.ts), guards, actions and delays.
 */
import { assign, fromPromise, setup } from 'xstate';
import {
  failedMessage,
  rolledBackMessage,
  stepFailureMessage,
  succeededMessage,
  waitingMessage,
} from './volume-migration.messages.js';
import { DEFAULT_STEP_POLICY } from './step-policy.js';
import { retryAssigners, retryDelays, retryGuards } from './step-state.js';
import type {
  Amount,
  ConsumerRecord,
  ConsumersInput,
  CopyInput,
  DiscoverInput,
  EnsuredTarget,
  EnsureTargetInput,
  MigrationPolicy,
  RemoveSourceInput,
  ScaleUpInput,
  SourceInput,
  StepName,
  SwitchInput,
  VolumeMigrationContext,
  VolumeMigrationInput,
  VolumeMigrationOutput,
} from './volume-migration.types.js';

const HOUR = 3_600_000;

export const DEFAULT_MIGRATION_POLICY: MigrationPolicy = {
  ...DEFAULT_STEP_POLICY,
  timeoutMs: {
    default: 60_000,
    scaleDown: 180_000,
    scaleUp: 300_000,
    restoreReplicas: 120_000,
    measure: HOUR,
    copy: 6 * HOUR,
    verify: 6 * HOUR,
  },
  taskPollIntervalMs: 500,
};

export function migrationPolicy(overrides: Partial<MigrationPolicy> = {}): MigrationPolicy {
  return {
    ...DEFAULT_MIGRATION_POLICY,
    ...overrides,
    timeoutMs: { ...DEFAULT_MIGRATION_POLICY.timeoutMs, ...overrides.timeoutMs },
  };
}

function notProvided(name: string): never {
  throw new Error(`volume migration actor "${name}" is not provided; use machine.provide({ actors })`);
}

/** The actors the machine invokes; `.provide()` replaces every one of them. */
export const volumeMigrationActors = {
  /** The consumers with their replicas, mounts and constraints (fails when the source is missing). */
  discover: fromPromise<ConsumerRecord[], DiscoverInput>(async () => notProvided('discover')),
  /** Creates an inline target when missing; reports whether a volumeRef's volume exists. */
  ensureTarget: fromPromise<EnsuredTarget, EnsureTargetInput>(async () => notProvided('ensureTarget')),
  /** Replicas to 0, then waits until no task of the consumers runs. */
  scaleDown: fromPromise<void, ConsumersInput>(async () => notProvided('scaleDown')),
  /** Bytes and files in the source volume (the total of the progress). */
  measure: fromPromise<Amount, SourceInput>(async () => notProvided('measure')),
  /** Streams the source volume's archive into the target volume. */
  copy: fromPromise<Amount, CopyInput>(async () => notProvided('copy')),
  /** Same names, sizes and sha256 on both sides; a difference is a non-retryable StepError. */
  verify: fromPromise<Amount, CopyInput>(async () => notProvided('verify')),
  /** The consumers' mounts (and placement) to the target; idempotent. */
  switch: fromPromise<void, SwitchInput>(async () => notProvided('switch')),
  /** Replicas back to the recorded ones. */
  scaleUp: fromPromise<void, ScaleUpInput>(async () => notProvided('scaleUp')),
  /** The consumers' mounts and constraints back to the recorded ones; idempotent. */
  restoreMounts: fromPromise<void, SwitchInput>(async () => notProvided('restoreMounts')),
  removeSource: fromPromise<void, RemoveSourceInput>(async () => notProvided('removeSource')),
};

export type VolumeMigrationActors = typeof volumeMigrationActors;

const retry = retryAssigners<VolumeMigrationContext>();

export const volumeMigrationSetup = setup({
  types: {
    input: {} as VolumeMigrationInput,
    context: {} as VolumeMigrationContext,
    events: {} as { type: 'RESUME' },
    output: {} as VolumeMigrationOutput,
  },
  actors: volumeMigrationActors,
  guards: {
    ...retryGuards,
    isCancel: ({ context }) => context.mode === 'cancel',
    switchStarted: ({ context }) => context.switchStarted,
    nothingRecorded: ({ context }) => context.recorded.length === 0,
    targetMissing: (_, params: { target: EnsuredTarget }) => !params.target.exists,
    deleteSource: ({ context }) => context.deleteSource,
  },
  actions: {
    enterStep: assign((_, params: { step: StepName }) => ({
      step: params.step,
      attempt: 1,
      lastFailure: undefined,
    })),
    nextAttempt: assign(retry.nextAttempt),
    recordError: assign(retry.recordError),
    recordTimeout: assign(retry.recordTimeout),
    setRecorded: assign((_, params: { recorded: ConsumerRecord[] }) => ({ recorded: params.recorded })),
    setTarget: assign((_, params: { target: EnsuredTarget }) => ({
      targetCreated: params.target.created,
      targetDriver: params.target.driver,
    })),
    setTotal: assign((_, params: { amount: Amount }) => ({ total: params.amount })),
    setCopied: assign((_, params: { amount: Amount }) => ({ copied: params.amount })),
    setVerified: assign((_, params: { amount: Amount }) => ({ verified: params.amount })),
    markSwitchStarted: assign({ switchStarted: true }),
    markCompleted: assign({ completed: true }),
    rememberFailure: assign(({ context }) => ({ failure: stepFailureMessage(context) })),
    rememberCancel: assign(({ context }) => ({
      failure: context.cancelReason ?? 'the migration was cancelled',
    })),
    rememberRemovalFailure: assign(({ context }) => ({
      sourceRemovalFailure: context.lastFailure?.message ?? 'unknown error',
    })),
    finishSucceeded: assign(({ context }) => ({
      outcome: 'Succeeded' as const,
      message: succeededMessage(context),
    })),
    finishRolledBack: assign(({ context }) => ({
      outcome: 'RolledBack' as const,
      message: rolledBackMessage(context),
    })),
    finishFailed: assign(({ context }) => ({ outcome: 'Failed' as const, message: failedMessage(context) })),
    finishWaiting: assign(({ context }) => ({
      outcome: 'Waiting' as const,
      message: waitingMessage(context),
    })),
  },
  delays: {
    ...retryDelays,
  },
});
