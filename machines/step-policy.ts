/** Timeouts, bounded retries and exponential backoff of machine steps. Pure. */
import { backoffDelay } from '../reconciler/units/backoff.js';

export interface StepPolicy {
  /** Per-step timeout in ms; `default` applies to steps not listed. */
  timeoutMs: Record<string, number> & { default: number };
  /** Attempts per step (the first one included) before the machine fails. */
  maxAttempts: number;
  /** Backoff before retry n (n >= 1) is min(maxBackoffMs, baseBackoffMs * 2^(n-1)). */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** verify: how long to wait for the manager to list the plugin, and how often to look. */
  verifyTimeoutMs: number;
  verifyIntervalMs: number;
}

export const DEFAULT_STEP_POLICY: StepPolicy = {
  timeoutMs: { default: 30_000, pull: 180_000, upgrade: 180_000, rollbackUpgrade: 180_000, enable: 60_000 },
  maxAttempts: 3,
  baseBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  verifyTimeoutMs: 60_000,
  verifyIntervalMs: 500,
};

export function withPolicy(overrides: Partial<StepPolicy> = {}): StepPolicy {
  return {
    ...DEFAULT_STEP_POLICY,
    ...overrides,
    timeoutMs: { ...DEFAULT_STEP_POLICY.timeoutMs, ...overrides.timeoutMs },
  };
}

export function stepTimeoutMs(policy: StepPolicy, step: string): number {
  return policy.timeoutMs[step] ?? policy.timeoutMs.default;
}

/** Delay before the retry that follows attempt `attempt` (1-based). */
export function backoffMs(policy: StepPolicy, attempt: number): number {
  return backoffDelay(attempt, { baseMs: policy.baseBackoffMs, maxMs: policy.maxBackoffMs });
}

/** A failure a step reports; `retryable: false` skips the remaining attempts. */
export interface StepFailure {
  message: string;
  retryable: boolean;
}

/** Errors thrown by actor implementations: `retryable` defaults to true. */
export class StepError extends Error {
  readonly retryable: boolean;
  constructor(message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'StepError';
    this.retryable = opts.retryable ?? true;
  }
}

export function toStepFailure(e: unknown): StepFailure {
  if (e instanceof StepError) return { message: e.message, retryable: e.retryable };
  if (e instanceof Error) return { message: e.message, retryable: true };
  return { message: String(e), retryable: true };
}
