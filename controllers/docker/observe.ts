/**
 * Reads the Swarm objects that matter to one reconcile, with a constant number of list calls
 * (independent of how many objects exist): per kind one call by instance label, one by name
 * (only when names are asked) and one by stack namespace (only when namespaces are asked); with
 * name prefixes (ObserveQuery.namePrefixes) the one by name instead of the one by namespace, and
 * with ownedByName only that one;
 * networks the same way, plus at most one call by id for networks the services attach to that
 * those lists did not return (to normalise service network targets from id to name), and an
 * inspect of each predefined network (`host`, `bridge`) a service uses, once per process. Volumes are listed only when the query names the
 * `volume` kind (`names.volume`, even empty), since they are node-local.
 */
import type Docker from 'dockerode';
import type { IPAMConfig, NetworkSpec, ServiceSpec } from '../../reconciler/model/engine-types.js';
import type {
  ObjectKind,
  ObservedObject,
  ObservedState,
  ObservedUpdateStatus,
} from '../../reconciler/model/objects.js';
import { LABEL_INSTANCE, LABEL_OWNER, LABEL_STACK_NAMESPACE } from '../../reconciler/model/ownership.js';
import type { ObserveQuery } from '../../reconciler/ports.js';
import { listCall as call } from './docker-errors.js';

type Labels = Record<string, string>;
type Filters = Record<string, string[]>;

interface SwarmObject<S> {
  ID: string;
  Version?: { Index?: number };
  CreatedAt?: string;
  Spec: S;
}
export interface RawService extends SwarmObject<ServiceSpec & { Networks?: { Target: string }[] }> {
  UpdateStatus?: ObservedUpdateStatus & { StartedAt?: string; CompletedAt?: string };
}
export type RawConfig = SwarmObject<{ Name: string; Labels?: Labels; Data?: string }>;
export interface RawNetwork {
  Id: string;
  Name: string;
  Created?: string;
  Scope?: string;
  Driver?: string;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  IPAM?: { Driver?: string; Config?: IPAMConfig[] | null; Options?: Record<string, string> | null };
  Options?: Record<string, string> | null;
  Labels?: Labels | null;
}
export interface RawVolume {
  Name: string;
  Driver?: string;
  Options?: Record<string, string> | null;
  Labels?: Labels | null;
  CreatedAt?: string;
  Scope?: string;
}

function nonNull<T>(v: T | null | undefined): T | undefined {
  return v === null ? undefined : v;
}

/** Kinds whose Docker name filter is a prefix match served from an index (swarmkit's NamePrefixes). */
const PREFIX_KINDS: ReadonlySet<ObjectKind> = new Set(['service', 'config', 'secret']);

/**
 * The label/name/namespace filter sets for one kind: at most three list calls; with namePrefixes
 * one by ownership label and one by name, and with ownedByName too only the one by name.
 */
export function filterSets(kind: ObjectKind, query: ObserveQuery): Filters[] {
  const owned = [`${LABEL_INSTANCE}=${query.instanceId}`];
  if (query.owner !== undefined) owned.push(`${LABEL_OWNER}=${query.owner}`); // label filters AND
  const prefixes = kind === 'volume' ? undefined : query.namePrefixes;
  const sets: Filters[] = prefixes && query.ownedByName === true ? [] : [{ label: owned }];
  if (prefixes) {
    const byName = [...(query.names?.[kind] ?? []), ...(PREFIX_KINDS.has(kind) ? prefixes : [])];
    return byName.length > 0 ? [...sets, { name: [...new Set(byName)] }] : sets;
  }
  const names = query.names?.[kind] ?? [];
  if (names.length > 0) sets.push({ name: [...new Set(names)] });
  const ns = [...new Set(query.stackNamespaces ?? [])];
  if (ns.length === 1) sets.push({ label: [`${LABEL_STACK_NAMESPACE}=${ns[0]}`] });
  else if (ns.length > 1) sets.push({ label: [LABEL_STACK_NAMESPACE] }); // label filters AND; narrow client-side
  return sets;
}

/** Docker's name filters match prefixes and label-key filters match any value: keep only what was asked. */
export function isRelevant(
  kind: ObjectKind,
  name: string,
  labels: Labels | undefined,
  query: ObserveQuery,
): boolean {
  if (
    labels?.[LABEL_INSTANCE] === query.instanceId &&
    (query.owner === undefined || labels[LABEL_OWNER] === query.owner)
  )
    return true;
  if (query.names?.[kind]?.includes(name)) return true;
  const ns = labels?.[LABEL_STACK_NAMESPACE];
  return ns !== undefined && (query.stackNamespaces ?? []).includes(ns);
}

function dedupe<T>(lists: T[][], id: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const list of lists) for (const item of list) if (!seen.has(id(item))) seen.set(id(item), item);
  return [...seen.values()];
}

