/** The text after the options of `run --help`; its `Kinds:` paragraph comes from the kind registry. */
import { kindsByRank } from '../../reconciler/api/kinds.js';

const list = (names: readonly string[]): string =>
  names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;

/** Words wrapped at `width` columns. */
export function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

export function kindsHelp(): string {
  const planned = kindsByRank(true).map((k) => k.kind);
  const machines = kindsByRank(false).map((k) => k.kind);
  return wrap(
    `Kinds: ${list(planned)} are planned and applied; ${list(machines)} run as state machines over ` +
      "the nodes, reaching each node's own daemon through its SwarmNode resource (spec.address, " +
      'spec.tls) or --node-endpoint.',
  );
}

/** Stacks, kinds and the environment `run` reads. */
export function runHelp(): string {
  return `
Stacks: \${VAR} reads spec.env, the .env file beside the compose file, and only the variables
--allow-env names. Bounds (--limits) and the stack policy (--policy, or policy=FILE on a --source)
are checked before planning; a stack that breaks them is refused whole (SK_ERR_LIMIT_EXCEEDED,
SK_ERR_POLICY_DENIED) and the others converge. Git sources may not bind-mount the Docker socket or
"/" unless a policy file allows it (dockerSocket: allow, hostRoot: allow).

${kindsHelp()}

Environment:
  DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH  the manager's Docker API (TLS for tcp://)
  SWARMKEEPER_ALLOW_INSECURE_TCP=1     allow plain tcp:// without TLS (manager and nodes)
  SWARMKEEPER_WEBHOOK_SECRET           like --webhook-secret-file
  SWARMKEEPER_MIGRATION_HELPER_IMAGE   image of the never-started helper containers of volume
                                       migrations (default local/busybox:1; must exist on the nodes)
  SWARMKEEPER_MIGRATION_BANDWIDTH      copy limit per second for volume migrations, e.g. 20MB`;
}
