/**
 * The SwarmPlugin kind for the controller: reconcile = the install machine on every eligible node
 * (reconcilePlugin), with live progress; remove = uninstall where swarmkeeper installed (or was told
 * to adopt) the plugin, never while a volume on that node still uses it.
 *
 * Ownership: plugins carry no labels, so the nodes swarmkeeper installed the plugin on are recorded
 * (NodeOwnershipStore, Redis) before the pull. A plugin of the same name that was already there is
 * left alone: when it already is as desired the node counts as Installed (nothing changes, nothing
 * is recorded, so it is never removed); otherwise the node is a Conflict until `spec.adopt: true`.
 * A node that stops being eligible (nodeSelector, alias change) gets the recorded plugin uninstalled
 * by the same rule as removal.
 *
 * Status: phase, progress "2/3 nodes", nodes[], readyNodes, desiredNodes; Ready when the plugin is
 * installed on every eligible node. Privileges refused, an ownership conflict and a rolled-back
 * upgrade are Stalled (terminal: retried only when the spec or the nodes change); a failed step is
 * retried with backoff; unreachable nodes are looked at again after `retryMs`.
 */
import { compareNames } from '../../reconciler/model/order.js';
import type Docker from 'dockerode';
import {
  eligibleNodes,
  pluginName,
  type FleetNode,
  type PluginFleetStatus,
} from '../../machines/plugin-fleet.js';
import { settingsDrift } from '../../machines/plugin-settings.js';
import type { StepPolicy } from '../../machines/step-policy.js';
import type { SwarmPlugin } from '../../reconciler/api/resource.js';
import { asSwarmkeeperError, skError, type SwarmkeeperError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import {
  errorStatus,
  isNodeEvent,
  keepTransitionTimes,
  kindConditions,
  recordRemovals,
  removalBlockedStatus,
  nodeCallSignal,
  type KindVerdict,
} from '../machine-runner/kind-status.js';
import type { KindReconcilerDeps } from '../machine-runner/kind-deps.js';
import { beginKindReconcile, progressWrites } from '../machine-runner/kind-skeleton.js';
import type { NodeEndpoints } from '../machine-runner/node-endpoints.js';
import {
  RedisNodeOwnership,
  type NodeObject,
  type NodeOwnershipStore,
} from '../machine-runner/node-ownership.js';
import { dockerPluginOps } from './plugin-actors.js';
import { uninstallMessage, uninstallRecorded } from './plugin-uninstall.js';
import { reconcilePlugin } from './reconcile-plugin.js';
import {
  sharedResourceEndpoints,
  type ResourceNodeEndpoints,
} from '../machine-runner/resource-node-endpoints.js';
import { RedisSnapshotStore, type MachineSnapshotStore } from '../machine-runner/snapshot-store.js';
import { listFleetNodes } from '../machine-runner/swarm-nodes.js';
import type {
  EventRecorder,
  KindReconcileContext,
  KindReconciler,
  KindReconcileResult,
  KindRemoveResult,
  KindStatus,
} from '../ports.js';

export interface PluginKindDeps {
  /** A manager's daemon. */
  manager: Docker;
  endpoints: ResourceNodeEndpoints;
  ownership: NodeOwnershipStore;
  store: MachineSnapshotStore;
  recorder?: EventRecorder;
  policy?: Partial<StepPolicy>;
  nodeDeadlineMs?: number;
  /** Look again after this long while nodes are unreachable (default 15 s). */
  retryMs?: number;
  /** ... while an uninstall waits for the volumes that use the plugin (default 5 s). */
  blockedRetryMs?: number;
  now?: () => Date;
}

/** Node states that change something on the node (worth a live status write). */
const CHANGING = new Set([
  'CheckingPrivileges',
  'Pulling',
  'Disabling',
  'Upgrading',
  'Configuring',
  'Enabling',
  'RollingBack',
]);

export interface PluginVerdict {
  verdict: KindVerdict;
  error?: SwarmkeeperError;
  retry?: boolean;
}

/** Conditions and retry policy of a finished fleet run. Pure. */
export function pluginVerdict(key: string, fleet: PluginFleetStatus): PluginVerdict {
  const has = (s: string) => fleet.nodes.some((n) => n.state === s);
  const message = fleet.message;
  const stalled = (reason: string, error: SwarmkeeperError): PluginVerdict => ({
    verdict: { ready: false, reason, message, stalled: true },
    error,
  });
  if (fleet.phase === 'Refused')
    return stalled('PrivilegesRefused', skError('PRIVILEGES_REFUSED', `${key}: ${message}`));
  if (has('Conflict'))
    return stalled('OwnershipConflict', skError('OWNERSHIP_CONFLICT', `${key}: ${message}`));
  if (has('RolledBack')) return stalled('RolledBack', skError('UPGRADE_ROLLED_BACK', `${key}: ${message}`));
  if (has('Failed'))
    return {
      verdict: { ready: false, reason: 'InstallFailed', message, reconciling: true },
      error: skError('DOCKER_API', `${key}: ${message}`),
    };
  if (has('Unreachable'))
    return { verdict: { ready: false, reason: 'NodeUnreachable', message, reconciling: true }, retry: true };
  if (fleet.phase === 'Ready') return { verdict: { ready: true, reason: 'Installed', message } };
  return { verdict: { ready: false, reason: 'Installing', message, reconciling: true }, retry: true };
}

function fleetStatus(
  prev: KindStatus | undefined,
  fleet: PluginFleetStatus,
  conditions: KindStatus['conditions'],
): KindStatus {
  return {
    conditions,
    ...(prev?.observedGeneration !== undefined ? { observedGeneration: prev.observedGeneration } : {}),
    phase: fleet.phase,
    progress: fleet.progress,
    nodes: keepTransitionTimes(prev?.['nodes'], fleet.nodes),
    readyNodes: fleet.readyNodes,
    desiredNodes: fleet.desiredNodes,
  };
}

interface Loaded {
  endpoints: NodeEndpoints;
  all: FleetNode[];
  owned: NodeObject[];
}

export function pluginKindReconciler(deps: PluginKindDeps): KindReconciler {
  const now = deps.now ?? (() => new Date());
  const retryMs = deps.retryMs ?? 15_000;
  const blockedRetryMs = deps.blockedRetryMs ?? 5_000;

  async function reconcile(res: DesiredResource, ctx: KindReconcileContext): Promise<KindReconcileResult> {
    const gen = res.generation;
    const begun = await beginKindReconcile<SwarmPlugin, Loaded>(res, ctx, now, {
      load: async () => ({
        endpoints: await deps.endpoints.resolve(ctx.resources('SwarmNode'), ctx.log, ctx.signal),
        all: await listFleetNodes(deps.manager, ctx.signal),
        owned: await deps.ownership.list(res.key),
      }),
    });
    if (begun.result) return begun.result;
    const plugin = begun.kind;
    const { endpoints, all, owned } = begun.loaded;
    const name = pluginName(plugin.spec);
    const ownedHere = new Set(owned.filter((o) => o.name === name).map((o) => o.nodeId));
    const recordedNow = new Set<string>();

    const writes = progressWrites(ctx);
    const onProgress = (fleet: PluginFleetStatus) => {
      if (!fleet.nodes.some((n) => CHANGING.has(n.state))) return;
      const conditions = kindConditions(
        ctx.prev?.conditions,
        { ready: false, reason: 'Installing', message: fleet.message, reconciling: true },
        now(),
        gen,
      );
      // Ready stays as it was while the machines run: only the final status decides it
      const ready = ctx.prev?.conditions.find((c) => c.type === 'Ready');
      const kept = ready ? [...conditions.filter((c) => c.type !== 'Ready'), ready] : conditions;
      const status = fleetStatus(
        ctx.prev,
        fleet,
        kept.sort((a, b) => compareNames(a.type, b.type)),
      );
      writes.write(status);
    };

    const fleet = await reconcilePlugin(plugin, {
      manager: deps.manager,
      endpoints,
      store: deps.store,
      nodes: all,
      onProgress,
      now,
      ...(deps.policy ? { policy: deps.policy } : {}),
      ...(deps.nodeDeadlineMs !== undefined ? { nodeDeadlineMs: deps.nodeDeadlineMs } : {}),
      beforeNode: async (node, docker) => {
        if (ownedHere.has(node.id)) return undefined;
        const ops = dockerPluginOps({ node: docker, manager: deps.manager, nodeId: node.id });
        const observed = await ops.inspect({ input: { name }, signal: nodeCallSignal(ctx.signal) });
        const record = { nodeId: node.id, hostname: node.hostname, name };
        if (observed === null) {
          // write-ahead: recorded before the pull, so a crash mid-install still knows it is ours
          await deps.ownership.add(res.key, record);
          recordedNow.add(node.id);
          return undefined;
        }
        if (plugin.spec.adopt) {
          await deps.ownership.add(res.key, { ...record, adopted: true });
          return undefined;
        }
        const asDesired =
          observed.remote === plugin.spec.remote &&
          observed.enabled === plugin.spec.enabled &&
          settingsDrift(plugin.spec.settings, observed.settings).length === 0;
        if (asDesired) return undefined; // nothing to change; not recorded, so never uninstalled
        return {
          state: 'Conflict',
          message:
            `plugin ${name} on node ${node.hostname} was not installed by swarmkeeper ` +
            `(${observed.remote}, ${observed.enabled ? 'enabled' : 'disabled'}); set spec.adopt: true to manage it`,
        };
      },
      afterNode: async (node, output) => {
        // refused before anything was pulled: nothing of ours is on the node
        if (output.outcome === 'Refused' && recordedNow.has(node.id))
          await deps.ownership.remove(res.key, node.id, name);
      },
    });
    await writes.settled();

    // nodes no longer eligible (nodeSelector) and old names (alias): uninstall what is recorded
    const eligible = new Set(eligibleNodes(all, plugin.spec).map((n) => n.id));
    const stale = owned.filter((o) => !eligible.has(o.nodeId) || o.name !== name);
    let staleNote = '';
    if (stale.length > 0) {
      const { removed, problems } = await uninstallRecorded(stale, {
        key: res.key,
        nodes: all,
        endpoints,
        ownership: deps.ownership,
        store: deps.store,
        log: ctx.log,
        signal: ctx.signal,
      });
      recordRemovals(
        deps.recorder,
        {
          key: res.key,
          reason: 'Uninstalled',
          action: 'Reconcile',
          note: 'plugin uninstalled from node(s) no longer selected',
        },
        removed,
      );
      if (problems.length > 0)
        staleNote = `; not uninstalled from nodes no longer selected: ${uninstallMessage(problems)}`;
    }

    const v = pluginVerdict(res.key, fleet);
    const verdict = { ...v.verdict, message: v.verdict.message + staleNote };
    const status = fleetStatus(ctx.prev, fleet, kindConditions(ctx.prev?.conditions, verdict, now(), gen));
    if (gen !== undefined && (v.error === undefined || v.error.policy === 'terminal'))
      status.observedGeneration = gen;
    if (ctx.prev?.['phase'] !== status['phase'] || ctx.prev?.['progress'] !== status['progress'])
      ctx.log.info({ phase: status['phase'], progress: status['progress'] }, 'plugin status changed');
    const out: KindReconcileResult = { status };
    if (v.error) out.error = v.error;
    if (v.retry) out.requeueAfterMs = retryMs;
    else if (staleNote !== '') out.requeueAfterMs = blockedRetryMs;
    return out;
  }

  async function remove(
    key: string,
    _res: DesiredResource | undefined,
    ctx: KindReconcileContext,
  ): Promise<KindRemoveResult> {
    // machine snapshots of interrupted runs (also of nodes where nothing was recorded)
    const forgetSnapshots = async () => {
      for (const k of await deps.store.keys()) if (k.startsWith(`${key}@`)) await deps.store.remove(k);
    };
    try {
      const owned = await deps.ownership.list(key);
      if (owned.length === 0) {
        await forgetSnapshots();
        return { done: true };
      }
      const endpoints = await deps.endpoints.resolve(ctx.resources('SwarmNode'), ctx.log, ctx.signal);
      const nodes = await listFleetNodes(deps.manager, ctx.signal);
      const { removed, problems } = await uninstallRecorded(owned, {
        key,
        nodes,
        endpoints,
        ownership: deps.ownership,
        store: deps.store,
        log: ctx.log,
        signal: ctx.signal,
      });
      recordRemovals(
        deps.recorder,
        { key, reason: 'Uninstalled', action: 'Delete', note: 'plugin uninstalled' },
        removed,
      );
      if (problems.length === 0) {
        ctx.log.info({ nodes: removed.map((r) => r.hostname) }, 'plugin uninstalled');
        await forgetSnapshots();
        return { done: true };
      }
      const inUse = problems.some((p) => p.volumes !== undefined);
      const message = `not removed yet: ${uninstallMessage(problems)}`;
      const status = removalBlockedStatus(ctx.prev, inUse, message, now());
      return { done: false, status, requeueAfterMs: blockedRetryMs };
    } catch (e) {
      const error = asSwarmkeeperError(e);
      return { done: false, status: errorStatus(ctx.prev, error, now()), error };
    }
  }

  return { reconcile, remove, wantsEvent: isNodeEvent };
}

/** The registry entry (controllers/machine-kinds.ts): Redis for ownership and snapshots. */
export function swarmPluginKind(deps: KindReconcilerDeps): KindReconciler {
  return pluginKindReconciler({
    manager: deps.docker,
    endpoints: sharedResourceEndpoints(deps),
    ownership: new RedisNodeOwnership(deps.redis, deps.instanceId),
    store: new RedisSnapshotStore(deps.redis, deps.instanceId),
    ...(deps.recorder ? { recorder: deps.recorder } : {}),
  });
}
