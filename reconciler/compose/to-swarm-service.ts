import type {
  ContainerSpec,
  FileReference,
  PortConfig,
  RestartPolicy,
  ServiceSpec,
  TaskSpec,
  UpdateConfig,
} from '../model/engine-types.js';
import { LABEL_STACK_IMAGE } from '../model/ownership.js';
import { hookOf, LABEL_HOOK } from './hooks.js';
import { normalizeImage } from './image-ref.js';
import { healthcheck, mount, networks, scope, stackLabels } from './to-swarm-parts.js';
import type { ComposeProject, ComposeService } from './types.js';
import { byKey } from '../model/order.js';

export { networkName, serviceNetworkKeys, stackLabels } from './to-swarm-parts.js';

/** Swarm names of the stack's configs and secrets, by compose key. */
export interface ObjectNames {
  configs: Map<string, string>;
  secrets: Map<string, string>;
}

function capabilities(add: string[] = [], drop: string[] = []): { add: string[]; drop: string[] } {
  const norm = (caps: string[]): Set<string> => {
    const set = new Set(
      caps.map((c) => {
        const u = c.trim().toUpperCase();
        return u === 'ALL' || u.startsWith('CAP_') ? u : `CAP_${u}`;
      }),
    );
    return set.has('ALL') ? new Set(['ALL']) : set;
  };
  const a = norm(add);
  const d = norm(drop);
  return { add: [...a].sort(), drop: [...d].filter((c) => !a.has(c)).sort() };
}

function credentialSpec(cs: ComposeService['credential_spec']): { File?: string; Registry?: string } | null {
  if (cs?.file) return { File: cs.file };
  if (cs?.registry) return { Registry: cs.registry };
  return null;
}

function mode(d: NonNullable<ComposeService['deploy']>): NonNullable<ServiceSpec['Mode']> {
  switch (d.mode) {
    case 'global':
      return { Global: {} };
    case 'global-job':
      return { GlobalJob: {} };
    case 'replicated-job':
      // docker/cli uses replicas for both (unset: the Engine's default, 1).
      return {
        ReplicatedJob:
          d.replicas === undefined ? {} : { MaxConcurrent: d.replicas, TotalCompletions: d.replicas },
      };
    default:
      return { Replicated: { Replicas: d.replicas ?? 1 } };
  }
}

function restartPolicy(svc: ComposeService): RestartPolicy | undefined {
  const rp = svc.deploy?.restart_policy;
  if (rp) {
    const out: RestartPolicy = {};
    if (rp.condition) out.Condition = rp.condition;
    if (rp.delay !== undefined) out.Delay = rp.delay;
    if (rp.max_attempts !== undefined) out.MaxAttempts = rp.max_attempts;
    if (rp.window !== undefined) out.Window = rp.window;
    return out;
  }
  // docker/cli falls back to the service-level `restart` (docker run syntax).
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(svc.restart ?? '');
  if (!m || m[1] === 'no') return undefined;
  const max = Number(m[2] ?? 0);
  return {
    Condition: m[1] === 'on-failure' ? 'on-failure' : 'any',
    ...(max > 0 ? { MaxAttempts: max } : {}),
  };
}

function updateConfig(u: NonNullable<NonNullable<ComposeService['deploy']>['update_config']>): UpdateConfig {
  const out: UpdateConfig = { Parallelism: u.parallelism ?? 1 };
  if (u.delay) out.Delay = u.delay;
  if (u.failure_action) out.FailureAction = u.failure_action;
  if (u.monitor) out.Monitor = u.monitor;
  out.MaxFailureRatio = u.max_failure_ratio ?? 0;
  if (u.order) out.Order = u.order;
  return out;
}

function fileRefs(
  refs: ComposeService['configs'],
  names: Map<string, string>,
  kind: 'Config' | 'Secret',
): FileReference[] | undefined {
  if (!refs || refs.length === 0) return undefined;
  const out = refs.map((r): FileReference => {
    const swarmName = names.get(r.source) ?? r.source;
    const file = { Name: r.target ?? r.source, UID: r.uid ?? '0', GID: r.gid ?? '0', Mode: r.mode ?? 0o444 };
    return kind === 'Config'
      ? { File: file, ConfigID: '', ConfigName: swarmName }
      : { File: file, SecretID: '', SecretName: swarmName };
  });
  const key = (r: FileReference): string => r.ConfigName ?? r.SecretName ?? '';
  return out.sort(byKey(key));
}

function ports(svc: ComposeService): PortConfig[] {
  const list = (svc.ports ?? []).map((p): PortConfig => ({
    Protocol: p.protocol,
    TargetPort: p.target,
    ...(p.published === undefined ? {} : { PublishedPort: p.published }),
    PublishMode: p.mode,
  }));
  // Array.prototype.sort is stable, like Go's insertion sort for the short lists of docker/cli.
  return list.sort((a, b) => (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0));
}

