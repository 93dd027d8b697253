/**
 * What Docker and the Swarm manager would refuse at apply time, checked offline so that
 * `validate` and `plan` fail first, each message quoting the rule (swarmkit's controlapi, the
 * distribution reference grammar, moby's volume names, docker/cli's label check).
 */
import type { PathSegment, Problems } from '../compose/problems.js';
import type { ComposeProject, ComposeService } from '../compose/types.js';
import { imageReferenceProblem } from './image-ref.js';

const DNS_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
const DNS_RULE = 'swarmkit validateAnnotations: ^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$, at most 63 characters';
const CONFIG_NAME = /^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$/;
const CONFIG_RULE =
  'swarmkit validateConfigOrSecretAnnotations: "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]"';
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const VOLUME_RULE = 'moby local volume names: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$';
/** `-` and the first 10 hex characters of the content hash, appended to config and secret names. */
const HASH_SUFFIX = 11;
const MIN_HEALTH_NS = 1_000_000;

/** A Swarm object name as swarmkit's validateAnnotations checks it (services, networks). */
export function dnsNameProblem(what: string, name: string): string | undefined {
  if (name === '') return `the ${what} name is empty; Swarm refuses it: "meta: name must be provided"`;
  if (!DNS_NAME.test(name))
    return `${what} name ${JSON.stringify(name)} is refused by Swarm: "name must be valid as a DNS name component" (${DNS_RULE})`;
  if (name.length > 63)
    return `${what} name "${name}" has ${name.length} characters; Swarm refuses it: "name must be 63 characters or fewer" (${DNS_RULE})`;
  return undefined;
}

function configNameProblem(what: string, base: string): string | undefined {
  const name = `${base}-0123456789`;
  if (!CONFIG_NAME.test(base) || name.length > 64)
    return `${what} name ${JSON.stringify(base)} (created as "${base}-<hash>", ${base.length + HASH_SUFFIX} characters) is refused by Swarm: ${CONFIG_RULE}`;
  return undefined;
}

/** docker/cli opts.ValidateLabel: a label key is not empty and has no whitespace. */
function labelProblems(labels: Record<string, unknown> | undefined, path: PathSegment[], problems: Problems) {
  for (const key of Object.keys(labels ?? {})) {
    if (key.trim() === '')
      problems.add(
        'COMPOSE_INVALID',
        path,
        `label key ${JSON.stringify(key)}: "invalid label '${key}': empty name" (docker/cli opts.ValidateLabel)`,
      );
    else if (/\s/.test(key))
      problems.add(
        'COMPOSE_INVALID',
        [...path, key],
        `label key ${JSON.stringify(key)}: "label '${key}' contains whitespaces" (docker/cli opts.ValidateLabel)`,
      );
  }
}

/** Every Docker rule the stack `stack` would break, as compose problems (file, line, path). */
export function checkDockerRules(project: ComposeProject, stack: string, problems: Problems): void {
  const stackProblem = dnsNameProblem('stack', stack);
  if (stackProblem)
    problems.add('COMPOSE_INVALID', [], `${stackProblem}; every object of the stack is named <stack>_<key>`);
  for (const [key, svc] of Object.entries(project.services)) checkService(stack, key, svc, problems);
  const usesDefault = Object.values(project.services).some(
    (svc) => Object.keys(svc.networks ?? {}).length === 0 || Object.hasOwn(svc.networks ?? {}, 'default'),
  );
  if (usesDefault && !stackProblem && !Object.hasOwn(project.networks, 'default')) {
    const p = dnsNameProblem('network', `${stack}_default`);
    if (p) problems.add('COMPOSE_INVALID', [], `${p}; the stack's default network is named <stack>_default`);
  }
  for (const [key, net] of Object.entries(project.networks)) {
    labelProblems(net.labels, ['networks', key, 'labels'], problems);
    if (net.external?.external) continue;
    const p = dnsNameProblem('network', net.name ?? `${stack}_${key}`);
    if (p) problems.add('COMPOSE_INVALID', ['networks', key, ...(net.name ? ['name'] : [])], p);
  }
  for (const [key, vol] of Object.entries(project.volumes)) {
    labelProblems(vol.labels, ['volumes', key, 'labels'], problems);
    if (vol.external?.external || (vol.driver !== undefined && vol.driver !== 'local')) continue;
    const name = vol.name ?? `${stack}_${key}`;
    if (!VOLUME_NAME.test(name))
      problems.add(
        'COMPOSE_INVALID',
        ['volumes', key, ...(vol.name ? ['name'] : [])],
        `volume name ${JSON.stringify(name)} is refused by Docker: "includes invalid characters for a local volume name" (${VOLUME_RULE})`,
      );
  }
  for (const kind of ['configs', 'secrets'] as const) {
    for (const [key, obj] of Object.entries(project[kind])) {
      labelProblems(obj.labels, [kind, key, 'labels'], problems);
      if (obj.external?.external) continue;
      const p = configNameProblem(kind === 'configs' ? 'config' : 'secret', obj.name ?? `${stack}_${key}`);
      if (p) problems.add('COMPOSE_INVALID', [kind, key, ...(obj.name ? ['name'] : [])], p);
    }
  }
}