/** Replaces network IDs in TaskTemplate.Networks[].Target (and the deprecated Spec.Networks) by names. */
export function normaliseServiceSpec(
  spec: RawService['Spec'],
  networkNames: ReadonlyMap<string, string>,
): ServiceSpec {
  const map = <N extends { Target: string }>(nets: N[] | undefined): N[] | undefined =>
    nets?.map((n) => ({ ...n, Target: networkNames.get(n.Target) ?? n.Target }));
  const out: RawService['Spec'] = { ...spec };
  if (spec.TaskTemplate?.Networks)
    out.TaskTemplate = { ...spec.TaskTemplate, Networks: map(spec.TaskTemplate.Networks) };
  if (spec.Networks) out.Networks = map(spec.Networks);
  return out;
}

export function networkSpecOf(n: RawNetwork): NetworkSpec {
  const spec: NetworkSpec = { Name: n.Name };
  if (n.Driver !== undefined) spec.Driver = n.Driver;
  if (n.Scope === 'swarm' || n.Scope === 'local') spec.Scope = n.Scope;
  if (n.Internal !== undefined) spec.Internal = n.Internal;
  if (n.Attachable !== undefined) spec.Attachable = n.Attachable;
  if (n.Ingress !== undefined) spec.Ingress = n.Ingress;
  if (n.EnableIPv6 !== undefined) spec.EnableIPv6 = n.EnableIPv6;
  if (n.IPAM) {
    const ipam: NonNullable<NetworkSpec['IPAM']> = {};
    if (n.IPAM.Driver !== undefined) ipam.Driver = n.IPAM.Driver;
    const config = nonNull(n.IPAM.Config);
    if (config) ipam.Config = config;
    const options = nonNull(n.IPAM.Options);
    if (options) ipam.Options = options;
    spec.IPAM = ipam;
  }
  const options = nonNull(n.Options);
  if (options) spec.Options = options;
  spec.Labels = nonNull(n.Labels) ?? {};
  return spec;
}

function serviceObject(s: RawService, networkNames: ReadonlyMap<string, string>): ObservedObject {
  const o: ObservedObject = {
    kind: 'service',
    id: s.ID,
    name: s.Spec.Name,
    labels: s.Spec.Labels ?? {},
    spec: normaliseServiceSpec(s.Spec, networkNames),
  };
  if (s.Version?.Index !== undefined) o.version = s.Version.Index;
  if (s.CreatedAt) o.createdAt = s.CreatedAt;
  if (s.UpdateStatus) {
    const u: ObservedUpdateStatus = {};
    if (s.UpdateStatus.State) u.State = s.UpdateStatus.State;
    if (s.UpdateStatus.Message) u.Message = s.UpdateStatus.Message;
    o.updateStatus = u;
  }
  return o;
}

function configObject(kind: 'config' | 'secret', c: RawConfig): ObservedObject {
  const spec =
    kind === 'config'
      ? { Name: c.Spec.Name, Labels: c.Spec.Labels ?? {}, Data: c.Spec.Data ?? '' }
      : { Name: c.Spec.Name, Labels: c.Spec.Labels ?? {} };
  const o: ObservedObject = { kind, id: c.ID, name: c.Spec.Name, labels: c.Spec.Labels ?? {}, spec };
  if (c.Version?.Index !== undefined) o.version = c.Version.Index;
  if (c.CreatedAt) o.createdAt = c.CreatedAt;
  return o;
}

/** What the Swarm fills only when its allocator has run (dockerd reports them as "" or null until then). */
const UNALLOCATED = ['Driver', 'IPAM', 'Options'] as const;

function networkObject(n: RawNetwork): ObservedObject {
  const spec = networkSpecOf(n);
  const o: ObservedObject = {
    kind: 'network',
    id: n.Id,
    name: n.Name,
    labels: nonNull(n.Labels) ?? {},
    spec,
  };
  // a swarm network always has a driver once allocated (daemon/cluster/convert: DriverState.Name)
  if (n.Scope === 'swarm' && !n.Driver) {
    for (const k of UNALLOCATED) delete spec[k];
    o.unknownFields = [...UNALLOCATED];
  }
  if (n.Created) o.createdAt = n.Created;
  return o;
}

function volumeObject(v: RawVolume): ObservedObject {
  const spec = {
    Name: v.Name,
    Driver: v.Driver,
    DriverOpts: nonNull(v.Options) ?? {},
    Labels: nonNull(v.Labels) ?? {},
  };
  const o: ObservedObject = {
    kind: 'volume',
    id: v.Name,
    name: v.Name,
    labels: nonNull(v.Labels) ?? {},
    spec,
  };
  if (v.CreatedAt) o.createdAt = v.CreatedAt;
  return o;
}

