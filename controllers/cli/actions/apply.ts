import '../zod-jitless.js';
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { renderPlan } from '../../../reconciler/plan/render.js';
import type { ApplyProgress } from '../../../reconciler/ports.js';
import type { Plan } from '../../../reconciler/plan/types.js';
import {
  isConverged,
  replicasText,
  type ResourceStatus,
  type ServiceHealth,
} from '../../../reconciler/status/resource-status.js';
import { planOrphans } from '../../runtime/orphans.js';
import { reconcileResource } from '../../stack/reconcile-resource.js';
import { HOOK_POLL_MS } from '../../stack/hook-stages.js';
import { type CliContext, cliSecretHashKey, openContextWhile } from '../context.js';
import { parseDurationMs } from '../../../reconciler/units/duration.js';
import { loadForCli } from '../load-source.js';
import type { ExitBox } from '../exit-box.js';
import { cliReconcileDeps, printWarnings, resolveImageOf, stackSettingsOf } from '../stack-options.js';

export interface ApplyOpts {
  file: string;
  prune?: boolean;
  adopt?: boolean;
  limits?: string;
  policy?: string;
  resolveImage?: string;
  allowEmpty?: boolean;
  wait?: boolean;
  timeout: string;
  concurrency: string;
}

const progress: ApplyProgress = ({ action, phase, error }) => {
  const sym = { create: '+', update: '~', remove: '-', recreate: '-/+' }[action.op];
  // create -> created, update -> updated, remove -> removed, recreate -> recreated
  if (phase === 'done') process.stdout.write(`  ${sym} ${action.kind} ${action.name}: ${action.op}d\n`);
  if (phase === 'failed')
    process.stdout.write(
      `  ! ${action.kind} ${action.name}: ${action.op} failed: ${error?.message ?? 'unknown error'}\n`,
    );
};

const FAILED = new Set(['paused', 'rollback_started', 'rollback_paused', 'rollback_completed']);

/**
 * How long a service whose task template changed may show no rollout state before its running
 * tasks are trusted anyway (Swarm resets UpdateStatus on an update and sets `updating` when its
 * updater starts; until then the old tasks still run and would look converged).
 */
const ROLLOUT_START_GRACE_MS = 15_000;

/** Services whose task template this apply changed: Swarm rolls their tasks. */
export function rolloutsOf(plan: Plan | undefined): string[] {
  return (plan?.actions ?? [])
    .filter(
      (a) =>
        (a.op === 'update' || (a.op === 'recreate' && a.kind === 'service')) &&
        a.changes.some((c) => c.path.startsWith('TaskTemplate') || c.path.startsWith('Mode')),
    )
    .map((a) => a.name);
}

