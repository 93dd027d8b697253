import { RESOLVE_IMAGE_MODES, type ResolveImageMode } from '../../reconciler/plan/image-pin.js';
import { cliStackSettings, type StackSettings } from '../stack/stack-settings.js';

export const LIMITS_HELP =
  'raise or lower the bounds on a stack, KEY=VALUE,...: replicas (1000), replicasPerNode (1000), ' +
  'parallelism (1000), services (500 per stack), ports (100 per service), mounts (100), networks (50), ' +
  'ulimit (1073741824), bytes (1t), duration (8760h)';

export const POLICY_HELP =
  'a stack policy file (YAML: rules and namespaces: bind mounts, Docker socket, cap_add, host ports, host network, privileged settings)';

export function stackSettingsOf(opts: { limits?: string; policy?: string }): StackSettings {
  return cliStackSettings(opts);
}

export function printWarnings(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
}

export const RESOLVE_IMAGE_HELP =
  'pin images to digests like docker stack deploy: always (resolve every tag), changed (only images ' +
  "that differ from the running ones), never (send the tag as written); default: the stack's " +
  'spec.resolveImage, else always. A registry that cannot be reached prints a warning and keeps the tag';

/** Validates --resolve-image. */
export function resolveImageOf(value: string | undefined): ResolveImageMode | undefined {
  if (value === undefined) return undefined;
  if (!(RESOLVE_IMAGE_MODES as readonly string[]).includes(value))
    throw new Error(`--resolve-image must be one of ${RESOLVE_IMAGE_MODES.join(', ')}, not "${value}"`);
  return value as ResolveImageMode;
}
