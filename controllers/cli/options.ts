/**
 * Option help texts and parsers the command definitions (commands/) share. Light on purpose: the
 * CLI builds every command's definition on each start (--help, --version), so this module imports
 * nothing; what a command does is loaded by its action (actions/).
 */

export const LIMITS_HELP =
  'raise or lower the bounds on a stack, KEY=VALUE,...: replicas (1000), replicasPerNode (1000), ' +
  'parallelism (1000), services (500 per stack), ports (100 per service), mounts (100), networks (50), ' +
  'ulimit (1073741824), bytes (1t), duration (8760h)';

export const POLICY_HELP =
  'a stack policy file (YAML: rules and namespaces: bind mounts, Docker socket, cap_add, host ports, host network, privileged settings)';

export const RESOLVE_IMAGE_HELP =
  'pin images to digests like docker stack deploy: always (resolve every tag), changed (only images ' +
  "that differ from the running ones), never (send the tag as written); default: the stack's " +
  'spec.resolveImage, else always. A registry that cannot be reached prints a warning and keeps the tag';

/** A repeatable option's values. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
