/**
 * One read of the whole Swarm (services with their task counts, networks, configs, secrets: four
 * list calls, plus once per process an inspect of each predefined `host`/`bridge` network a service
 * uses, whose swarm id no list returns) that many reconciles of a resync pass observe from, instead of each listing its own
 * objects (11 list calls per stack). Queries are answered with the same relevance rules as
 * `observe`, so a reconcile sees exactly what its own observe would have returned at that moment.
 * Volumes are node-local and not in it: a query that asks for volumes is not answered.
 */
import type Docker from 'dockerode';
import { clone } from '../../reconciler/plan/paths.js';
import type { ObjectKind, ObservedState } from '../../reconciler/model/objects.js';
import { LABEL_INSTANCE, LABEL_OWNER, LABEL_STACK_NAMESPACE } from '../../reconciler/model/ownership.js';
import type { ObserveQuery } from '../../reconciler/ports.js';
import type { ServiceHealth } from '../../reconciler/status/resource-status.js';
import { groupHealthByOwner, type ServiceListEntry } from './health.js';
import { listCall as call } from './docker-errors.js';
import {
  assemble,
  resolveNetworkNames,
  type RawConfig,
  type RawNetwork,
  type RawService,
} from './observe.js';

/** Docker event types of the objects a snapshot holds (volume, plugin and node events change none). */
export const SNAPSHOT_EVENT_TYPES: ReadonlySet<string> = new Set(['service', 'network', 'config', 'secret']);

/** What a reconcile reads from instead of Docker. */
export interface SwarmView {
  /** The observed state for `query`, or undefined when the view cannot answer it (volumes). */
  observe(query: ObserveQuery): ObservedState | undefined;
  /** Health of the services `owner` owns (as `ownedServiceHealth`). */
  health(owner: string): ServiceHealth[];
}

export interface SwarmSnapshot extends SwarmView {
  /** The invalidation epoch read before the lists were taken. */
  readonly epoch: string;
  /** When the lists were taken (epoch milliseconds). */
  readonly takenAt: number;
}

/** Reads the four lists and indexes them; `epoch` must be read BEFORE this is called. */
export async function takeSnapshot(
  docker: Docker,
  instanceId: string,
  epoch: string,
  now: () => number = Date.now,
): Promise<SwarmSnapshot> {
  const takenAt = now();
  const [services, networks, configs, secrets] = await Promise.all([
    call(
      'services',
      // status=true (API >= 1.41) adds the running and desired task counts health reads
      () =>
        docker.listServices({ status: true } as Parameters<Docker['listServices']>[0]) as unknown as Promise<
          (RawService & ServiceListEntry)[]
        >,
    ),
    call('networks', () => docker.listNetworks()) as unknown as Promise<RawNetwork[]>,
    call('configs', () => docker.listConfigs()) as unknown as Promise<RawConfig[]>,
    call('secrets', () => docker.listSecrets()) as unknown as Promise<RawConfig[]>,
  ]);
  // services attached to `host`/`bridge` hold the swarm's ids of those, which no list returns
  const networkNames = new Map(networks.map((n) => [n.Id, n.Name]));
  await resolveNetworkNames(docker, services, networkNames, false);
  return snapshotOf({ services, networks, configs, secrets }, instanceId, epoch, takenAt, networkNames);
}

/** Positions of one kind's objects: this instance's (all, and by owner), and everyone's by name and by stack namespace. */
interface Index<T> {
  items: T[];
  owned: number[];
  byOwner: Map<string, number[]>;
  byName: Map<string, number[]>;
  byNamespace: Map<string, number[]>;
}

function push(m: Map<string, number[]>, k: string | undefined, i: number): void {
  if (k === undefined) return;
  const list = m.get(k);
  if (list) list.push(i);
  else m.set(k, [i]);
}

function indexOf<T>(
  items: T[],
  nameOf: (t: T) => string,
  labelsOf: (t: T) => Record<string, string> | null | undefined,
  instanceId: string,
): Index<T> {
  const ix: Index<T> = { items, owned: [], byOwner: new Map(), byName: new Map(), byNamespace: new Map() };
  items.forEach((t, i) => {
    const labels = labelsOf(t) ?? {};
    if (labels[LABEL_INSTANCE] === instanceId) {
      ix.owned.push(i);
      push(ix.byOwner, labels[LABEL_OWNER], i);
    }
    push(ix.byName, nameOf(t), i);
    push(ix.byNamespace, labels[LABEL_STACK_NAMESPACE], i);
  });
  return ix;
}

/**
 * The objects of one kind that may matter to `query`, in list order (isRelevant decides in the
 * end): the owner's, the named ones and the stack namespaces'. A query for another instance scans all.
 */
function candidates<T>(ix: Index<T>, kind: ObjectKind, query: ObserveQuery, instanceId: string): T[] {
  if (query.instanceId !== instanceId) return ix.items;
  const at = new Set(query.owner !== undefined ? (ix.byOwner.get(query.owner) ?? []) : ix.owned);
  for (const n of query.names?.[kind] ?? []) for (const i of ix.byName.get(n) ?? []) at.add(i);
  for (const ns of query.stackNamespaces ?? []) for (const i of ix.byNamespace.get(ns) ?? []) at.add(i);
  return [...at].sort((a, b) => a - b).map((i) => ix.items[i]!);
}

/** A snapshot over lists already read (pure; `takeSnapshot` reads them from Docker). */
export function snapshotOf(
  lists: {
    services: (RawService & ServiceListEntry)[];
    networks: RawNetwork[];
    configs: RawConfig[];
    secrets: RawConfig[];
  },
  instanceId: string,
  epoch: string,
  takenAt: number,
  networkNames?: ReadonlyMap<string, string>,
): SwarmSnapshot {
  const names = networkNames ?? new Map(lists.networks.map((n) => [n.Id, n.Name]));
  const health = groupHealthByOwner(lists.services, instanceId);
  const swarmObject = <T extends { Spec: { Name: string; Labels?: Record<string, string> } }>(items: T[]) =>
    indexOf(
      items,
      (t) => t.Spec.Name,
      (t) => t.Spec.Labels,
      instanceId,
    );
  const ix = {
    services: swarmObject(lists.services),
    networks: indexOf(
      lists.networks,
      (n) => n.Name,
      (n) => n.Labels,
      instanceId,
    ),
    configs: swarmObject(lists.configs),
    secrets: swarmObject(lists.secrets),
  };
  return {
    epoch,
    takenAt,
    observe(query) {
      if (query.names !== undefined && 'volume' in query.names) return undefined;
      const relevant = {
        services: candidates(ix.services, 'service', query, instanceId),
        networks: candidates(ix.networks, 'network', query, instanceId),
        configs: candidates(ix.configs, 'config', query, instanceId),
        secrets: candidates(ix.secrets, 'secret', query, instanceId),
        volumes: [],
      };
      // a copy: reconciles share the snapshot, and none may see another's changes to its objects
      // (plain JSON from the Engine: `clone` copies it several times faster than structuredClone)
      return clone(assemble(relevant, names, query));
    },
    health: (owner) => clone(health.get(owner) ?? []),
  };
}