/** Polls service health until every service converged, one failed/rolled back, or the deadline passed. */
async function waitForServices(
  ctx: CliContext,
  keys: string[],
  rollouts: ReadonlySet<string>,
  timeoutMs: number,
  hooks: ReadonlySet<string> = new Set(),
): Promise<boolean> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const last = new Map<string, string>();
  const rolloutSeen = (s: ServiceHealth) =>
    !rollouts.has(s.name) || s.updateState !== undefined || Date.now() - started > ROLLOUT_START_GRACE_MS;
  const converged = (s: ServiceHealth) => rolloutSeen(s) && isConverged(s);
  for (;;) {
    const byOwner = await ctx.swarm.health({ instanceId: ctx.instanceId });
    // a deploy hook is a job that apply already waited for: no rollout to wait for
    const all = keys.flatMap((k) => byOwner.get(k) ?? []).filter((s) => !hooks.has(s.name));
    for (const s of all) {
      const line = `${replicasText(s)}${s.mode === 'job' ? '' : ' running'}${s.updateState ? `, update ${s.updateState}` : ''}`;
      if (last.get(s.name) !== line) process.stdout.write(`  ${s.name}: ${line}\n`);
      last.set(s.name, line);
    }
    const failed = all.filter((s) => s.updateState && FAILED.has(s.updateState));
    if (failed.length > 0) {
      for (const s of failed)
        process.stderr.write(
          `error: service ${s.name}: update ${s.updateState}${s.updateMessage ? `: ${s.updateMessage}` : ''}\n`,
        );
      return false;
    }
    if (all.every(converged)) return true;
    if (Date.now() > deadline) {
      for (const s of all.filter((x) => !converged(x)))
        process.stderr.write(
          `error: service ${s.name} did not converge within the timeout (${s.runningReplicas}/${s.desiredReplicas} running)\n`,
        );
      return false;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A reconcile that waits for deploy hooks: one runs, or post-deploy hooks wait for convergence. */
export function waitsForHooks(r: { error?: { code: string }; plan?: Plan }): boolean {
  if (r.error) return r.error.code === 'SK_ERR_HOOK_RUNNING';
  return (r.plan?.hooks ?? []).some((h) => h.phase === 'post-deploy' && h.state !== 'done');
}

export async function apply(opts: ApplyOpts, cmd: Command, exit: ExitBox): Promise<void> {
  const stack = stackSettingsOf(opts);
  const resolveImage = resolveImageOf(opts.resolveImage);
  const timeoutMs = parseDurationMs(opts.timeout);
  const isDir = statSync(opts.file, { throwIfNoEntry: false })?.isDirectory() ?? false;
  const {
    ctx,
    parsed: src,
    hashKeyRead,
  } = await openContextWhile(cmd, { concurrency: Number(opts.concurrency) }, () =>
    loadForCli(opts.file, isDir),
  );
  let hashKeyP: Promise<Buffer> | undefined;
  const hashKey = () => (hashKeyP ??= cliSecretHashKey(cmd, ctx, true, hashKeyRead));
  let failed = src.errors.length > 0;
  const applied: string[] = [];
  const rollouts = new Set<string>();
  const hooks = new Set<string>();
  for (const res of src.ordered) {
    process.stdout.write(`${res.key} (${res.origin.file})\n`);
    const secretHashKey = await hashKey();
    const once = (prev?: ResourceStatus) =>
      reconcileResource(
        res,
        {
          mode: 'apply',
          // an explicit apply is the operator's retry: a hook that failed before it runs again
          rerunFailedHooks: prev === undefined,
          prune: opts.prune ?? false,
          ...(opts.adopt ? { adopt: true } : {}),
          ...(resolveImage ? { resolveImage } : {}),
          onProgress: progress,
          // --wait reads health itself; hooks still get theirs
          health: false,
        },
        cliReconcileDeps(ctx, src.root, stack, secretHashKey),
        prev,
      );
    // Deploy hooks gate the rollout: poll until they completed (or failed), within --timeout.
    const deadline = Date.now() + timeoutMs;
    let r = await once();
    let said = '';
    while (waitsForHooks(r) && Date.now() < deadline) {
      const msg = r.error?.message ?? 'waiting for the stack to converge before its post-deploy hooks';
      if (msg !== said) process.stdout.write(`  ${(said = msg)}\n`);
      for (const name of rolloutsOf(r.plan)) rollouts.add(name);
      await new Promise((done) => setTimeout(done, HOOK_POLL_MS / 2));
      r = await once(r.status);
    }
    printWarnings(r.warnings);
    if (r.plan && r.plan.actions.length === 0) process.stdout.write('  unchanged\n');
    // A blocked change (ownership conflict, recreate not allowed) leaves the resource unconverged.
    for (const b of r.plan?.blocked ?? []) process.stderr.write(`error: ${b.message} (${b.code})\n`);
    if ((r.plan?.blocked.length ?? 0) > 0) failed = true;
    if (r.error) {
      failed = true;
      process.stderr.write(`error: ${r.error.message} (${r.error.code})\n`);
    } else {
      applied.push(res.key);
      for (const name of rolloutsOf(r.plan)) rollouts.add(name);
      for (const h of r.plan?.hooks ?? []) hooks.add(h.service);
    }
  }
  if (opts.prune && isDir) {
    if (src.resources.length === 0 && !opts.allowEmpty && src.errors.length === 0) {
      process.stderr.write(
        'error: the directory holds no resources; refusing to prune everything without --allow-empty\n',
      );
      failed = true;
    } else if (!failed) {
      for (const p of await planOrphans(
        ctx.swarm,
        ctx.instanceId,
        new Set(src.resources.map((r) => r.key)),
      )) {
        process.stdout.write(`${p.owner} (removed from source)\n${renderPlan(p).replace(/^/gm, '  ')}\n`);
        const results = await ctx.swarm.apply(p, { onProgress: progress });
        if (results.some((x) => !x.ok)) failed = true;
      }
    }
  }
  if (opts.wait && applied.length > 0 && !(await waitForServices(ctx, applied, rollouts, timeoutMs, hooks)))
    failed = true;
  exit.code = failed ? 1 : 0;
}
