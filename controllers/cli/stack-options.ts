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
