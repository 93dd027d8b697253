/**
 * The SwarmVolume kind for the controller: the volume on every eligible node (nodeSelector; nodes
 * that join later come with node events), with the driver, options and labels of the spec or of its
 * preset (Secret values resolved here, never shown), and owner labels.
 *
 * Status: phase, progress "2/3 nodes", nodes[]; Ready when the volume is as desired on every
 * eligible node. A volume swarmkeeper does not own is a Conflict (Stalled) unless spec.adopt; a
 * changed driver/option/label needs recreation, which only recreatePolicy: Always does (Stalled
 * otherwise, naming the services that mount it) and never while a container uses the volume.
 * Volumes on nodes no longer selected (or under an old name) are deleted when owned and unused.
 * remove: delete every owned volume on every node; not done while one is in use.
 */
import type Docker from 'dockerode';
import pLimit from 'p-limit';
import { eligibleNodes, type FleetNode } from '../../machines/plugin-fleet.js';
import type { SwarmVolume } from '../../reconciler/api/resource.js';
import { presetSecretNeeds } from '../../reconciler/desired/volume-preset.js';
import { desiredVolume, sensitiveValues, type DesiredVolume } from '../../reconciler/desired/volume.js';
import { asSwarmkeeperError, skError, type SwarmkeeperError } from '../../reconciler/errors.js';
import { Sensitive } from '../../reconciler/model/sensitive.js';
import { parseOwnerKey } from '../../reconciler/model/ownership.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import {
  errorStatus,
  groupNodeMessages,
  isNodeEvent,
  keepTransitionTimes,
  nodeCallSignal,
  kindConditions,
  recordRemovals,
  removalBlockedStatus,
  type KindVerdict,
} from '../machine-runner/kind-status.js';
import type { NodeEndpoints } from '../machine-runner/node-endpoints.js';
import type { KindReconcilerDeps } from '../machine-runner/kind-deps.js';
import {
  RedisNodeOwnership,
  type NodeObject,
  type NodeOwnershipStore,
} from '../machine-runner/node-ownership.js';
import {
  sharedResourceEndpoints,
  type ResourceNodeEndpoints,
} from '../machine-runner/resource-node-endpoints.js';
import { listFleetNodes } from '../machine-runner/swarm-nodes.js';
import { ensureVolumeOnNode, type VolumeNodeState } from './volume-node.js';
import { ownedEverywhere, removeAll } from './volume-removal.js';
import { beginKindReconcile, progressWrites } from '../machine-runner/kind-skeleton.js';
import type {
  EventRecorder,
  KindReconcileContext,
  KindReconciler,
  KindReconcileResult,
  KindRemoveResult,
  KindStatus,
  SecretResolver,
  SwarmEvent,
} from '../ports.js';

export interface VolumeKindDeps {
  manager: Docker;
  instanceId: string;
  secrets: SecretResolver;
  endpoints: ResourceNodeEndpoints;
  ownership: NodeOwnershipStore;
  recorder?: EventRecorder;
  /** Look again after this long while nodes are unreachable (default 10 s). */
  retryMs?: number;
  /** ... while a volume is in use, its driver is not enabled yet, or a removal waits (default 5 s). */
  blockedRetryMs?: number;
  now?: () => Date;
}

export interface VolumeNodeStatus {
  node: string;
  state: string;
  message: string;
  lastTransitionTime?: string;
}

export interface VolumeFleet {
  phase: 'Ready' | 'Blocked' | 'Failed' | 'Pending';
  progress: string;
  nodes: VolumeNodeStatus[];
  verdict: KindVerdict;
  error?: SwarmkeeperError;
  retry?: boolean;
}