function checkService(stack: string, key: string, svc: ComposeService, problems: Problems): void {
  const base = ['services', key];
  const nameProblem = dnsNameProblem('service', `${stack}_${key}`);
  if (nameProblem)
    problems.add('COMPOSE_INVALID', base, `${nameProblem}; the service is named <stack>_<service>`);
  const imageProblem = imageReferenceProblem(svc.image);
  if (imageProblem) problems.add('COMPOSE_INVALID', [...base, 'image'], imageProblem);
  labelProblems(svc.labels, [...base, 'labels'], problems);
  labelProblems(svc.deploy?.labels, [...base, 'deploy', 'labels'], problems);
  const hc = svc.healthcheck;
  for (const f of ['interval', 'timeout', 'start_period'] as const) {
    const ns = hc?.[f];
    if (ns !== undefined && ns !== 0 && ns < MIN_HEALTH_NS)
      problems.add(
        'COMPOSE_INVALID',
        [...base, 'healthcheck', f],
        `${ns < 0 ? 'a negative duration' : `${ns}ns`} is refused by Swarm: "ContainerSpec: ${HEALTH_NAMES[f]} in HealthConfig cannot be less than 1ms" (swarmkit validateHealthCheck)`,
      );
  }
  const d = svc.deploy;
  const negative = (path: PathSegment[], ns: number | undefined, rule: string) => {
    if (ns !== undefined && ns < 0)
      problems.add(
        'COMPOSE_INVALID',
        [...base, 'deploy', ...path],
        `a negative duration is refused by Swarm: "${rule}" (swarmkit validateTaskSpec)`,
      );
  };
  negative(
    ['restart_policy', 'delay'],
    d?.restart_policy?.delay,
    'TaskSpec: restart-delay cannot be negative',
  );
  negative(
    ['restart_policy', 'window'],
    d?.restart_policy?.window,
    'TaskSpec: restart-window cannot be negative',
  );
  for (const u of ['update_config', 'rollback_config'] as const) {
    const what = u === 'update_config' ? 'update' : 'rollback';
    negative([u, 'delay'], d?.[u]?.delay, `TaskSpec: ${what}-delay cannot be negative`);
    negative([u, 'monitor'], d?.[u]?.monitor, `TaskSpec: ${what}-monitor cannot be negative`);
    const ratio = d?.[u]?.max_failure_ratio;
    if (ratio !== undefined && (ratio < 0 || ratio > 1))
      problems.add(
        'COMPOSE_INVALID',
        [...base, 'deploy', u, 'max_failure_ratio'],
        `${ratio} is refused by Swarm: "TaskSpec: ${what}-maxfailureratio cannot be less than 0 or bigger than 1" (swarmkit validateUpdate)`,
      );
  }
  checkResources(base, svc, problems);
  for (const [name, u] of Object.entries(svc.ulimits ?? {})) {
    for (const f of ['soft', 'hard'] as const)
      if (u[f] < -1)
        problems.add(
          'COMPOSE_INVALID',
          [...base, 'ulimits', name, f],
          `${u[f]} is not a resource limit: Linux setrlimit takes unsigned values, and -1 alone means unlimited (RLIM_INFINITY)`,
        );
    if (u.soft !== -1 && (u.hard === -1 ? false : u.soft > u.hard))
      problems.add(
        'COMPOSE_INVALID',
        [...base, 'ulimits', name],
        `soft ${u.soft} is above hard ${u.hard}; Docker refuses it: "ulimit soft limit must be less than or equal to hard limit" (go-units ParseUlimit)`,
      );
  }
  checkTargets(base, svc, problems);
}

