/**
 * The SwarmNode machines' actors on dockerode: calls about the node's own daemon (ping, /info, join,
 * leave) go to `node` (controllers/machine-runner/node-docker.ts, from spec.address); swarm-wide calls
 * (node list and updates, tasks, services, join tokens) go to the manager (the controller's DOCKER_HOST).
 * Every implementation is idempotent, so a retried or resumed step is safe: joining an active node,
 * leaving an inactive one, removing a node that is gone, and an update that changes nothing are no-ops.
 * The join token is read and sent inside `join`; it is never returned, logged or put in an error.
 */
import type Docker from 'dockerode';
import { fromPromise } from 'xstate';
import { applyLabelChange } from '../../machines/node-labels.js';
import { unionIds } from '../../machines/node-plan.js';
import type { ManagerMember } from '../../machines/node-quorum.js';
import type { NodeActors } from '../../machines/node.setup.js';
import type {
  DrainObservation,
  DrainPending,
  DrainStatusInput,
  JoinInput,
  LeaveInput,
  NodeIdInput,
  NodeInspection,
  RemoveNodeInput,
  SwarmNodeView,
  UpdateInput,
} from '../../machines/node.types.js';
import { StepError } from '../../machines/step-policy.js';
import { isOutOfSequence, statusCodeOf } from '../docker/docker-errors.js';
import { dockerRequest } from '../docker/request.js';
import {
  type EngineInfo,
  type EngineNode,
  type EngineTask,
  type EngineService,
  FINISHED,
  fail,
  call,
  toNodeView,
  swarmInfo,
  filters,
} from './node-engine.js';

export { toNodeView, type EngineNode } from './node-engine.js';

export interface NodeActorDeps {
  /** The node's own daemon. */
  node: Docker;
  /** The manager's daemon (DOCKER_HOST). */
  manager: Docker;
}

type Op<I, O> = (args: { input: I; signal: AbortSignal }) => Promise<O>;

/** The actors as plain async functions ({ input, signal }) -> output. */
export interface NodeOps {
  connect: Op<Record<string, never>, void>;
  inspect: Op<Record<string, never>, NodeInspection>;
  joinTarget: Op<Record<string, never>, string[]>;
  join: Op<JoinInput, { nodeId: string }>;
  nodeState: Op<NodeIdInput, SwarmNodeView | null>;
  managers: Op<Record<string, never>, ManagerMember[]>;
  update: Op<UpdateInput, SwarmNodeView>;
  drainStatus: Op<DrainStatusInput, DrainObservation>;
  leave: Op<LeaveInput, void>;
  removeNode: Op<RemoveNodeInput, void>;
}

/** Wraps plain functions as the machines' actors. */
export function nodeActorsFrom(ops: NodeOps): NodeActors {
  return {
    connect: fromPromise(ops.connect),
    inspect: fromPromise(ops.inspect),
    joinTarget: fromPromise(ops.joinTarget),
    join: fromPromise(ops.join),
    nodeState: fromPromise(ops.nodeState),
    managers: fromPromise(ops.managers),
    update: fromPromise(ops.update),
    drainStatus: fromPromise(ops.drainStatus),
    leave: fromPromise(ops.leave),
    removeNode: fromPromise(ops.removeNode),
  };
}

/** Implementations for `machine.provide({ actors: dockerNodeActors(deps) })`. */
export function dockerNodeActors(deps: NodeActorDeps): NodeActors {
  return nodeActorsFrom(dockerNodeOps(deps));
}