/** Network ids services attach to that `names` does not know. */
function unknownTargets(services: RawService[], names: ReadonlyMap<string, string>): Set<string> {
  const unknown = new Set<string>();
  for (const s of services)
    for (const n of [...(s.Spec.TaskTemplate?.Networks ?? []), ...(s.Spec.Networks ?? [])])
      if (!names.has(n.Target)) unknown.add(n.Target);
  return unknown;
}

/**
 * Swarm ids of the predefined networks (`host`, `bridge`): no network list returns them (a list
 * gives the node-local id), so they are inspected one by one; they never change, so each is
 * inspected once per process.
 */
const predefined = new Map<string, string>();

/**
 * Names of the networks services attach to that `names` does not know: one list call by id, then
 * GET /networks/{id} for what it did not return (the predefined networks, at most a few).
 */
export async function resolveNetworkNames(
  docker: Docker,
  services: RawService[],
  names: Map<string, string>,
  listById = true,
): Promise<void> {
  let unknown = unknownTargets(services, names);
  for (const id of unknown) {
    const name = predefined.get(id);
    if (name !== undefined) names.set(id, name);
  }
  unknown = unknownTargets(services, names);
  if (unknown.size === 0) return;
  if (listById) {
    const found = (await call('networks', () =>
      docker.listNetworks({ filters: { id: [...unknown] } }),
    )) as unknown as RawNetwork[];
    for (const n of found) names.set(n.Id, n.Name);
    unknown = unknownTargets(services, names);
  }
  await Promise.all(
    [...unknown].map(async (id) => {
      try {
        const n = (await docker.getNetwork(id).inspect()) as RawNetwork;
        names.set(id, n.Name);
        if (n.Scope === 'swarm' && (n.Name === 'host' || n.Name === 'bridge')) predefined.set(id, n.Name);
      } catch {
        // gone (a network removed under a service): the id stays, and shows as a difference
      }
    }),
  );
}

/** The raw lists one observe (or one snapshot) read from Docker. */
export interface RawLists {
  services: RawService[];
  networks: RawNetwork[];
  configs: RawConfig[];
  secrets: RawConfig[];
  volumes: RawVolume[];
}

/**
 * The objects of `lists` that matter to `query` (isRelevant), services normalised with
 * `networkNames` (network id -> name). Pure: the same for a per-reconcile observe and a snapshot.
 */
export function assemble(
  lists: RawLists,
  networkNames: ReadonlyMap<string, string>,
  query: ObserveQuery,
): ObservedState {
  const objects: ObservedObject[] = [];
  for (const n of lists.networks)
    if (isRelevant('network', n.Name, nonNull(n.Labels), query)) objects.push(networkObject(n));
  for (const v of lists.volumes)
    if (isRelevant('volume', v.Name, nonNull(v.Labels), query)) objects.push(volumeObject(v));
  for (const c of lists.configs)
    if (isRelevant('config', c.Spec.Name, c.Spec.Labels, query)) objects.push(configObject('config', c));
  for (const c of lists.secrets)
    if (isRelevant('secret', c.Spec.Name, c.Spec.Labels, query)) objects.push(configObject('secret', c));
  for (const s of lists.services)
    if (isRelevant('service', s.Spec.Name, s.Spec.Labels, query))
      objects.push(serviceObject(s, networkNames));
  return { objects };
}

export async function observe(docker: Docker, query: ObserveQuery): Promise<ObservedState> {
  const lists = <T>(kind: ObjectKind, fn: (filters: Filters) => Promise<T[]>): Promise<T[][]> =>
    Promise.all(filterSets(kind, query).map((f) => call(`${kind}s`, () => fn(f))));
  const wantVolumes = query.names !== undefined && 'volume' in query.names;
  const [serviceLists, networkLists, configs, secrets, volumes] = await Promise.all([
    lists('service', (filters) => docker.listServices({ filters }) as unknown as Promise<RawService[]>),
    lists('network', (filters) => docker.listNetworks({ filters }) as unknown as Promise<RawNetwork[]>),
    lists('config', (filters) => docker.listConfigs({ filters }) as unknown as Promise<RawConfig[]>),
    lists('secret', (filters) => docker.listSecrets({ filters }) as unknown as Promise<RawConfig[]>),
    wantVolumes
      ? lists(
          'volume',
          async (filters) =>
            ((await docker.listVolumes({ filters })) as { Volumes?: RawVolume[] | null }).Volumes ?? [],
        )
      : Promise.resolve([] as RawVolume[][]),
  ]);
  const services = dedupe(serviceLists, (s) => s.ID);
  const networks = dedupe(networkLists, (n) => n.Id);
  const names = new Map(networks.map((n) => [n.Id, n.Name]));
  await resolveNetworkNames(docker, services, names);
  return assemble(
    {
      services,
      networks,
      configs: dedupe(configs, (c) => c.ID),
      secrets: dedupe(secrets, (c) => c.ID),
      volumes: dedupe(volumes, (v) => v.Name),
    },
    names,
    query,
  );
}
