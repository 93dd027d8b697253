/**
 * The Engine's answers the SwarmNode actors read (info, nodes, tasks, services) and their calls as
 * step failures: `secret` (a join token) is cut out of every message.
 */
import type Docker from 'dockerode';
import type { NodeAvailability, NodeSwarmInfo, SwarmNodeView } from '../../machines/node.types.js';
import { StepError } from '../../machines/step-policy.js';
import { REDACTED } from '../../reconciler/model/sensitive.js';
import { dockerMessage, statusCodeOf } from '../docker/docker-errors.js';
import { dockerRequest } from '../docker/request.js';

export interface EngineInfo {
  Name?: string;
  ServerVersion?: string;
  Swarm?: {
    NodeID?: string;
    NodeAddr?: string;
    LocalNodeState?: string;
    ControlAvailable?: boolean;
    Error?: string;
    RemoteManagers?: { NodeID?: string; Addr?: string }[] | null;
    Cluster?: { ID?: string } | null;
  };
}

export interface EngineNode {
  ID: string;
  Version?: { Index?: number };
  Spec?: { Name?: string; Labels?: Record<string, string>; Role?: string; Availability?: string };
  Description?: { Hostname?: string; Engine?: { EngineVersion?: string } };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string; Addr?: string } | null;
}

export interface EngineTask {
  ID: string;
  ServiceID?: string;
  NodeID?: string;
  DesiredState?: string;
  Status?: { State?: string };
}

export interface EngineService {
  ID: string;
  Spec?: { Name?: string; Mode?: { Replicated?: { Replicas?: number }; Global?: unknown } };
}

/** Task states after which a task no longer occupies its node. */
export const FINISHED = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);

/** Wraps a Docker error as a step failure; `secret` (a join token) is cut out of the message. */
export function fail(op: string, e: unknown, secret?: string): never {
  if (e instanceof StepError) throw e;
  let msg = dockerMessage(e);
  if (secret) msg = msg.split(secret).join(REDACTED);
  const status = statusCodeOf(e);
  // 400: the request itself is wrong (bad address, bad token format): retrying the same call cannot help
  throw new StepError(`${op}: ${msg}${status === undefined ? '' : ` (HTTP ${status})`}`, {
    retryable: status !== 400,
  });
}

export async function call<T>(
  docker: Docker,
  op: string,
  req: Parameters<typeof dockerRequest>[1],
  secret?: string,
): Promise<T> {
  try {
    return await dockerRequest<T>(docker, req);
  } catch (e) {
    fail(op, e, secret);
  }
}

export function toNodeView(n: EngineNode): SwarmNodeView {
  const v: SwarmNodeView = {
    id: n.ID,
    version: n.Version?.Index ?? 0,
    hostname: n.Description?.Hostname ?? n.Spec?.Name ?? n.ID,
    role: n.Spec?.Role === 'manager' ? 'manager' : 'worker',
    availability: (n.Spec?.Availability ?? 'active') as NodeAvailability,
    labels: n.Spec?.Labels ?? {},
    state: n.Status?.State ?? 'unknown',
  };
  if (n.Description?.Engine?.EngineVersion !== undefined)
    v.engineVersion = n.Description.Engine.EngineVersion;
  if (n.Status?.Addr !== undefined) v.addr = n.Status.Addr;
  if (n.ManagerStatus?.Reachability !== undefined) v.reachability = n.ManagerStatus.Reachability;
  if (n.ManagerStatus?.Leader === true) v.leader = true;
  return v;
}

export function swarmInfo(i: EngineInfo): NodeSwarmInfo {
  const s = i.Swarm ?? {};
  const out: NodeSwarmInfo = {
    localState: s.LocalNodeState || 'inactive',
    nodeId: s.NodeID ?? '',
    controlAvailable: s.ControlAvailable === true,
    hostname: i.Name ?? '',
    engineVersion: i.ServerVersion ?? '',
  };
  if (s.Cluster?.ID) out.clusterId = s.Cluster.ID;
  if (s.Error) out.error = s.Error;
  return out;
}

export const filters = (f: Record<string, string[]>) => ({ filters: JSON.stringify(f) });
