/** Human-readable results and progress of the SwarmNode machines (status messages). Pure. */
import type { DrainObservation, NodeMachineContext, NodeStepName } from './node.types.js';

export const STEP_LABEL: Record<NodeStepName, string> = {
  connect: "connect to the node's Docker API",
  inspect: 'inspect the node',
  forceLeave: 'leave the other swarm',
  joinTarget: 'read the manager addresses',
  join: 'join the swarm',
  waitReady: 'wait for the node to be ready',
  managers: 'list the managers',
  update: 'update the node',
  observe: 'list the tasks on the node',
  setDrain: 'set availability drain',
  drainWait: 'wait for the tasks to leave the node',
  demote: 'demote the node',
  waitDemoted: 'wait for the demotion',
  leave: 'leave the swarm',
  waitDown: 'wait for the node to be down',
  removeNode: 'remove the node from the swarm',
};

/** Condition reason of a step that failed. */
export const FAILURE_REASON: Record<NodeStepName, string> = {
  connect: 'Unreachable',
  inspect: 'InspectFailed',
  forceLeave: 'LeaveFailed',
  joinTarget: 'JoinFailed',
  join: 'JoinFailed',
  waitReady: 'NotReady',
  managers: 'InspectFailed',
  update: 'UpdateFailed',
  observe: 'DrainFailed',
  setDrain: 'DrainFailed',
  drainWait: 'DrainTimeout',
  demote: 'DemoteFailed',
  waitDemoted: 'DemoteFailed',
  leave: 'LeaveFailed',
  waitDown: 'NotDown',
  removeNode: 'RemoveFailed',
};

type Ctx = Pick<
  NodeMachineContext,
  'node' | 'view' | 'inspection' | 'nodeId' | 'key' | 'step' | 'attempt' | 'lastFailure'
>;

/** The node's hostname once known, else the address from the spec. */
export function nodeName(c: Pick<NodeMachineContext, 'node' | 'view' | 'inspection'>): string {
  return c.view?.hostname ?? c.inspection?.node.hostname ?? c.node;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `node n2: join the swarm failed after 3 attempts: <why>` */
export function stepFailureMessage(c: Ctx): string {
  const attempts = plural(c.attempt, 'attempt');
  return `node ${nodeName(c)}: ${STEP_LABEL[c.step]} failed after ${attempts}: ${c.lastFailure?.message ?? 'unknown error'}`;
}

export function stallMessage(reason: string, c: NodeMachineContext): string {
  const name = nodeName(c);
  const info = c.inspection?.node;
  switch (reason) {
    case 'InOtherSwarm':
      return (
        `node ${name} is in another swarm (${info?.clusterId ? `cluster ${info.clusterId}` : `node ID ${info?.nodeId ?? '?'} unknown to this swarm's manager`}); ` +
        'set spec.force: true to make it leave that swarm first'
      );
    case 'SwarmLocked':
      return `node ${name}: its swarm is locked (autolock); unlock it with docker swarm unlock first`;
    case 'SwarmError':
      return `node ${name} is in swarm state error${info?.error ? ` (${info.error})` : ''}; set spec.force: true to make it leave first`;
    case 'OwnershipConflict':
      return `node ${name} is owned by ${c.view?.labels['swarmkeeper.io/owner'] ?? '?'} (instance ${c.view?.labels['swarmkeeper.io/instance'] ?? '?'}), not by ${c.key} (instance ${c.instance})`;
    case 'QuorumWouldBeLost':
      return c.quorum?.message ?? `refusing to change manager ${name}: quorum`;
    default:
      return `node ${name}: ${reason}`;
  }
}

export function readyMessage(c: NodeMachineContext): string {
  const v = c.view;
  const what = `a ready ${v?.role ?? 'node'}${v?.availability && v.availability !== 'active' ? ` (availability ${v.availability})` : ''}`;
  return c.joined
    ? `node ${nodeName(c)} joined the swarm as ${what} (ID ${v?.id ?? c.nodeId ?? '?'})`
    : `node ${nodeName(c)} is ${what} of the swarm (ID ${v?.id ?? c.nodeId ?? '?'})`;
}

export function drainProgress(name: string, o: DrainObservation | undefined): string {
  if (o === undefined) return `draining node ${name}`;
  if (o.tasksLeft > 0) return `${plural(o.tasksLeft, 'task')} left on node ${name}`;
  if (o.pending.length > 0)
    return `waiting for replacements elsewhere: ${o.pending
      .map((p) => `${p.service} ${p.running}/${p.desired} running`)
      .join(', ')}`;
  return `no tasks left on node ${name}`;
}

export function drainedMessage(c: NodeMachineContext): string {
  const n = c.services.length;
  return `node ${nodeName(c)} drained: no tasks left${n > 0 ? `, the tasks of ${plural(n, 'service')} run elsewhere` : ''}`;
}

export function drainTimeoutMessage(c: NodeMachineContext): string {
  return `node ${nodeName(c)}: drain did not finish within ${c.policy.drainTimeoutMs} ms: ${drainProgress(nodeName(c), c.drain)}`;
}

/** A polling step ran out of time. */
export function pollTimeoutMessage(c: NodeMachineContext, timeoutMs: number): string {
  const name = nodeName(c);
  const state = c.view === null ? 'unknown to the manager' : `state ${c.view?.state ?? '?'}`;
  const last = c.lastFailure ? `; last error: ${c.lastFailure.message}` : '';
  switch (c.step) {
    case 'waitReady':
      return `node ${name} was not ready${c.view?.role === 'manager' ? ' and reachable' : ''} within ${timeoutMs} ms (${state}, ${plural(c.checks, 'check')})${last}`;
    case 'waitDemoted':
      return `the demotion of node ${name} was not committed within ${timeoutMs} ms (${plural(c.checks, 'check')})${last}`;
    case 'waitDown':
      return `node ${name} left the swarm but the manager did not see it down within ${timeoutMs} ms (${state}); set spec.force: true to remove it anyway${last}`;
    default:
      return `node ${name}: ${STEP_LABEL[c.step]} timed out after ${timeoutMs} ms${last}`;
  }
}

/** Progress of a running machine, for status.progress. */
export function stepProgress(c: NodeMachineContext): string {
  const name = nodeName(c);
  const retry =
    c.attempt > 1 && c.lastFailure ? ` (attempt ${c.attempt}; last error: ${c.lastFailure.message})` : '';
  switch (c.step) {
    case 'waitReady':
      return `waiting for node ${name} to be ready (${c.view ? `state ${c.view.state}` : 'not listed yet'})`;
    case 'drainWait':
    case 'observe':
    case 'setDrain':
      return drainProgress(name, c.drain) + retry;
    case 'waitDemoted':
      return `waiting for the demotion of node ${name} to be committed`;
    case 'waitDown':
      return `waiting for the manager to see node ${name} down (${c.view ? `state ${c.view.state}` : 'gone'})`;
    default:
      return `${STEP_LABEL[c.step]}: ${name}${retry}`;
  }
}