const HEALTH_NAMES = { interval: 'Interval', timeout: 'Timeout', start_period: 'StartPeriod' } as const;

function checkResources(base: PathSegment[], svc: ComposeService, problems: Problems): void {
  const r = svc.deploy?.resources;
  for (const kind of ['limits', 'reservations'] as const) {
    const mem = r?.[kind]?.memory;
    if (mem !== undefined && mem !== 0 && mem < 4 * 1024 * 1024)
      problems.add(
        'COMPOSE_INVALID',
        [...base, 'deploy', 'resources', kind, 'memory'],
        `${mem} bytes is refused by Swarm: "invalid memory value ${mem}: Must be at least 4MiB" (swarmkit validateResources)`,
      );
    const cpus = r?.[kind]?.cpus;
    if (cpus !== undefined && cpus !== 0 && cpus < 1e6)
      problems.add(
        'COMPOSE_INVALID',
        [...base, 'deploy', 'resources', kind, 'cpus'],
        `${cpus / 1e9} is refused by Swarm: "invalid cpu value ${cpus / 1e9}: Must be at least 0.001" (swarmkit validateResources)`,
      );
  }
}

/** Mount targets, published ports and config/secret targets Swarm requires to be unique. */
function checkTargets(base: PathSegment[], svc: ComposeService, problems: Problems): void {
  const mounts = new Set<string>();
  svc.volumes?.forEach((v, i) => {
    if (mounts.has(v.target))
      problems.add(
        'COMPOSE_INVALID',
        [...base, 'volumes', i],
        `Swarm refuses it: "ContainerSpec: duplicate mount point: ${v.target}" (swarmkit validateMounts)`,
      );
    mounts.add(v.target);
  });
  const published = new Set<string>();
  svc.ports?.forEach((p, i) => {
    if (svc.deploy?.endpoint_mode === 'dnsrr' && p.mode === 'ingress')
      problems.add(
        'COMPOSE_INVALID',
        [...base, 'ports', i],
        `Swarm refuses it: "EndpointSpec: port published with ingress mode can't be used with dnsrr mode" (swarmkit validateEndpointSpec; use mode: host)`,
      );
    if (p.published === undefined) return;
    const key = `${p.published}/${p.protocol}`;
    if (published.has(key))
      problems.add(
        'COMPOSE_INVALID',
        [...base, 'ports', i],
        `port ${key} is published twice; Swarm refuses it: "EndpointSpec: duplicate published ports provided" (swarmkit validateEndpointSpec)`,
      );
    published.add(key);
  });
  for (const kind of ['configs', 'secrets'] as const) {
    const targets = new Map<string, string>();
    svc[kind]?.forEach((ref, i) => {
      const target = ref.target ?? ref.source;
      const prev = targets.get(target);
      if (prev !== undefined)
        problems.add(
          'COMPOSE_INVALID',
          [...base, kind, i],
          `Swarm refuses it: "${kind === 'configs' ? 'config' : 'secret'} references '${prev}' and '${ref.source}' have a conflicting target: '${target}'" (swarmkit validate${kind === 'configs' ? 'Config' : 'Secret'}RefsSpec)`,
        );
      targets.set(target, ref.source);
    });
  }
}
