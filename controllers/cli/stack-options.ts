import { RESOLVE_IMAGE_MODES, type ResolveImageMode } from '../../reconciler/plan/image-pin.js';
import type { ReconcileDeps } from '../stack/reconcile-resource.js';
import { cliStackSettings, type StackSettings } from '../stack/stack-settings.js';
import type { CliContext } from './context.js';

export function stackSettingsOf(opts: { limits?: string; policy?: string }): StackSettings {
  return cliStackSettings(opts);
}

export function printWarnings(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
}

/** Validates --resolve-image. */
export function resolveImageOf(value: string | undefined): ResolveImageMode | undefined {
  if (value === undefined) return undefined;
  if (!(RESOLVE_IMAGE_MODES as readonly string[]).includes(value))
    throw new Error(`--resolve-image must be one of ${RESOLVE_IMAGE_MODES.join(', ')}, not "${value}"`);
  return value as ResolveImageMode;
}

/**
 * What `plan` and `apply` give a stack reconcile: the CLI's Docker connection, and the source's
 * folder as the root of relative binds (docker stack deploy resolves them against the compose file's
 * own folder).
 */
export function cliReconcileDeps(
  ctx: CliContext,
  root: string,
  stack: StackSettings,
  secretHashKey: Buffer,
): ReconcileDeps {
  return {
    swarm: ctx.swarm,
    images: ctx.swarm,
    instanceId: ctx.instanceId,
    secretHashKey,
    root,
    bindRoot: root,
    logger: ctx.logger,
    stack,
  };
}
