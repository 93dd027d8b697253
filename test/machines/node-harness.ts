// Pure driving of the SwarmNode machines (machine-driver.ts) and their test inputs.
import type { SnapshotFrom } from 'xstate';
import { nodeDrainMachine } from '../../machines/node-drain.machine.js';
import { nodeJoinMachine } from '../../machines/node-join.machine.js';
import { withNodePolicy } from '../../machines/node-policy.js';
import { nodeRemoveMachine } from '../../machines/node-remove.machine.js';
import type {
  DrainObservation,
  NodeInspection,
  NodeMachineInput,
  SwarmNodeView,
} from '../../machines/node.types.js';
import {
  after,
  drive as driveMachine,
  type Run as MachineRun,
  type Step as MachineStep,
} from './machine-driver.js';

export { after, done, fail, failures } from './machine-driver.js';

export type NodeMachine = typeof nodeJoinMachine | typeof nodeDrainMachine | typeof nodeRemoveMachine;
export type Snap = SnapshotFrom<typeof nodeJoinMachine>;
export type Step = MachineStep<Snap>;

export const KEY = 'SwarmNode/default/n2';
export const INSTANCE = 'test';
export const ADDRESS = 'unix:///lab/n2/docker.sock';
export const OWNER_LABELS = { 'swarmkeeper.io/owner': KEY, 'swarmkeeper.io/instance': INSTANCE };

export function input(over: Partial<NodeMachineInput> = {}): NodeMachineInput {
  return {
    key: KEY,
    instance: INSTANCE,
    node: ADDRESS,
    policy: withNodePolicy({ maxAttempts: 3 }),
    force: false,
    desired: { role: 'worker', labels: { zone: 'a' } },
    advertiseAddr: '10.0.0.12',
    listenAddr: '10.0.0.12:2377',
    nodeId: undefined,
    ...over,
  };
}

export function inspection(
  node: Partial<NodeInspection['node']>,
  over: Partial<Omit<NodeInspection, 'node'>> = {},
): NodeInspection {
  return {
    node: {
      localState: 'inactive',
      nodeId: '',
      controlAvailable: false,
      hostname: 'n2',
      engineVersion: '20.10.24',
      ...node,
    },
    managerClusterId: 'C1',
    knownToManager: false,
    ...over,
  };
}

export const INACTIVE = inspection({});
export const WORKER_HERE = inspection({ localState: 'active', nodeId: 'N2' }, { knownToManager: true });
export const MANAGER_HERE = inspection({
  localState: 'active',
  nodeId: 'N2',
  clusterId: 'C1',
  controlAvailable: true,
});
export const MANAGER_ELSEWHERE = inspection({
  localState: 'active',
  nodeId: 'X7',
  clusterId: 'C9',
  controlAvailable: true,
});
export const WORKER_ELSEWHERE = inspection({ localState: 'active', nodeId: 'X7' }, { knownToManager: false });

export function view(over: Partial<SwarmNodeView> = {}): SwarmNodeView {
  return {
    id: 'N2',
    version: 10,
    hostname: 'n2',
    role: 'worker',
    availability: 'active',
    labels: {},
    state: 'ready',
    engineVersion: '20.10.24',
    addr: '10.0.0.12',
    ...over,
  };
}

/** The view of a node that has everything the default input asks for. */
export const CONVERGED = view({
  labels: { ...OWNER_LABELS, zone: 'a', 'swarmkeeper.io/node-labels': 'zone' },
});

export const manager = (id: string, reachable = true) => ({ id, hostname: id.toLowerCase(), reachable });

export function drainObs(
  tasksLeft: number,
  pending: DrainObservation['pending'] = [],
  services = ['S1'],
): DrainObservation {
  return { tasksLeft, services, pending };
}

/** n looks of a polling step that do not end it, with the intervals between them. */
export function polls(looks: Step[]): Step[] {
  return looks.flatMap((l, i) => (i === 0 ? [l] : [after('pollInterval'), l]));
}

export type Run = MachineRun<Snap>;

/**
 * The three node machines share one setup (context, events, actors, input) and differ only in their
 * state values: their snapshots are typed as the join machine's, as the tests use one Step type.
 */
export const drive = (machine: NodeMachine, inp: NodeMachineInput, steps: Step[], from?: Snap): Run =>
  driveMachine(machine as typeof nodeJoinMachine, inp, steps, from);
