/**
 * The SwarmNode kind reconciler (`swarmkeeper run`).
 *
 *   reconcile: join the node if needed and converge role, labels and availability (the join machine);
 *              then, with spec.availability drain, the drain machine (progress in status.progress,
 *              phase Drained and condition Drained at the end). The status is always returned.
 *   remove:    the remove machine (drain, demote, leave, node rm). A removal or demotion that would
 *              leave the managers without a majority is refused (machines/node-quorum.ts): done=false
 *              with a Stalled status (reason QuorumWouldBeLost), so a Kubernetes finalizer stays and
 *              the key is retried.
 *   wantsEvent: node events about the nodes this reconciler manages.
 *
 * Machine snapshots are persisted (machine-runner.ts, key `<resource key>@join|drain|remove`), so a
 * join or drain interrupted by a crash resumes at its step. Changes to the managers (joining as or
 * promoting to manager, demotion, removal) are serialised across keys and processes by a Redis lock:
 * two removals checked against the same quorum at once could together break it.
 */
import type Docker from 'dockerode';
import { nodeDrainMachine } from '../../machines/node-drain.machine.js';
import { nodeJoinMachine } from '../../machines/node-join.machine.js';
import { withNodePolicy, type NodePolicy } from '../../machines/node-policy.js';
import { nodeDrift } from '../../machines/node-plan.js';
import { nodeRemoveMachine } from '../../machines/node-remove.machine.js';
import {
  driftCondition,
  driftedNodeStatus,
  finalNodeStatus,
  nodeStatus,
  outcomeError,
} from '../../machines/node-status.js';
import type { NodeMachineOutput } from '../../machines/node.types.js';
import { type SwarmNodeSpec } from '../../reconciler/api/swarm-node.js';
import { asSwarmkeeperError, skError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { removeCondition, sameConditions } from '../../reconciler/status/conditions.js';
import type {
  KindReconcileContext,
  KindReconcileResult,
  KindReconciler,
  KindRemoveResult,
  KindStatus,
} from '../ports.js';
import type { SecretResolver } from '../ports.js';
import { type HeldLock } from '../runtime/queue/key-lock.js';
import type { Redis } from 'ioredis';
import { dockerNodeOps, nodeActorsFrom, type NodeOps } from './node-actors.js';
import { nodeDocker } from '../machine-runner/node-docker.js';
import { RedisNodeRecords, type NodeRecord, type NodeRecordStore } from './node-records.js';
import { RedisSnapshotStore, type MachineSnapshotStore } from '../machine-runner/snapshot-store.js';
import {
  mayChangeManagers,
  nodeMachineInput,
  nodeRunSteps,
  nodeSpecHash,
  parseSpec,
  prevOf,
  redisLock,
  type ManagerChangeLock,
} from './node-run.js';

export { mayChangeManagers, nodeMachineInput, nodeSpecHash, type ManagerChangeLock };

export interface NodeKindDeps {
  /** The manager's daemon (DOCKER_HOST). */
  docker: Docker;
  redis: Redis;
  instanceId: string;
  secrets: SecretResolver;
  policy?: Partial<NodePolicy>;
  store?: MachineSnapshotStore;
  records?: NodeRecordStore;
  lock?: ManagerChangeLock;
  /** The machines' operations for a node daemon (tests pass fakes). Default: dockerode. */
  ops?: (node: Docker | undefined) => NodeOps;
  /** Per machine run, give up after this long (the snapshot stays; the next reconcile resumes). */
  machineDeadlineMs?: number;
  /** Retry delay while another reconcile changes the managers. */
  lockRetryMs?: number;
  now?: () => Date;
}

export function nodeKindReconciler(deps: NodeKindDeps): KindReconciler & { managedNodes: Set<string> } {
  const policy = withNodePolicy(deps.policy);
  const store = deps.store ?? new RedisSnapshotStore(deps.redis, deps.instanceId);
  const records = deps.records ?? new RedisNodeRecords(deps.redis, deps.instanceId);
  const lock = deps.lock ?? redisLock(deps.redis, deps.instanceId);
  const opsFor =
    deps.ops ?? ((node: Docker | undefined) => dockerNodeOps({ node: node!, manager: deps.docker }));
  const now = deps.now ?? (() => new Date());
  const lockRetryMs = deps.lockRetryMs ?? 2000;
  const managedNodes = new Set<string>();

  const { run, freshView, stalledStatus, waitingForLock } = nodeRunSteps({
    store,
    now,
    ...(deps.machineDeadlineMs !== undefined ? { machineDeadlineMs: deps.machineDeadlineMs } : {}),
  });

  async function connect(
    key: string,
    namespace: string,
    spec: Pick<SwarmNodeSpec, 'address' | 'tls'>,
  ): Promise<Docker> {
    try {
      return await nodeDocker(key, namespace, spec, deps.secrets);
    } catch (e) {
      throw asSwarmkeeperError(e);
    }
  }

  return {
    managedNodes,

    async reconcile(res: DesiredResource, ctx: KindReconcileContext): Promise<KindReconcileResult> {
      const prev = prevOf(ctx);
      const gen = res.generation;
      const spec = parseSpec(res);
      if (spec instanceof Error) return { status: stalledStatus(prev, spec, gen) as KindStatus, error: spec };
      if (spec.suspend === true) {
        const c = { reason: 'Suspended', message: 'spec.suspend is true: nothing is changed' };
        const status = nodeStatus(
          prev,
          {
            phase: (prev?.phase as 'Ready' | undefined) ?? 'Pending',
            ready: {
              status: prev?.conditions?.find((x) => x.type === 'Ready')?.status === 'True' ? 'True' : 'False',
              ...c,
            },
            ...(gen !== undefined ? { generation: gen } : {}),
          },
          now(),
        );
        return { status: status as KindStatus };
      }
      const old = await records.get(res.key);
      const record: NodeRecord = {
        namespace: res.namespace,
        address: spec.address,
        force: spec.force,
        deletionPolicy: spec.deletionPolicy,
        ...(spec.tls ? { tls: spec.tls } : {}),
        ...(old?.nodeId !== undefined ? { nodeId: old.nodeId } : {}),
        ...(old?.hostname !== undefined ? { hostname: old.hostname } : {}),
      };
      await records.put(res.key, record);

      let node: Docker;
      try {
        node = await connect(res.key, res.namespace, spec);
      } catch (e) {
        const error = asSwarmkeeperError(e);
        return { status: stalledStatus(prev, error, gen) as KindStatus, error };
      }
      const ops = opsFor(node);
      const actors = nodeActorsFrom(ops);
      const draining = spec.availability === 'drain';
      const desiredHash = nodeSpecHash(spec);

      // driftPolicy detect: a node already brought to this very spec is only looked at; what
      // differs now was changed out of band, and is reported (Drifted) instead of put back.
      if (spec.driftPolicy === 'detect' && record.nodeId !== undefined && prev?.desiredHash === desiredHash) {
        const view = await freshView(ops, record.nodeId);
        if (view) {
          const input = nodeMachineInput(res.key, deps.instanceId, spec, policy, record.nodeId);
          const drift = nodeDrift({ view, desired: input.desired, key: res.key, instance: deps.instanceId });
          if (drift.length > 0) {
            ctx.log[
              prev.conditions?.some((c) => c.type === 'Drifted' && c.status === 'True') ? 'debug' : 'info'
            ]({ drift }, 'drift detected (driftPolicy detect: not corrected)');
            return { status: driftedNodeStatus(prev, drift, view, gen, now()) as KindStatus };
          }
        }
      }

      let held: HeldLock | undefined;
      if (mayChangeManagers(spec, prev?.role)) {
        held = await lock.tryAcquire();
        if (held === undefined)
          return { status: waitingForLock(prev, 'Joining', gen) as KindStatus, requeueAfterMs: lockRetryMs };
      }
      let out: NodeMachineOutput;
      try {
        out = await run(
          nodeJoinMachine.provide({ actors }),
          nodeMachineInput(res.key, deps.instanceId, spec, policy),
          `${res.key}@join`,
          ctx,
          draining,
          gen,
        );
      } finally {
        await held?.release().catch(() => undefined);
      }
      if (out.nodeId !== undefined) {
        managedNodes.add(out.nodeId);
        if (record.nodeId !== out.nodeId || record.hostname !== out.view?.hostname)
          await records.put(res.key, {
            ...record,
            nodeId: out.nodeId,
            ...(out.view?.hostname ? { hostname: out.view.hostname } : {}),
          });
      }
      if (out.outcome === 'Ready' && draining && out.nodeId !== undefined) {
        out = await run(
          nodeDrainMachine.provide({ actors }),
          nodeMachineInput(res.key, deps.instanceId, spec, policy, out.nodeId, out.view?.hostname),
          `${res.key}@drain`,
          ctx,
          draining,
          gen,
        );
      }
      const view = await freshView(ops, out.nodeId);
      const status = finalNodeStatus(prev, out, view, gen, draining, now());
      if (out.outcome === 'Ready' || out.outcome === 'Drained') {
        status.desiredHash = desiredHash; // brought to this spec: from now on, differences are drift
        status.conditions =
          spec.driftPolicy === 'detect'
            ? driftCondition(status.conditions, [], gen, now())
            : removeCondition(status.conditions, 'Drifted');
      }
      const error = outcomeError(out);
      // a steady node (same conditions as before) logs at debug: resyncs would repeat it forever
      const level = sameConditions(prev?.conditions, status.conditions) ? 'debug' : 'info';
      ctx.log[level]({ outcome: out.outcome, reason: out.reason, nodeId: out.nodeId }, out.message);
      return { status: status as KindStatus, ...(error ? { error } : {}) };
    },

    async remove(
      key: string,
      res: DesiredResource | undefined,
      ctx: KindReconcileContext,
    ): Promise<KindRemoveResult> {
      const prev = prevOf(ctx);
      const record = await records.get(key);
      let spec: Pick<SwarmNodeSpec, 'address' | 'tls' | 'force'>;
      let namespace: string;
      if (res !== undefined) {
        const parsed = parseSpec(res);
        if (parsed instanceof Error)
          return { done: false, error: parsed, status: stalledStatus(prev, parsed, undefined) as KindStatus };
        spec = parsed;
        namespace = res.namespace;
      } else {
        if (record === undefined) return { done: true }; // never reconciled: nothing of ours in the swarm
        if (record.deletionPolicy === 'Orphan') {
          ctx.log.info('SwarmNode removed with deletionPolicy Orphan: the node stays in the swarm');
          await records.delete(key);
          return { done: true };
        }
        spec = { address: record.address, force: record.force, ...(record.tls ? { tls: record.tls } : {}) };
        namespace = record.namespace;
      }
      const nodeId = record?.nodeId ?? prev?.nodeId;
      if (nodeId === undefined) {
        await records.delete(key);
        return { done: true }; // it never joined
      }
      let node: Docker;
      try {
        node = await connect(key, namespace, spec);
      } catch (e) {
        const error = asSwarmkeeperError(e);
        return { done: false, error, status: stalledStatus(prev, error, undefined) as KindStatus };
      }
      const ops = opsFor(node);
      const held = await lock.tryAcquire();
      if (held === undefined)
        return {
          done: false,
          status: waitingForLock(prev, 'Removing', undefined) as KindStatus,
          requeueAfterMs: lockRetryMs,
        };
      let out: NodeMachineOutput;
      try {
        out = await run(
          nodeRemoveMachine.provide({ actors: nodeActorsFrom(ops) }),
          nodeMachineInput(key, deps.instanceId, spec, policy, nodeId, record?.hostname ?? prev?.hostname),
          `${key}@remove`,
          ctx,
          false,
          undefined,
        );
      } finally {
        await held.release().catch(() => undefined);
      }
      ctx.log.info({ outcome: out.outcome, reason: out.reason, nodeId }, out.message);
      if (out.outcome === 'Removed') {
        managedNodes.delete(nodeId);
        await records.delete(key);
        await store.remove(`${key}@join`).catch(() => undefined);
        await store.remove(`${key}@drain`).catch(() => undefined);
        return { done: true };
      }
      const status = finalNodeStatus(prev, out, out.view, undefined, false, now());
      // Stalled/Failed: keep the resource (finalizer) and retry; the status says why
      const error = outcomeError(out) ?? skError('INTERNAL', out.message);
      return { done: false, status: status as KindStatus, error };
    },

    wantsEvent: (e) => e.type === 'node' && managedNodes.has(e.id),
  };
}
