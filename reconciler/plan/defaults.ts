/**
 * What the Engine fills in or owns, per object kind (Engine 20.10, API 1.41; see the guide's
 * "Facts observed"). The differ treats these values as equal to an absent field, and the
 * simulator fills them in the way the Engine does.
 */
import { LABEL_SPEC_HASH } from '../model/ownership.js';
import { clone, isPlainObject, parsePattern, type Segment } from './paths.js';

/** The Engine fills scalars only: a count, a duration, a mode's name. */
export type ServerDefault = string | number | boolean;

export interface DiffProfile {
  /** Server-filled defaults by pattern key (`EndpointSpec.Ports[*].Protocol`): scalars only. */
  defaults: Readonly<Record<string, ServerDefault>>;
  /** Map-valued fields the user owns completely: compared key by key, an extra key is drift. */
  maps: readonly string[];
  /** Paths never compared (server-assigned, or handled elsewhere); prefix match. */
  skip: readonly string[];
  /** Paths where an empty object is meaningful (`Mode.Global: {}`). */
  keepEmpty: readonly string[];
  /**
   * Fields the Engine never fills in: a value observed where the desired spec has none was set out
   * of band (`docker service update --env-add` on a service without environment) and is drift,
   * even when the spec hash matches.
   */
  owned?: readonly string[];
}

const UPDATE_DEFAULTS = {
  Parallelism: 1,
  FailureAction: 'pause',
  Monitor: 5_000_000_000,
  MaxFailureRatio: 0,
  Order: 'stop-first',
};

function prefixed(prefix: string, o: Record<string, ServerDefault>): Record<string, ServerDefault> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [`${prefix}.${k}`, v]));
}

export const SERVICE_DEFAULTS: Readonly<Record<string, ServerDefault>> = {
  'TaskTemplate.ContainerSpec.StopGracePeriod': 10_000_000_000,
  'TaskTemplate.ContainerSpec.Isolation': 'default',
  'TaskTemplate.RestartPolicy.Condition': 'any',
  'TaskTemplate.RestartPolicy.Delay': 5_000_000_000,
  'TaskTemplate.RestartPolicy.MaxAttempts': 0,
  'TaskTemplate.ForceUpdate': 0,
  'TaskTemplate.Runtime': 'container',
  'Mode.Replicated.Replicas': 1,
  // a replicated job without counts runs one task once
  'Mode.ReplicatedJob.MaxConcurrent': 1,
  'Mode.ReplicatedJob.TotalCompletions': 1,
  ...prefixed('UpdateConfig', UPDATE_DEFAULTS),
  ...prefixed('RollbackConfig', UPDATE_DEFAULTS),
  'EndpointSpec.Mode': 'vip',
  'EndpointSpec.Ports[*].Protocol': 'tcp',
  'EndpointSpec.Ports[*].PublishMode': 'ingress',
};

export const SERVICE_PROFILE: DiffProfile = {
  defaults: SERVICE_DEFAULTS,
  maps: [
    'Labels',
    'TaskTemplate.ContainerSpec.Labels',
    'TaskTemplate.ContainerSpec.Sysctls',
    'TaskTemplate.LogDriver.Options',
    'TaskTemplate.Networks[*].DriverOpts',
    'TaskTemplate.ContainerSpec.Mounts[*].VolumeOptions.Labels',
    'TaskTemplate.ContainerSpec.Mounts[*].VolumeOptions.DriverConfig.Options',
  ],
  skip: [
    'TaskTemplate.ContainerSpec.Configs[*].ConfigID',
    'TaskTemplate.ContainerSpec.Secrets[*].SecretID',
    `Labels[${JSON.stringify(LABEL_SPEC_HASH)}]`,
  ],
  keepEmpty: ['Mode.Global', 'Mode.GlobalJob', 'TaskTemplate.ContainerSpec.Configs[*].Runtime'],
  owned: [
    'TaskTemplate.ContainerSpec.Env',
    'TaskTemplate.ContainerSpec.Args',
    'TaskTemplate.ContainerSpec.Command',
    'TaskTemplate.ContainerSpec.Mounts',
    'TaskTemplate.ContainerSpec.Secrets',
    'TaskTemplate.ContainerSpec.Configs',
    'TaskTemplate.ContainerSpec.Hosts',
    'TaskTemplate.ContainerSpec.CapabilityAdd',
    'TaskTemplate.ContainerSpec.CapabilityDrop',
    'TaskTemplate.Placement.Constraints',
    'EndpointSpec.Ports',
  ],
};

export const VXLAN_OPTION = 'com.docker.network.driver.overlay.vxlanid_list';

export const NETWORK_PROFILE: DiffProfile = {
  defaults: { Driver: 'overlay', 'IPAM.Driver': 'default' },
  maps: ['Labels', 'Options', 'IPAM.Options', 'IPAM.Config[*].AuxiliaryAddresses'],
  skip: ['Scope', `Options[${JSON.stringify(VXLAN_OPTION)}]`],
  keepEmpty: [],
};

export const VOLUME_PROFILE: DiffProfile = {
  defaults: { Driver: 'local' },
  maps: ['Labels', 'DriverOpts'],
  skip: ['Scope'],
  keepEmpty: [],
};

/** Sets `value` at `segs` where it is unset; `create`: makes the objects on the way (else only fills existing ones). */
function fillAt(node: unknown, segs: readonly Segment[], value: unknown, create = true): void {
  const [head, ...rest] = segs;
  if (head === undefined) return;
  if (head === '*') {
    if (Array.isArray(node)) for (const el of node) if (isPlainObject(el)) fillAt(el, rest, value);
    return;
  }
  if (!isPlainObject(node)) return;
  const key = String(head);
  if (rest.length === 0) {
    if (node[key] === undefined) node[key] = clone(value);
    return;
  }
  if (node[key] === undefined) {
    if (rest[0] === '*' || !create) return;
    node[key] = {};
  }
  fillAt(node[key], rest, value, create);
}

/**
 * Fills server defaults into a copy of `spec`. Mode as the Engine does: replicated 1 when unset, and
 * the defaults of the mode that is set (a replicated job's counts), never another mode's.
 */
export function fillDefaults<T>(spec: T, defaults: Readonly<Record<string, ServerDefault>>): T {
  const out = clone(spec) as Record<string, unknown>;
  for (const [pattern, value] of Object.entries(defaults)) {
    if (pattern.startsWith('Mode.')) continue;
    fillAt(out, parsePattern(pattern), value);
  }
  if ('TaskTemplate' in out || 'Mode' in out) {
    const mode = out['Mode'] as Record<string, unknown> | undefined;
    if (mode === undefined || Object.keys(mode).length === 0) out['Mode'] = { Replicated: { Replicas: 1 } };
    else
      for (const [pattern, value] of Object.entries(defaults))
        if (pattern.startsWith('Mode.')) fillAt(mode, parsePattern(pattern).slice(1), value, false);
  }
  return out as T;
}
