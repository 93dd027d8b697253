import '../zod-jitless.js';
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { planToJSON, renderPlan } from '../../../reconciler/plan/render.js';
import type { Plan } from '../../../reconciler/plan/types.js';
import { planOrphans } from '../../runtime/orphans.js';
import { reconcileResource } from '../../stack/reconcile-resource.js';
import { cliSecretHashKey, openContextWhile } from '../context.js';
import { loadForCli } from '../load-source.js';
import type { ExitBox } from '../exit-box.js';
import { cliReconcileDeps, printWarnings, resolveImageOf, stackSettingsOf } from '../stack-options.js';

export interface PlanOpts {
  file: string;
  output: 'text' | 'json';
  prune?: boolean;
  adopt?: boolean;
  limits?: string;
  policy?: string;
  resolveImage?: string;
}

export async function plan(opts: PlanOpts, cmd: Command, exit: ExitBox): Promise<void> {
  const stack = stackSettingsOf(opts);
  const resolveImage = resolveImageOf(opts.resolveImage);
  if (opts.output !== 'text' && opts.output !== 'json')
    throw new Error(`--output must be text or json, not "${opts.output}"`);
  const isDir = statSync(opts.file, { throwIfNoEntry: false })?.isDirectory() ?? false;
  const {
    ctx,
    parsed: src,
    hashKeyRead,
  } = await openContextWhile(cmd, {}, () => loadForCli(opts.file, isDir));
  let hashKeyP: Promise<Buffer> | undefined;
  const hashKey = () => (hashKeyP ??= cliSecretHashKey(cmd, ctx, false, hashKeyRead));
  const plans: { key: string; file: string; plan: Plan }[] = [];
  let failed = src.errors.length > 0;
  const errors = src.errors.map((e) => e.toJSON());
  for (const res of src.ordered) {
    const r = await reconcileResource(
      res,
      {
        mode: 'plan',
        health: false,
        ...(opts.prune !== undefined ? { prune: opts.prune } : { prune: false }),
        ...(opts.adopt ? { adopt: true } : {}),
        ...(resolveImage ? { resolveImage } : {}),
      },
      cliReconcileDeps(ctx, src.root, stack, await hashKey()),
    );
    printWarnings(r.warnings);
    if (r.error) {
      failed = true;
      errors.push({ key: res.key, file: res.origin.file, ...r.error.toJSON() });
      process.stderr.write(`error: ${r.error.message} (${r.error.code})\n`);
    }
    if (r.plan) plans.push({ key: res.key, file: res.origin.file, plan: r.plan });
  }
  if (opts.prune && src.isDirectory && !failed) {
    for (const p of await planOrphans(ctx.swarm, ctx.instanceId, new Set(src.resources.map((r) => r.key))))
      plans.push({ key: p.owner, file: '(removed from source)', plan: p });
  }
  const pending = plans.some((p) => p.plan.actions.length > 0 || p.plan.blocked.length > 0);
  if (opts.output === 'json') {
    const out = {
      resources: plans.map((p) => ({ key: p.key, file: p.file, plan: planToJSON(p.plan) })),
      errors,
      pending,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    for (const p of plans) process.stdout.write(`# ${p.key} (${p.file})\n${renderPlan(p.plan)}\n\n`);
  }
  exit.code = failed ? 1 : pending ? 2 : 0;
}