export function dockerNodeOps(deps: NodeActorDeps): NodeOps {
  const { node, manager } = deps;

  const nodeInfo = (signal?: AbortSignal) =>
    call<EngineInfo>(node, "read the node's /info", { method: 'GET', path: '/info', signal });
  const managerInfo = async (signal?: AbortSignal) => {
    const i = await call<EngineInfo>(manager, "read the manager's /info", {
      method: 'GET',
      path: '/info',
      signal,
    });
    if (i.Swarm?.ControlAvailable !== true)
      throw new StepError(
        "the controller's Docker daemon (DOCKER_HOST) is not a swarm manager: it cannot join or remove nodes",
        { retryable: false },
      );
    return i;
  };
  const getNode = async (id: string, signal?: AbortSignal): Promise<EngineNode | null> => {
    try {
      return await dockerRequest<EngineNode>(manager, {
        method: 'GET',
        path: `/nodes/${encodeURIComponent(id)}`,
        signal,
      });
    } catch (e) {
      if (statusCodeOf(e) === 404) return null;
      fail(`inspect node ${id}`, e);
    }
  };

  return {
    connect: async ({ signal }) => {
      await call(node, "ping the node's Docker API", { method: 'GET', path: '/_ping', signal });
    },

    inspect: async ({ signal }) => {
      const [n, m] = await Promise.all([nodeInfo(signal), managerInfo(signal)]);
      const info = swarmInfo(n);
      const knownToManager =
        info.localState === 'active' && info.nodeId !== '' && (await getNode(info.nodeId, signal)) !== null;
      return { node: info, managerClusterId: m.Swarm?.Cluster?.ID ?? '', knownToManager };
    },

    joinTarget: async ({ signal }) => {
      const m = await managerInfo(signal);
      const addrs = (m.Swarm?.RemoteManagers ?? []).map((r) => r.Addr ?? '').filter((a) => a !== '');
      if (addrs.length === 0 && m.Swarm?.NodeAddr) addrs.push(`${m.Swarm.NodeAddr}:2377`);
      if (addrs.length === 0)
        throw new StepError('the manager reports no manager address to join through', { retryable: false });
      return unionIds(addrs, []);
    },

    join: async ({ input, signal }) => {
      const before = swarmInfo(await nodeInfo(signal));
      // a join that timed out on our side may have finished on the node
      if (before.localState === 'active') return { nodeId: before.nodeId };
      if (before.localState === 'pending')
        throw new StepError('the node is still joining (LocalNodeState pending)');
      const swarm = await call<{ JoinTokens?: { Worker?: string; Manager?: string } }>(
        manager,
        'read the join tokens',
        { method: 'GET', path: '/swarm', signal },
      );
      const token = input.role === 'manager' ? swarm.JoinTokens?.Manager : swarm.JoinTokens?.Worker;
      if (!token) throw new StepError(`the manager has no ${input.role} join token`, { retryable: false });
      const body: Record<string, unknown> = {
        ListenAddr: input.listenAddr ?? '0.0.0.0:2377',
        RemoteAddrs: input.remoteAddrs,
        JoinToken: token,
      };
      if (input.advertiseAddr !== undefined) body.AdvertiseAddr = input.advertiseAddr;
      await call(
        node,
        `join the swarm as a ${input.role} through ${input.remoteAddrs.join(', ')}`,
        { method: 'POST', path: '/swarm/join', body, signal },
        token,
      );
      const after = swarmInfo(await nodeInfo(signal));
      if (after.localState !== 'active' || after.nodeId === '')
        throw new StepError(`the node reports LocalNodeState ${after.localState} after joining`);
      return { nodeId: after.nodeId };
    },

    nodeState: async ({ input, signal }) => {
      const n = await getNode(input.nodeId, signal);
      return n === null ? null : toNodeView(n);
    },

    managers: async ({ signal }) => {
      const list = await call<EngineNode[]>(manager, 'list the managers', {
        method: 'GET',
        path: '/nodes',
        query: filters({ role: ['manager'] }),
        signal,
      });
      return list.map((n) => ({
        id: n.ID,
        hostname: n.Description?.Hostname ?? n.ID,
        reachable: n.ManagerStatus?.Reachability === 'reachable',
      }));
    },

    update: async ({ input, signal }) => {
      const id = input.nodeId;
      for (let i = 0; i < 5; i++) {
        const n = await getNode(id, signal);
        if (n === null) throw new StepError(`node ${id} is not in the swarm`, { retryable: false });
        const spec = { ...n.Spec };
        if (input.role !== undefined) spec.Role = input.role;
        if (input.availability !== undefined) spec.Availability = input.availability;
        if (input.labels !== undefined) spec.Labels = applyLabelChange(spec.Labels ?? {}, input.labels);
        if (JSON.stringify(spec) === JSON.stringify(n.Spec ?? {})) return toNodeView(n);
        try {
          await dockerRequest(manager, {
            method: 'POST',
            path: `/nodes/${encodeURIComponent(id)}/update`,
            query: { version: n.Version?.Index ?? 0 },
            body: spec,
            signal,
          });
        } catch (e) {
          if (isOutOfSequence(e)) continue; // someone else updated it: read again
          fail(`update node ${id}`, e);
        }
        const after = await getNode(id, signal);
        if (after === null) throw new StepError(`node ${id} left the swarm during the update`);
        return toNodeView(after);
      }
      throw new StepError(`update node ${id}: update out of sequence 5 times in a row`);
    },

    drainStatus: async ({ input, signal }) => {
      const [tasks, services] = await Promise.all([
        call<EngineTask[]>(manager, `list the tasks on node ${input.nodeId}`, {
          method: 'GET',
          path: '/tasks',
          query: filters({ node: [input.nodeId] }),
          signal,
        }),
        call<EngineService[]>(manager, 'list the services', { method: 'GET', path: '/services', signal }),
      ]);
      const replicated = new Map<string, { name: string; replicas: number }>();
      for (const s of services) {
        const r = s.Spec?.Mode?.Replicated;
        if (r !== undefined) replicated.set(s.ID, { name: s.Spec?.Name ?? s.ID, replicas: r.Replicas ?? 1 });
      }
      const left = tasks.filter(
        (t): t is EngineTask & { ServiceID: string } =>
          t.ServiceID !== undefined &&
          replicated.has(t.ServiceID) &&
          (t.DesiredState === 'running' || !FINISHED.has(t.Status?.State ?? '')),
      );
      const seen = unionIds(
        left.map((t) => t.ServiceID),
        [],
      );
      const check = unionIds(input.services, seen).filter((id) => replicated.has(id));
      const pending: DrainPending[] = [];
      for (const id of check) {
        const svc = replicated.get(id)!;
        const running = await call<EngineTask[]>(manager, `list the tasks of service ${svc.name}`, {
          method: 'GET',
          path: '/tasks',
          query: filters({ service: [id], 'desired-state': ['running'] }),
          signal,
        });
        const elsewhere = running.filter(
          (t) => t.NodeID !== input.nodeId && t.Status?.State === 'running',
        ).length;
        if (elsewhere < svc.replicas)
          pending.push({ service: svc.name, running: elsewhere, desired: svc.replicas });
      }
      return { tasksLeft: left.length, services: seen, pending };
    },

    leave: async ({ input, signal }) => {
      const info = swarmInfo(await nodeInfo(signal));
      if (info.localState === 'inactive') return;
      if (!input.force && info.controlAvailable)
        throw new StepError('the node is still a manager (its demotion is not committed yet)');
      await call(node, `leave the swarm${input.force ? ' (force)' : ''}`, {
        method: 'POST',
        path: '/swarm/leave',
        query: { force: input.force },
        signal,
      });
    },

    removeNode: async ({ input, signal }) => {
      try {
        await dockerRequest(manager, {
          method: 'DELETE',
          path: `/nodes/${encodeURIComponent(input.nodeId)}`,
          query: { force: input.force },
          signal,
        });
      } catch (e) {
        if (statusCodeOf(e) === 404) return;
        fail(`remove node ${input.nodeId}${input.force ? ' (force)' : ''}`, e);
      }
    },
  };
}
