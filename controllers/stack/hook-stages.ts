/**
 * Deploy hooks in a stack reconcile (reconciler/plan/hooks.ts has the rules): observe the hook
 * runs of the desired revision, and apply one hook stage. A stage that waits for its hooks ends the
 * reconcile with SK_ERR_HOOK_RUNNING (waiting: requeued shortly), a failed hook with
 * SK_ERR_HOOK_FAILED (transient: retried with backoff; the retry runs the hook again).
 */
import { hookPhase, type HookPhase } from '../../reconciler/compose/hooks.js';
import { asSwarmkeeperError, skError } from '../../reconciler/errors.js';
import type { DesiredObject, DesiredService, ObservedState } from '../../reconciler/model/objects.js';
import {
  type HookRun,
  type HookStep,
  hookMessage,
  hookSteps,
  openHooks,
  rerunAction,
  stagePlan,
} from '../../reconciler/plan/hooks.js';
import type { Plan } from '../../reconciler/plan/types.js';
import { getCondition } from '../../reconciler/status/conditions.js';
import type { ResourceStatus } from '../../reconciler/status/resource-status.js';
import type { ActionResult, ApplyProgress, SwarmPort } from '../ports.js';

/**
 * Throws when an apply left actions failed: a single failure as its own error, several (or one
 * without an error) as one SK_ERR_DOCKER_API naming each.
 */
export function throwIfFailed(results: readonly ActionResult[]): void {
  const failed = results.filter((r) => !r.ok);
  const [first] = failed;
  if (!first) return;
  if (failed.length === 1 && first.error) throw asSwarmkeeperError(first.error);
  throw skError(
    'DOCKER_API',
    failed
      .map((r) => r.error?.message ?? `${r.action.op} ${r.action.kind} ${r.action.name} failed`)
      .join('; '),
  );
}

/** Requeue delay while a hook runs. */
export const HOOK_POLL_MS = 2000;

/** Completed hook runs seen, per Swarm port: by service id, at the service's version. */
const completed = new WeakMap<SwarmPort, Map<string, { version: number; run: HookRun }>>();
/** Bound of the completed runs kept per port (the oldest go first). */
export const COMPLETED_RUNS_KEPT = 1000;

/**
 * The hook steps of the desired revision (no Docker call when the stack has no hook). A run seen
 * complete is final for its service at that version (a new run of a job needs a service update,
 * which raises the version; a removed service is gone from `observed`), so it is remembered and not
 * listed again: a stack whose hooks all completed for its revision costs no more calls per reconcile
 * than one without. A restarted controller reads Docker once.
 */
export async function observeHooks(
  swarm: SwarmPort,
  desired: readonly DesiredObject[],
  observed: ObservedState,
): Promise<HookStep[]> {
  const hooks = new Set(desired.filter((o) => hookPhase(o) !== undefined).map((o) => o.name));
  const services = observed.objects.filter((o) => o.kind === 'service' && hooks.has(o.name));
  let seen = completed.get(swarm);
  if (!seen) completed.set(swarm, (seen = new Map()));
  const runs = new Map<string, HookRun>();
  const ask: string[] = [];
  for (const o of services) {
    const known = seen.get(o.id);
    if (known && o.version !== undefined && known.version === o.version) runs.set(o.name, known.run);
    else ask.push(o.id);
  }
  if (ask.length > 0 && swarm.hookRuns)
    for (const [name, run] of await swarm.hookRuns(ask)) {
      runs.set(name, run);
      const o = services.find((x) => x.name === name);
      if (run.state !== 'complete' || o?.version === undefined) continue;
      seen.delete(o.id);
      seen.set(o.id, { version: o.version, run });
      if (seen.size > COMPLETED_RUNS_KEPT) seen.delete(seen.keys().next().value as string);
    }
  return hookSteps(desired, runs);
}

export interface StageInput {
  owner: string;
  phase: HookPhase;
  plan: Plan;
  steps: readonly HookStep[];
  desired: readonly DesiredObject[];
  observed: ObservedState;
  prev: ResourceStatus | undefined;
  /** Run a failed hook again even when its failure was not reported yet (the CLI's apply). */
  rerunFailed?: boolean;
  apply: (plan: Plan, opts: { onProgress?: ApplyProgress; signal?: AbortSignal }) => Promise<ActionResult[]>;
  onProgress?: ApplyProgress;
  signal?: AbortSignal;
  /** Receives what the stage applied. */
  onResults: (results: ActionResult[]) => void;
}

/**
 * Runs the open hooks of one phase: a failure not reported yet is reported (HOOK_FAILED); one
 * reported before is run again; pending hooks are created or updated. Always throws: the stage
 * has not completed until its hooks have.
 */
export async function runHookStage(i: StageInput): Promise<never> {
  const open = openHooks(i.steps, i.phase);
  const failed = open.filter((s) => s.state === 'failed');
  const reported =
    i.rerunFailed === true || getCondition(i.prev?.conditions, 'Ready')?.reason === 'HookFailed';
  if (failed.length > 0 && !reported)
    throw skError('HOOK_FAILED', `${i.owner}: the rollout is stopped: ${hookMessage(failed)}`);
  const reruns = failed.flatMap((s) => {
    const desired = i.desired.find((o) => o.kind === 'service' && o.name === s.service);
    const observed = i.observed.objects.find((o) => o.kind === 'service' && o.name === s.service);
    return desired && observed ? [rerunAction(s, desired as DesiredService, observed)] : [];
  });
  const stage = stagePlan(i.plan, i.steps, i.phase);
  const actions = [...stage.actions, ...reruns];
  if (actions.length > 0) {
    const results = await i.apply(
      { ...stage, actions },
      { ...(i.onProgress ? { onProgress: i.onProgress } : {}), ...(i.signal ? { signal: i.signal } : {}) },
    );
    i.onResults(results);
    throwIfFailed(results);
  }
  const waiting = open.map((s) => (s.state === 'failed' ? { ...s, state: 'pending' as const } : s));
  throw skError(
    'HOOK_RUNNING',
    `${i.owner}: waiting for ${waiting.length === 1 ? 'a hook' : 'hooks'}: ${hookMessage(waiting)}`,
    // waiting for a hook is no success: a hook that fails again backs off further
    { requeueAfterMs: HOOK_POLL_MS, keepsBackoff: true },
  );
}
