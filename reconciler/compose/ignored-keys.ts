import type { Problems } from './problems.js';

/**
 * Service keys `docker stack deploy` (CLI 28) accepts and ignores, printing
 * `Ignoring unsupported options: …` (its loader's UnsupportedProperties). `restart` is in that
 * list too, yet docker/cli still turns it into the restart policy when deploy.restart_policy is
 * absent; swarmkeeper does the same, and warns the same.
 */
export const UNSUPPORTED_KEYS: readonly string[] = [
  'build',
  'cgroupns_mode',
  'cgroup_parent',
  'devices',
  'domainname',
  'external_links',
  'ipc',
  'links',
  'mac_address',
  'network_mode',
  'pid',
  'privileged',
  'restart',
  'security_opt',
  'shm_size',
  'userns_mode',
];

/** Keys docker accepts, ignores and explains (`Ignoring deprecated options:`), with its words. */
export const DEPRECATED_KEYS: Readonly<Record<string, string>> = {
  container_name: 'Setting the container name is not supported.',
  expose:
    "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
};

/** Keys docker refuses (`Compose file contains unsupported options:`), with its reasons. */
export const FORBIDDEN_KEYS: Readonly<Record<string, string>> = {
  volume_driver:
    'Instead of setting the volume driver on the service, define a volume using the top-level `volumes` option and specify the driver there.',
  volumes_from:
    'To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.',
  cpu_quota: 'Set resource limits using deploy.resources',
  cpu_shares: 'Set resource limits using deploy.resources',
  cpuset: 'Set resource limits using deploy.resources',
  mem_limit: 'Set resource limits using deploy.resources',
  memswap_limit: 'Set resource limits using deploy.resources',
};

/**
 * Keys docker's schema allows and its converter drops without a word. swarmkeeper drops them
 * too and says so (the text is swarmkeeper's own: docker prints nothing).
 */
export const SILENTLY_IGNORED_KEYS: Readonly<Record<string, string>> = {
  depends_on: 'swarm services have no start order',
  tmpfs: 'use a long-syntax volume {type: tmpfs, target: …} for a tmpfs mount',
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Removes from each service the keys docker stack deploy ignores (before strict validation) and
 * returns the warnings docker prints for them; forbidden keys and the long form of depends_on
 * (which docker's schema rejects) become problems. `tree` is the interpolated document.
 */
export function stripIgnoredKeys(tree: unknown, file: string, problems: Problems): string[] {
  if (!isRecord(tree) || !isRecord(tree['services'])) return [];
  const unsupported = new Set<string>();
  const deprecated = new Set<string>();
  const silent: string[] = [];
  for (const [name, svc] of Object.entries(tree['services'])) {
    if (!isRecord(svc)) continue;
    for (const key of Object.keys(svc)) {
      const path = ['services', name, key];
      const forbidden = FORBIDDEN_KEYS[key];
      if (forbidden !== undefined) {
        problems.add(
          'COMPOSE_INVALID',
          path,
          `unsupported option, refused by docker stack deploy too: ${forbidden}`,
        );
      } else if (UNSUPPORTED_KEYS.includes(key)) {
        unsupported.add(key);
        if (key !== 'restart') delete svc[key];
      } else if (Object.hasOwn(DEPRECATED_KEYS, key)) {
        deprecated.add(key);
        delete svc[key];
      } else if (key === 'depends_on' && !isStringList(svc[key])) {
        problems.add(
          'COMPOSE_INVALID',
          path,
          isRecord(svc[key])
            ? 'the long form (a mapping with condition) is rejected by docker stack deploy too, whose schema allows only a list of service names; use a list (swarm ignores it: services have no start order)'
            : 'expected a list of service names',
        );
      } else if (Object.hasOwn(SILENTLY_IGNORED_KEYS, key)) {
        silent.push(
          `${file}: services.${name}.${key}: ignored, as docker stack deploy does (${SILENTLY_IGNORED_KEYS[key]})`,
        );
        delete svc[key];
      }
    }
  }
  const warnings: string[] = [];
  if (unsupported.size > 0)
    warnings.push(`${file}: Ignoring unsupported options: ${[...unsupported].sort().join(', ')}`);
  if (deprecated.size > 0)
    warnings.push(
      `${file}: Ignoring deprecated options:\n\n${[...deprecated]
        .sort()
        .map((k) => `${k}: ${DEPRECATED_KEYS[k]}`)
        .join('\n\n')}`,
    );
  return [...warnings, ...silent];
}

function isStringList(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