/** Phase, progress and conditions from the per-node states (eligible nodes, by hostname). Pure. */
export function volumeFleet(key: string, name: string, nodes: readonly VolumeNodeStatus[]): VolumeFleet {
  const ready = nodes.filter((n) => n.state === 'Ready').length;
  const progress = `${ready}/${nodes.length} nodes`;
  const bad = nodes.filter((n) => n.state !== 'Ready');
  const message =
    bad.length === 0
      ? nodes.length === 0
        ? 'no node matches the nodeSelector'
        : `volume ${name} on ${progress}`
      : groupNodeMessages(bad);
  const has = (s: string) => nodes.some((n) => n.state === s);
  const base = { progress, nodes: [...nodes] };
  const stalled = (reason: string, error: SwarmkeeperError): VolumeFleet => ({
    ...base,
    phase: 'Blocked',
    verdict: { ready: false, reason, message, stalled: true },
    error,
  });
  if (has('Conflict'))
    return stalled('OwnershipConflict', skError('OWNERSHIP_CONFLICT', `${key}: ${message}`));
  if (has('RecreateBlocked'))
    return stalled('RecreateBlocked', skError('RECREATE_BLOCKED', `${key}: ${message}`));
  if (has('Failed'))
    return {
      ...base,
      phase: 'Failed',
      verdict: { ready: false, reason: 'VolumeFailed', message, reconciling: true },
      error: skError('DOCKER_API', `${key}: ${message}`),
    };
  if (has('InUse'))
    return {
      ...base,
      phase: 'Blocked',
      verdict: { ready: false, reason: 'InUse', message, reconciling: true },
      retry: true,
    };
  if (has('WaitingForDriver'))
    return {
      ...base,
      phase: 'Pending',
      verdict: { ready: false, reason: 'WaitingForDriver', message, reconciling: true },
      retry: true,
    };
  if (bad.length > 0)
    return {
      ...base,
      phase: 'Pending',
      verdict: { ready: false, reason: 'NodeUnreachable', message, reconciling: true },
      retry: true,
    };
  return { ...base, phase: 'Ready', verdict: { ready: true, reason: 'VolumeReady', message } };
}

/** Volume events on the manager (a volume deleted out of band) and node events. */
export function volumeWantsEvent(e: SwarmEvent): boolean {
  return isNodeEvent(e) || (e.type === 'volume' && e.action === 'destroy');
}

interface Loaded {
  desired: DesiredVolume;
  endpoints: NodeEndpoints;
  nodes: FleetNode[];
  records: NodeObject[];
}

