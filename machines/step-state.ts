/**
 * The retrying step of the machines (plugin install, volume migration, SwarmNode) and the guard,
 * actions and delays it names. Pure.
 *
 *   run --(done)--> invoke.onDone
 *   run --(error: onError() | stepTimeout)--> retry --(backoff)--> run (next attempt)
 *   retry, when the failure is not retryable or the attempts are spent --> exhausted --> onFailure
 *   RESUME (sent by the runner after a restore: timers are not persisted) re-enters the step.
 *
 * The state config is plain data that each machine wraps in its own `createStateConfig`. Its names
 * (states run/retry/exhausted, guard cannotRetry, actions enterStep/recordTimeout/nextAttempt/
 * recordError, delays stepTimeout/backoff) must exist in the machine's setup() (retryGuards,
 * retryAssigners, retryDelays below; enterStep is the machine's own, it resets its own counters),
 * and the state names are in the snapshots persisted in Redis: never rename them.
 */
import { backoffMs, stepTimeoutMs, toStepFailure, type StepFailure, type StepPolicy } from './step-policy.js';

/** What the retry plumbing reads and writes in a machine's context. */
export interface RetryContext {
  policy: StepPolicy;
  step: string;
  attempt: number;
  lastFailure?: StepFailure;
}

type RetryArgs = { context: RetryContext };

/**
 * A step (state id `id`) that invokes one actor with a timeout and bounded retries, then `onFailure`.
 * `entry` is the machine's entry of the step (its `enterStep`, and anything else it does on entry).
 */
export function retryingStep<const TEntry, TInvoke, TFailure>(
  id: string,
  entry: TEntry,
  invoke: TInvoke,
  onFailure: TFailure,
) {
  return {
    id,
    entry,
    initial: 'run',
    on: { RESUME: { target: `#${id}`, reenter: true } },
    states: {
      run: {
        invoke,
        after: { stepTimeout: { target: 'retry', actions: 'recordTimeout' } },
      },
      retry: {
        always: { guard: 'cannotRetry', target: 'exhausted' },
        after: { backoff: { target: 'run', actions: 'nextAttempt' } },
      },
      exhausted: { always: onFailure },
    },
  } as const;
}

/** onError of an invoke: record the failure (`lastFailure`), then go to `target`. */
export function recordErrorTo<const T extends string>(target: T) {
  return {
    target,
    actions: {
      type: 'recordError',
      params: ({ event }: { event: { error: unknown } }) => ({ error: event.error }),
    },
  } as const;
}

/** onError of a retrying step's invoke. */
export function onError() {
  return recordErrorTo('retry');
}

/** Guards of the retrying step (spread into setup({ guards })). */
export const retryGuards = {
  cannotRetry: ({ context }: RetryArgs) =>
    // Stryker disable next-line OptionalChaining: equivalent, retry is entered only after recordError/recordTimeout set lastFailure
    context.lastFailure?.retryable === false || context.attempt >= context.policy.maxAttempts,
};

/**
 * Context updates of the retrying step, for a machine whose context is `C` (each wrapped in assign()
 * by the machine's setup: `const retry = retryAssigners<Ctx>()`, `nextAttempt: assign(retry.nextAttempt)`).
 */
export function retryAssigners<C extends RetryContext>() {
  return {
    nextAttempt: ({ context }: { context: C }) => ({ attempt: context.attempt + 1 }),
    recordError: (_: unknown, params: { error: unknown }) => ({ lastFailure: toStepFailure(params.error) }),
    recordTimeout: ({ context }: { context: C }) => ({
      lastFailure: {
        message: `timed out after ${stepTimeoutMs(context.policy, context.step)} ms`,
        retryable: true,
      },
    }),
  };
}

/** Delays of the retrying step (spread into setup({ delays })). */
export const retryDelays = {
  stepTimeout: ({ context }: RetryArgs) => stepTimeoutMs(context.policy, context.step),
  backoff: ({ context }: RetryArgs) => backoffMs(context.policy, context.attempt),
};