function containerSpec(
  stack: string,
  svc: ComposeService,
  project: ComposeProject,
  names: ObjectNames,
): ContainerSpec {
  const c: ContainerSpec = { Image: normalizeImage(svc.image), Labels: stackLabels(stack, svc.labels) };
  if (svc.entrypoint) c.Command = svc.entrypoint;
  if (svc.command) c.Args = svc.command;
  if (svc.hostname) c.Hostname = svc.hostname;
  const env = Object.entries(svc.environment ?? {}).map(([k, v]) => (v === null ? k : `${k}=${v}`));
  if (env.length > 0) c.Env = env.sort();
  if (svc.working_dir) c.Dir = svc.working_dir;
  if (svc.user) c.User = svc.user;
  c.Privileges = {
    CredentialSpec: credentialSpec(svc.credential_spec),
    SELinuxContext: null,
    NoNewPrivileges: false,
  };
  if (svc.init !== undefined) c.Init = svc.init;
  if (svc.tty) c.TTY = true;
  if (svc.stdin_open) c.OpenStdin = true;
  if (svc.stop_signal) c.StopSignal = svc.stop_signal;
  if (svc.read_only) c.ReadOnly = true;
  if (svc.volumes && svc.volumes.length > 0) c.Mounts = svc.volumes.map((v) => mount(stack, v, project));
  if (svc.stop_grace_period !== undefined) c.StopGracePeriod = svc.stop_grace_period;
  if (svc.healthcheck) c.Healthcheck = healthcheck(svc.healthcheck);
  if (svc.extra_hosts && svc.extra_hosts.length > 0) {
    c.Hosts = svc.extra_hosts.map((h) => {
      const i = h.indexOf(':');
      return `${h.slice(i + 1)} ${h.slice(0, i)}`;
    });
  }
  if ((svc.dns?.length ?? 0) > 0 || (svc.dns_search?.length ?? 0) > 0) {
    c.DNSConfig = {
      ...(svc.dns?.length ? { Nameservers: svc.dns } : {}),
      ...(svc.dns_search?.length ? { Search: svc.dns_search } : {}),
    };
  }
  const secrets = fileRefs(svc.secrets, names.secrets, 'Secret');
  if (secrets) c.Secrets = secrets;
  const configs = fileRefs(svc.configs, names.configs, 'Config');
  if (configs) c.Configs = configs;
  if (svc.isolation) c.Isolation = svc.isolation;
  if (svc.sysctls && Object.keys(svc.sysctls).length > 0) c.Sysctls = svc.sysctls;
  const caps = capabilities(svc.cap_add, svc.cap_drop);
  if (caps.add.length > 0) c.CapabilityAdd = caps.add;
  if (caps.drop.length > 0) c.CapabilityDrop = caps.drop;
  const ulimits = Object.entries(svc.ulimits ?? {})
    .map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard }))
    .sort(byKey((u) => u.Name));
  if (ulimits.length > 0) c.Ulimits = ulimits;
  return c;
}

/** The ServiceSpec `docker stack deploy` sends for one compose service (without ownership labels). */
export function serviceSpec(
  stack: string,
  name: string,
  svc: ComposeService,
  project: ComposeProject,
  names: ObjectNames,
): ServiceSpec {
  const d = svc.deploy ?? {};
  const task: TaskSpec = { ContainerSpec: containerSpec(stack, svc, project, names) };
  const res = d.resources ?? {};
  task.Resources = {};
  if (res.limits) {
    const l = res.limits;
    task.Resources.Limits = {
      ...(l.cpus ? { NanoCPUs: l.cpus } : {}),
      ...(l.memory ? { MemoryBytes: l.memory } : {}),
      ...(l.pids ? { Pids: l.pids } : {}),
    };
  }
  if (res.reservations) {
    const r = res.reservations;
    task.Resources.Reservations = {
      ...(r.cpus ? { NanoCPUs: r.cpus } : {}),
      ...(r.memory ? { MemoryBytes: r.memory } : {}),
      ...(r.generic_resources?.length
        ? {
            GenericResources: r.generic_resources.map((g) =>
              g.discrete_resource_spec
                ? {
                    DiscreteResourceSpec: {
                      Kind: g.discrete_resource_spec.kind,
                      Value: g.discrete_resource_spec.value,
                    },
                  }
                : {},
            ),
          }
        : {}),
    };
  }
  const hook = hookOf(svc);
  // a hook's failure is final for its run: the controller reports it and runs it again (backoff)
  const restart = restartPolicy(svc) ?? (hook ? { Condition: 'none' as const } : undefined);
  if (restart) task.RestartPolicy = restart;
  const p = d.placement ?? {};
  task.Placement = {
    ...(p.constraints?.length ? { Constraints: p.constraints } : {}),
    ...(p.preferences?.length
      ? { Preferences: p.preferences.map((x) => ({ Spread: { SpreadDescriptor: x.spread } })) }
      : {}),
    ...(p.max_replicas_per_node ? { MaxReplicas: p.max_replicas_per_node } : {}),
  };
  task.Networks = networks(stack, name, svc, project);
  if (svc.logging)
    task.LogDriver = {
      Name: svc.logging.driver ?? '',
      ...(svc.logging.options ? { Options: svc.logging.options } : {}),
    };
  task.ForceUpdate = 0;

  const spec: ServiceSpec = {
    Name: scope(stack, name),
    Labels: {
      ...stackLabels(stack, d.labels),
      [LABEL_STACK_IMAGE]: svc.image,
      ...(hook ? { [LABEL_HOOK]: hook } : {}),
    },
    TaskTemplate: task,
    // a hook runs as a replicated job (checkHook refuses another mode)
    Mode: mode(hook && d.mode === undefined ? { ...d, mode: 'replicated-job' } : d),
  };
  if (d.update_config) spec.UpdateConfig = updateConfig(d.update_config);
  if (d.rollback_config) spec.RollbackConfig = updateConfig(d.rollback_config);
  const portList = ports(svc);
  spec.EndpointSpec = { Mode: d.endpoint_mode ?? 'vip', ...(portList.length > 0 ? { Ports: portList } : {}) };
  return spec;
}