export function volumeKindReconciler(deps: VolumeKindDeps): KindReconciler {
  const now = deps.now ?? (() => new Date());
  const retryMs = deps.retryMs ?? 10_000;
  const blockedRetryMs = deps.blockedRetryMs ?? 5_000;

  async function resolveDesired(vol: SwarmVolume, res: DesiredResource): Promise<DesiredVolume> {
    const values = new Map<string, Sensitive<string>>();
    const preset = vol.spec.preset;
    if (preset)
      for (const need of presetSecretNeeds(preset)) {
        const id = `${need.name}/${need.key}`;
        if (!values.has(id))
          values.set(
            id,
            new Sensitive((await deps.secrets.get(res.namespace, need.name, need.key)).toString('utf8')),
          );
      }
    const owner = { kind: res.kind, namespace: res.namespace, name: res.name };
    return desiredVolume(owner, vol.spec, deps.instanceId, (name, key) => values.get(`${name}/${key}`));
  }

  async function reconcile(res: DesiredResource, ctx: KindReconcileContext): Promise<KindReconcileResult> {
    const gen = res.generation;
    const owner = { kind: res.kind, namespace: res.namespace, name: res.name };
    const begun = await beginKindReconcile<SwarmVolume, Loaded>(res, ctx, now, {
      load: async (v) => ({
        desired: await resolveDesired(v, res),
        endpoints: await deps.endpoints.resolve(ctx.resources('SwarmNode'), ctx.log, ctx.signal),
        nodes: await listFleetNodes(deps.manager, ctx.signal),
        records: await deps.ownership.list(res.key),
      }),
    });
    if (begun.result) return begun.result;
    const vol = begun.kind;
    const { desired, endpoints, nodes, records } = begun.loaded;
    const secrets = sensitiveValues(desired.driverOpts);
    const eligible = eligibleNodes(nodes, vol.spec);
    const states = new Map<string, VolumeNodeState>();
    const writes = progressWrites(ctx);
    const nodeStatuses = () =>
      eligible.map((n): VolumeNodeStatus => ({
        node: n.hostname,
        ...(states.get(n.hostname) ?? { state: 'Pending', message: 'not started' }),
        lastTransitionTime: now().toISOString(),
      }));
    const limit = pLimit(4);
    await Promise.all(
      eligible.map((node) =>
        limit(async () => {
          const docker = endpoints.docker(node);
          let s: VolumeNodeState;
          if (node.state !== 'ready' || docker === undefined)
            s = {
              state: 'Unreachable',
              message:
                node.state !== 'ready'
                  ? `node ${node.hostname} is ${node.state}`
                  : `no Docker endpoint for node ${node.hostname} (${endpoints.describe(node)})`,
            };
          else
            s = await ensureVolumeOnNode({
              key: res.key,
              owner,
              instanceId: deps.instanceId,
              desired,
              secrets,
              node,
              docker,
              manager: deps.manager,
              adopt: vol.spec.adopt === true,
              recreatePolicy: vol.spec.recreatePolicy,
              ownership: deps.ownership,
              record: records.find((r) => r.nodeId === node.id && r.name === desired.name),
              signal: nodeCallSignal(ctx.signal),
            });
          states.set(node.hostname, { state: s.state, message: s.message });
          if (s.changed) {
            const f = volumeFleet(res.key, desired.name, nodeStatuses());
            const status: KindStatus = {
              ...(ctx.prev ?? {}),
              conditions: ctx.prev?.conditions ?? [],
              phase: 'Creating',
              progress: f.progress,
              nodes: keepTransitionTimes(ctx.prev?.['nodes'], f.nodes),
            };
            writes.write(status);
          }
        }),
      ),
    );
    await writes.settled();

    // owned volumes on nodes no longer selected, or under an old name
    let staleNote = '';
    const wanted = new Set(eligible.map((n) => `${n.id}/${desired.name}`));
    const { found } = await ownedEverywhere(res.key, deps, nodes, endpoints, ctx.signal);
    const stale = found.filter((f) => !wanted.has(`${f.nodeId}/${f.name}`));
    if (stale.length > 0) {
      const { removed, problems } = await removeAll(res.key, owner, stale, deps, endpoints, ctx);
      recordRemovals(
        deps.recorder,
        {
          key: res.key,
          reason: 'Pruned',
          action: 'Reconcile',
          note: 'volume(s) removed from nodes no longer selected',
        },
        removed,
      );
      if (problems.length > 0)
        staleNote = `; not removed from nodes no longer selected: ${problems.join('; ')}`;
    }

    const fleet = volumeFleet(res.key, desired.name, nodeStatuses());
    const verdict = { ...fleet.verdict, message: fleet.verdict.message + staleNote };
    const status: KindStatus = {
      conditions: kindConditions(ctx.prev?.conditions, verdict, now(), gen),
      ...(ctx.prev?.observedGeneration !== undefined
        ? { observedGeneration: ctx.prev.observedGeneration }
        : {}),
      phase: fleet.phase,
      progress: fleet.progress,
      nodes: keepTransitionTimes(ctx.prev?.['nodes'], fleet.nodes),
    };
    if (gen !== undefined && (fleet.error === undefined || fleet.error.policy === 'terminal'))
      status.observedGeneration = gen;
    if (ctx.prev?.['phase'] !== status['phase'] || ctx.prev?.['progress'] !== status['progress'])
      ctx.log.info({ phase: status['phase'], progress: status['progress'] }, 'volume status changed');
    const out: KindReconcileResult = { status };
    if (fleet.error) out.error = fleet.error;
    if (fleet.retry || staleNote !== '')
      out.requeueAfterMs = fleet.verdict.reason === 'NodeUnreachable' ? retryMs : blockedRetryMs;
    return out;
  }

  async function remove(
    key: string,
    _res: DesiredResource | undefined,
    ctx: KindReconcileContext,
  ): Promise<KindRemoveResult> {
    const owner = parseOwnerKey(key);
    if (owner === undefined) return { done: true };
    try {
      const endpoints = await deps.endpoints.resolve(ctx.resources('SwarmNode'), ctx.log, ctx.signal);
      const nodes = await listFleetNodes(deps.manager, ctx.signal);
      const { found, unreachable } = await ownedEverywhere(key, deps, nodes, endpoints, ctx.signal);
      const { removed, problems } = await removeAll(key, owner, found, deps, endpoints, ctx);
      recordRemovals(
        deps.recorder,
        { key, reason: 'Pruned', action: 'Delete', note: 'volume(s) removed' },
        removed,
      );
      if (unreachable.length > 0)
        ctx.log.warn(
          { nodes: unreachable },
          'volumes on these nodes could not be looked for (no endpoint or not answering)',
        );
      if (problems.length === 0) return { done: true };
      const inUse = problems.some((p) => p.includes(' in use'));
      const message = `not removed yet: ${problems.join('; ')}`;
      const status = removalBlockedStatus(ctx.prev, inUse, message, now());
      return { done: false, status, requeueAfterMs: blockedRetryMs };
    } catch (e) {
      const error = asSwarmkeeperError(e);
      return { done: false, status: errorStatus(ctx.prev, error, now()), error };
    }
  }

  return { reconcile, remove, wantsEvent: volumeWantsEvent };
}

/** The registry entry (controllers/machine-kinds.ts). */
export function swarmVolumeKind(deps: KindReconcilerDeps): KindReconciler {
  return volumeKindReconciler({
    manager: deps.docker,
    instanceId: deps.instanceId,
    secrets: deps.secrets,
    endpoints: sharedResourceEndpoints(deps),
    ownership: new RedisNodeOwnership(deps.redis, deps.instanceId),
    ...(deps.recorder ? { recorder: deps.recorder } : {}),
  });
}
