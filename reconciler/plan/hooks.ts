/**
 * Deploy hooks in a plan (compose/hooks.ts declares them): which hook steps a revision needs, and
 * which actions of a plan each stage applies. Pure.
 *
 *  - pre-deploy: while a pre-deploy hook of the revision has not completed, only the hook and the
 *    objects it may need that are new (networks, volumes, configs, secrets: creates only) are
 *    applied; every other service keeps its spec.
 *  - deploy: the rest of the plan, once every pre-deploy hook of the revision completed.
 *  - post-deploy: the post-deploy hooks, once the stack converged.
 *
 * A hook whose service already runs (or ran) for the desired revision is settled: the plan never
 * touches it (a completed job is not recreated on a resync, and is no drift).
 */
import { hookPhase, type HookPhase, LABEL_HOOK_REVISION } from '../compose/hooks.js';
import type { DesiredObject, DesiredSecret, DesiredService, ObservedObject } from '../model/objects.js';
import { redactTexts, secretTexts } from '../model/sensitive.js';
import type { Action, HookRun, HookStep, Plan, RecreateAction } from './types.js';

export type { HookRun, HookStep } from './types.js';

/**
 * The hook steps of the desired objects, from the runs observed by service name. A failed run's log
 * lines go to status and Events: every secret value of the stack is redacted from them.
 */
export function hookSteps(desired: readonly DesiredObject[], runs: ReadonlyMap<string, HookRun>): HookStep[] {
  let secrets: string[] | undefined; // the stack's secret texts, longest first, read once when needed
  const redact = (logs: readonly string[]) => {
    const texts = (secrets ??= desired
      .filter((o): o is DesiredSecret => o.kind === 'secret')
      .flatMap((o) => secretTexts(Buffer.from(o.spec.Data.reveal(), 'base64').toString('utf8')))
      .sort((a, b) => b.length - a.length));
    return logs.map((l) => redactTexts(l, texts));
  };
  return desired.flatMap((o): HookStep[] => {
    const phase = hookPhase(o);
    if (phase === undefined) return [];
    const revision = (o as DesiredService).spec.Labels?.[LABEL_HOOK_REVISION] ?? '';
    const run = runs.get(o.name);
    const base = { phase, service: o.name, revision };
    if (run?.revision !== revision) return [{ ...base, state: 'pending' }];
    const state = run.state === 'complete' ? 'done' : run.state;
    return [
      {
        ...base,
        state,
        ...(run.exitCode === undefined ? {} : { exitCode: run.exitCode }),
        ...(run.message === undefined ? {} : { message: run.message }),
        ...(run.logs === undefined ? {} : { logs: redact(run.logs) }),
      },
    ];
  });
}

const isService = (a: Action, names: ReadonlySet<string>): boolean =>
  a.kind === 'service' && names.has(a.name);
const names = (steps: readonly HookStep[], pred: (s: HookStep) => boolean): Set<string> =>
  new Set(steps.filter(pred).map((s) => s.service));

/** The plan without the actions on settled hooks (running, failed or done for the revision). */
export function withoutSettledHooks(plan: Plan, steps: readonly HookStep[]): Plan {
  const settled = names(steps, (s) => s.state !== 'pending');
  return { ...plan, actions: plan.actions.filter((a) => !(isService(a, settled) && a.op !== 'remove')) };
}

/** The hooks of `phase` that have not completed for the revision. */
export function openHooks(steps: readonly HookStep[], phase: HookPhase): HookStep[] {
  return steps.filter((s) => s.phase === phase && s.state !== 'done');
}

/**
 * The actions of one stage: `pre-deploy` runs the pending pre-deploy hooks and creates the new
 * objects they may use; `deploy` everything but the pending hooks; `post-deploy` the pending
 * post-deploy hooks.
 */
export function stagePlan(plan: Plan, steps: readonly HookStep[], stage: HookPhase | 'deploy'): Plan {
  const pending = (phase: HookPhase) => names(steps, (s) => s.phase === phase && s.state === 'pending');
  let keep: (a: Action) => boolean;
  if (stage === 'deploy') {
    const hooks = names(steps, (s) => s.state === 'pending');
    keep = (a) => !(isService(a, hooks) && a.op !== 'remove');
  } else {
    const hooks = pending(stage);
    keep = (a) =>
      (isService(a, hooks) && a.op !== 'remove') ||
      (stage === 'pre-deploy' && a.op === 'create' && a.kind !== 'service');
  }
  return { ...plan, actions: plan.actions.filter(keep) };
}

/**
 * Runs a failed hook again: its job service is removed and created anew (a new run for the same
 * revision; an update would be no change and run nothing).
 */
export function rerunAction(
  step: HookStep,
  desired: DesiredService,
  observed: ObservedObject,
): RecreateAction {
  return {
    op: 'recreate',
    kind: 'service',
    name: step.service,
    id: observed.id,
    desired,
    changes: [
      { path: `hook ${step.phase} run of revision ${step.revision}`, from: 'failed', to: 'run again' },
    ],
    affectedServices: [],
  };
}

/** One line per hook step for the plan output: what the hook does in this revision. */
export function hookLines(steps: readonly HookStep[]): string[] {
  return steps.map((s) => {
    const what =
      s.state === 'pending'
        ? 'would run'
        : s.state === 'done'
          ? 'completed, not run again'
          : s.state === 'running'
            ? 'running'
            : `failed${s.exitCode === undefined ? '' : ` (exit code ${s.exitCode})`}, would run again`;
    return `> hook ${s.phase} ${s.service} (revision ${s.revision}): ${what}`;
  });
}

/** The status message of hooks that block a stage (waiting for them, or one failed). */
export function hookMessage(steps: readonly HookStep[]): string {
  return steps
    .map((s) => {
      const head = `${s.phase} hook ${s.service} (revision ${s.revision})`;
      if (s.state !== 'failed') return `${head}: ${s.state === 'running' ? 'running' : 'starting'}`;
      const code = s.exitCode === undefined ? '' : ` with exit code ${s.exitCode}`;
      const msg = s.message ? ` (${s.message})` : '';
      const logs = s.logs && s.logs.length > 0 ? `; last log lines:\n${s.logs.join('\n')}` : '';
      return `${head} failed${code}${msg}${logs}`;
    })
    .join('\n');
}
