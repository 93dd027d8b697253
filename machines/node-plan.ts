/** Pure decisions of the SwarmNode machines: is the node in this swarm, settled, drained; what to update. */
import { isEmptyChange, nodeLabelChange, nodeOwnership } from './node-labels.js';
import type {
  DrainObservation,
  NodeInspection,
  NodeMachineContext,
  SwarmNodeView,
  UpdateInput,
} from './node.types.js';

/** The node's daemon is an active member of the controller's swarm. */
export function inThisSwarm(i: NodeInspection | undefined): boolean {
  if (i === undefined || i.node.localState !== 'active') return false;
  if (i.node.clusterId !== undefined && i.node.clusterId !== '')
    return i.node.clusterId === i.managerClusterId;
  return i.knownToManager;
}

/** Joined and settled: ready, and a Raft member exactly when its role is manager. */
export function viewSettled(v: SwarmNodeView | null | undefined): boolean {
  if (v === null || v === undefined || v.state !== 'ready') return false;
  return v.role === 'manager' ? v.reachability === 'reachable' : v.reachability === undefined;
}

export function isManagerView(v: SwarmNodeView | null | undefined): boolean {
  return v !== null && v !== undefined && (v.role === 'manager' || v.reachability !== undefined);
}

export function ownedByOther(c: Pick<NodeMachineContext, 'view' | 'key' | 'instance'>): boolean {
  return c.view != null && nodeOwnership(c.view.labels, c.key, c.instance) === 'other';
}

export function ownedByMe(c: Pick<NodeMachineContext, 'view' | 'key' | 'instance'>): boolean {
  return c.view != null && nodeOwnership(c.view.labels, c.key, c.instance) === 'mine';
}

/** The update that brings role, availability (not drain: that is the drain machine's) and labels to the spec. */
export function convergeUpdate(
  c: Pick<NodeMachineContext, 'view' | 'desired' | 'key' | 'instance'>,
): UpdateInput | undefined {
  const v = c.view;
  if (v === null || v === undefined) return undefined;
  const d = c.desired ?? {};
  const u: UpdateInput = { nodeId: v.id };
  if (d.role !== undefined && d.role !== v.role) u.role = d.role;
  if (d.availability !== undefined && d.availability !== 'drain' && d.availability !== v.availability)
    u.availability = d.availability;
  const labels = nodeLabelChange(v.labels, d.labels, c.key, c.instance);
  if (!isEmptyChange(labels)) u.labels = labels;
  return u.role !== undefined || u.availability !== undefined || u.labels !== undefined ? u : undefined;
}

export function drainDone(o: DrainObservation): boolean {
  return o.tasksLeft === 0 && o.pending.length === 0;
}

/** Union, sorted (stable snapshots). */
export function unionIds(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/**
 * What differs between a node and its spec, as field paths (`Spec.Role`, `Spec.Availability`,
 * `Spec.Labels.<key>`): what a join run would change, plus a drain the spec wants. Empty: in sync.
 */
export function nodeDrift(c: Pick<NodeMachineContext, 'view' | 'desired' | 'key' | 'instance'>): string[] {
  const u = convergeUpdate(c);
  const paths: string[] = [];
  if (u?.role !== undefined) paths.push('Spec.Role');
  const drainWanted = c.desired?.availability === 'drain' && c.view?.availability !== 'drain';
  if (u?.availability !== undefined || drainWanted) paths.push('Spec.Availability');
  if (u?.labels)
    for (const k of [...Object.keys(u.labels.set), ...u.labels.remove].sort()) paths.push(`Spec.Labels.${k}`);
  return paths;
}
