import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { LABEL_OWNER } from '../../../reconciler/model/ownership.js';
import { getCondition } from '../../../reconciler/status/conditions.js';
import {
  type HookStatus,
  isConverged,
  replicasText,
  type ResourceStatus,
  type ServiceHealth,
} from '../../../reconciler/status/resource-status.js';
import { reconcileResource } from '../../stack/reconcile-resource.js';
import { cliSecretHashKey, openContext } from '../context.js';
import { loadForCli } from '../load-source.js';
import type { ExitBox } from '../exit-box.js';
import { stackSettingsOf } from '../stack-options.js';
import { type StatusRow, statusText } from '../status-output.js';

export interface StatusOpts {
  file?: string;
  output: string;
  redisUrl?: string;
}

/** Ready condition and applied revision per resource, as the running controller stored them. */
async function controllerStatus(redisUrl: string, instanceId: string): Promise<Map<string, ResourceStatus>> {
  const { parseRedisUrl } = await import('../../redis/redis-url.js');
  const { createRedis } = await import('../../redis/redis-client.js');
  const { RedisStatusStore } = await import('../../redis/status-store.js');
  // One try: an unreachable Redis (or set of sentinels) is an error now, not a wait.
  const target = parseRedisUrl(redisUrl);
  const redis = createRedis(target, {
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
  });
  let lastError: Error | undefined;
  redis.on('error', (e: Error) => (lastError = e)); // reported below, not as an unhandled event
  try {
    return await new RedisStatusStore(redis, `swarmkeeper:${instanceId}`).list();
  } catch (e) {
    const why =
      lastError && lastError !== e ? `${(e as Error).message} (${lastError.message})` : (e as Error).message;
    throw new Error(`cannot read the controller's status from ${target.display}: ${why}`, { cause: e });
  } finally {
    redis.disconnect();
  }
}

function readyText(st: ResourceStatus | undefined): string {
  const c = getCondition(st?.conditions, 'Ready');
  if (!c) return '-';
  return c.status === 'True' ? 'True' : `${c.status} (${c.reason}: ${c.message})`;
}

function health(services: ServiceHealth[]): string {
  if (services.length === 0) return '-';
  const failed = services.find((s) => s.updateState && /paused|rollback/.test(s.updateState));
  if (failed) return `Degraded (${failed.name}: ${failed.updateState})`;
  return services.every(isConverged) ? 'Healthy' : 'Progressing';
}

export async function status(opts: StatusOpts, cmd: Command, exit: ExitBox): Promise<void> {
  const ctx = openContext(cmd);
  let hashKeyP: Promise<Buffer> | undefined;
  const hashKey = () => (hashKeyP ??= cliSecretHashKey(cmd, ctx, false));
  const observed = await ctx.swarm.observe({ instanceId: ctx.instanceId });
  const objects = new Map<string, number>();
  for (const o of observed.objects) {
    const owner = o.labels[LABEL_OWNER];
    if (owner) objects.set(owner, (objects.get(owner) ?? 0) + 1);
  }
  const healthByOwner = await ctx.swarm.health({ instanceId: ctx.instanceId });
  const sync = new Map<string, string>();
  const planned = new Map<string, HookStatus[]>(); // -f: the hooks of the files' revision, read now
  let failed = false;
  if (opts.file) {
    const src = loadForCli(opts.file, statSync(opts.file, { throwIfNoEntry: false })?.isDirectory() ?? false);
    failed = src.errors.length > 0;
    for (const res of src.ordered) {
      const r = await reconcileResource(
        res,
        { mode: 'plan', prune: true },
        {
          swarm: ctx.swarm,
          instanceId: ctx.instanceId,
          secretHashKey: await hashKey(),
          root: src.root,
          stack: stackSettingsOf({}),
          bindRoot: src.root,
          logger: ctx.logger,
        },
      );
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      if (r.outcome.hooks && r.outcome.hooks.length > 0) planned.set(res.key, r.outcome.hooks);
      const n = r.plan?.actions.length ?? 0;
      sync.set(
        res.key,
        r.error
          ? `Error (${r.error.reason})`
          : !objects.has(res.key)
            ? 'NotDeployed'
            : n === 0
              ? 'InSync'
              : `OutOfSync (${n} changes)`,
      );
      if (!objects.has(res.key)) objects.set(res.key, 0);
    }
  }
  const controller = opts.redisUrl ? await controllerStatus(opts.redisUrl, ctx.instanceId) : undefined;
  for (const key of controller?.keys() ?? []) if (!objects.has(key)) objects.set(key, 0);
  const rows: StatusRow[] = [...objects.keys()].sort().map((key) => {
    const services = healthByOwner.get(key) ?? [];
    const st = controller?.get(key);
    const hooks = planned.get(key) ?? st?.hooks ?? [];
    return {
      ...(controller
        ? {
            ready: readyText(st),
            revision: st?.lastAppliedRevision?.replace(/^(sha256:)?(.{12}).*$/, '$1$2') ?? '-',
          }
        : {}),
      resource: key,
      sync: sync.get(key) ?? (opts.file ? 'NotInSource' : '-'),
      health: health(services),
      services: services.map((s) => `${s.name} ${replicasText(s)}`).join(', ') || '-',
      objects: objects.get(key) ?? 0,
      ...(hooks.length > 0 ? { hooks } : {}),
    };
  });
  if (opts.output === 'json') process.stdout.write(`${JSON.stringify({ resources: rows }, null, 2)}\n`);
  else process.stdout.write(`${statusText(rows, controller !== undefined)}\n`);
  exit.code = failed ? 1 : 0;
}
