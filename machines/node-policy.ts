/** Timeouts, retries and polling of the SwarmNode machines (join, drain, remove). Pure. */
import { DEFAULT_STEP_POLICY, type StepPolicy } from './step-policy.js';

export interface NodePolicy extends StepPolicy {
  /** How often the polling steps (wait for Ready, drain, demotion, down) look again. */
  pollIntervalMs: number;
  /** After a join or a role change: how long until the manager reports the node ready (and reachable). */
  readyTimeoutMs: number;
  /** How long tasks may take to leave a draining node and run elsewhere. */
  drainTimeoutMs: number;
  /** After leaving: how long until the manager reports the node down (then `node rm`). */
  downTimeoutMs: number;
  /** Node updates per run before giving up on a spec that does not stick (someone else changes it). */
  maxUpdateRounds: number;
}

export const DEFAULT_NODE_POLICY: NodePolicy = {
  ...DEFAULT_STEP_POLICY,
  timeoutMs: { default: 30_000, join: 90_000, leave: 60_000, forceLeave: 60_000 },
  pollIntervalMs: 1_000,
  readyTimeoutMs: 90_000,
  drainTimeoutMs: 300_000,
  downTimeoutMs: 90_000,
  maxUpdateRounds: 3,
};

export function withNodePolicy(overrides: Partial<NodePolicy> = {}): NodePolicy {
  return {
    ...DEFAULT_NODE_POLICY,
    ...overrides,
    timeoutMs: { ...DEFAULT_NODE_POLICY.timeoutMs, ...overrides.timeoutMs },
  };
}
