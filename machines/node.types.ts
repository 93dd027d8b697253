/** Types of the SwarmNode machines (join, drain, remove): input, context, actor contracts, output. */
import type { LabelChange } from './node-labels.js';
import type { NodePolicy } from './node-policy.js';
import type { QuorumVerdict } from './node-quorum.js';
import type { StepFailure } from './step-policy.js';

export type NodeRole = 'manager' | 'worker';
export type NodeAvailability = 'active' | 'pause' | 'drain';

/** Swarm part of `GET /info` on the node's own daemon. */
export interface NodeSwarmInfo {
  /** Swarm.LocalNodeState: inactive | pending | active | error | locked */
  localState: string;
  /** Swarm.NodeID ('' when inactive). */
  nodeId: string;
  /** Swarm.Cluster.ID: only a manager knows it. */
  clusterId?: string;
  /** Swarm.ControlAvailable: the daemon is a manager. */
  controlAvailable: boolean;
  /** Swarm.Error */
  error?: string;
  hostname: string;
  engineVersion: string;
}

/** What `inspect` reports: the node's own view and the manager's. */
export interface NodeInspection {
  node: NodeSwarmInfo;
  /** Cluster ID of the controller's swarm (the manager's /info). */
  managerClusterId: string;
  /** The manager lists node.nodeId (only asked when the node is active). */
  knownToManager: boolean;
}

/** A node as a manager describes it (`GET /nodes/{id}`). */
export interface SwarmNodeView {
  id: string;
  /** Version.Index, needed for updates. */
  version: number;
  hostname: string;
  /** Spec.Role (the desired role; the Raft membership follows). */
  role: NodeRole;
  availability: NodeAvailability;
  labels: Record<string, string>;
  /** Status.State: ready | down | unknown | disconnected */
  state: string;
  engineVersion?: string;
  addr?: string;
  /** ManagerStatus.Reachability; undefined when the node is no Raft member. */
  reachability?: string;
  leader?: boolean;
}

/** What the spec asks for (undefined: left as it is). Availability `drain` is the drain machine's. */
export interface DesiredNode {
  role?: NodeRole;
  availability?: NodeAvailability;
  labels?: Record<string, string>;
}

export interface DrainPending {
  /** Service name. */
  service: string;
  running: number;
  desired: number;
}

/** One look at a draining node. */
export interface DrainObservation {
  /** Tasks of replicated services still on the node (desired running, or not finished yet). */
  tasksLeft: number;
  /** IDs of the replicated services with tasks on the node that were running (their replacements are checked). */
  services: string[];
  /** Of those services, the ones whose replicas do not all run on other nodes yet. */
  pending: DrainPending[];
}

export interface NodeMachineInput {
  /** Resource key, e.g. SwarmNode/default/worker-1 (messages, owner label value). */
  key: string;
  /** swarmkeeper.io/instance */
  instance: string;
  /** How the node is named in messages until its hostname is known (spec.address). */
  node: string;
  policy: NodePolicy;
  /** spec.force: leave another swarm before joining; `node rm --force` when the node does not go down. */
  force: boolean;
  /** Join: what the spec asks for. */
  desired?: DesiredNode;
  advertiseAddr?: string;
  listenAddr?: string;
  /** Drain/remove: the node's swarm ID. */
  nodeId?: string;
}

export type NodeStepName =
  | 'connect'
  | 'inspect'
  | 'forceLeave'
  | 'joinTarget'
  | 'join'
  | 'waitReady'
  | 'managers'
  | 'update'
  | 'observe'
  | 'setDrain'
  | 'drainWait'
  | 'demote'
  | 'waitDemoted'
  | 'leave'
  | 'waitDown'
  | 'removeNode';

export type NodeOutcome = 'Ready' | 'Drained' | 'Removed' | 'Stalled' | 'Failed';

export interface NodeMachineContext extends NodeMachineInput {
  step: NodeStepName;
  attempt: number;
  lastFailure?: StepFailure;
  /** Polls of the current polling step. */
  checks: number;
  inspection?: NodeInspection;
  /** Manager addresses to join through (RemoteAddrs). */
  remoteAddrs?: string[];
  /** Last view of the node from the manager (null: the manager does not know it). */
  view?: SwarmNodeView | null;
  quorum?: QuorumVerdict;
  /** The node joined during this run (not adopted). */
  joined: boolean;
  /** Node updates done in this run. */
  updates: number;
  /** Drain: services whose replacements must run elsewhere (union over the observations). */
  services: string[];
  drain?: DrainObservation;
  /** Remove: the drain part is over. */
  drained: boolean;
  /** Remove: the node is down (or gone) for the manager. */
  down: boolean;
  outcome?: NodeOutcome;
  reason?: string;
  message?: string;
}

export interface NodeMachineOutput {
  outcome: NodeOutcome;
  /** Condition reason (CamelCase), e.g. Joined, Adopted, Drained, QuorumWouldBeLost, JoinFailed. */
  reason: string;
  message: string;
  nodeId?: string;
  view?: SwarmNodeView;
  joined: boolean;
}

export interface NodeIdInput {
  nodeId: string;
}
export interface JoinInput {
  role: NodeRole;
  remoteAddrs: string[];
  advertiseAddr?: string;
  listenAddr?: string;
}
export interface LeaveInput {
  force: boolean;
}
/** Only the fields given are changed; the rest of the node spec is kept (read-modify-write). */
export interface UpdateInput {
  nodeId: string;
  role?: NodeRole;
  availability?: NodeAvailability;
  labels?: LabelChange;
}
export interface DrainStatusInput {
  nodeId: string;
  services: string[];
}
export interface RemoveNodeInput {
  nodeId: string;
  force: boolean;
}
