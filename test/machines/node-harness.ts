// Pure driving of the SwarmNode machines: initialTransition/transition with hand-made actor events.
import {
  getNextTransitions,
  initialTransition,
  transition,
  type AnyStateMachine,
  type EventObject,
  type SnapshotFrom,
} from 'xstate';
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
import { StepError } from '../../machines/step-policy.js';

export type NodeMachine = typeof nodeJoinMachine | typeof nodeDrainMachine | typeof nodeRemoveMachine;
export type Snap = SnapshotFrom<typeof nodeJoinMachine>;
/** An event, or a function of the current snapshot giving one (delayed events need the state id). */
export type Step = EventObject | ((s: Snap) => EventObject);

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

export const done = (id: string, output?: unknown): EventObject =>
  ({ type: `xstate.done.actor.${id}`, output }) as EventObject;
export const fail =
  (id: string, message: string, retryable = true): Step =>
  () =>
    ({ type: `xstate.error.actor.${id}`, error: new StepError(message, { retryable }) }) as EventObject;

/** The pending delayed event `xstate.after.<delay>.<state id>` of the current state. */
export const after =
  (delay: string): Step =>
  (s) => {
    const t = getNextTransitions(s).find((x) => x.eventType.startsWith(`xstate.after.${delay}.`));
    if (t === undefined) throw new Error(`no pending ${delay} in state ${JSON.stringify(s.value)}`);
    return { type: t.eventType };
  };

/** n failures of one step, with the backoffs between them. */
export function failures(n: number, failure: Step): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) out.push(after('backoff'));
    out.push(failure);
  }
  return out;
}

/** n looks of a polling step that do not end it, with the intervals between them. */
export function polls(looks: Step[]): Step[] {
  return looks.flatMap((l, i) => (i === 0 ? [l] : [after('pollInterval'), l]));
}

export interface Run {
  snapshot: Snap;
  /** Top-level states visited, in order (consecutive duplicates dropped). */
  visited: string[];
  /** Actor sources invoked, in order. */
  invoked: string[];
  /** Inputs of the invoked actors, in order. */
  inputs: { src: string; input: unknown }[];
  /** Every snapshot after every step. */
  snapshots: Snap[];
}

function top(s: Snap): string {
  return typeof s.value === 'string' ? s.value : (Object.keys(s.value)[0] ?? '');
}

export function drive(machine: NodeMachine, inp: NodeMachineInput, steps: Step[], from?: Snap): Run {
  const m = machine as unknown as AnyStateMachine;
  let snapshot: Snap;
  let actions: { type: string; params?: unknown }[];
  if (from === undefined) [snapshot, actions] = initialTransition(m, inp) as unknown as [Snap, []];
  else [snapshot, actions] = [from, []];
  const visited = [top(snapshot)];
  const invoked: string[] = [];
  const inputs: { src: string; input: unknown }[] = [];
  const snapshots: Snap[] = [snapshot];
  const record = (acts: { type: string; params?: unknown }[]) => {
    for (const a of acts) {
      const p = a.params as { src?: unknown; input?: unknown } | undefined;
      if (a.type === 'xstate.spawnChild' && typeof p?.src === 'string') {
        invoked.push(p.src);
        inputs.push({ src: p.src, input: p.input });
      }
    }
  };
  record(actions);
  for (const step of steps) {
    if (snapshot.status !== 'active')
      throw new Error(`machine already ${snapshot.status} (${top(snapshot)})`);
    const event = typeof step === 'function' ? step(snapshot) : step;
    [snapshot, actions] = transition(m, snapshot as never, event) as unknown as [Snap, []];
    record(actions);
    snapshots.push(snapshot);
    if (visited.at(-1) !== top(snapshot)) visited.push(top(snapshot));
  }
  return { snapshot, visited, invoked, inputs, snapshots };
}
