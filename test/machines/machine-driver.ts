// Pure driving of any xstate machine: initialTransition/transition with hand-made actor events (no
// actor runs: `done`/`fail` stand for what an actor would answer, `after` for a timer). The machine
// harnesses (plugin-install, volume-migration, node) bind it to their machines and inputs.
import {
  getNextTransitions,
  initialTransition,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type EventObject,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';
import { StepError } from '../../machines/step-policy.js';

/** An event, or a function of the current snapshot giving one (delayed events need the state id). */
export type Step<TSnap = AnyMachineSnapshot> = EventObject | ((s: TSnap) => EventObject);

/** What actor `id` answers when it succeeds. */
export const done = (id: string, output?: unknown): EventObject =>
  ({ type: `xstate.done.actor.${id}`, output }) as EventObject;

/** What actor `id` answers when it throws a StepError. */
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
export function failures<TSnap extends AnyMachineSnapshot>(n: number, failure: Step<TSnap>): Step<TSnap>[] {
  const out: Step<TSnap>[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) out.push(after('backoff'));
    out.push(failure);
  }
  return out;
}

export interface Run<TSnap> {
  snapshot: TSnap;
  /** Top-level states visited, in order (consecutive duplicates dropped). */
  visited: string[];
  /** Actor sources invoked, in order. */
  invoked: string[];
  /** Inputs of the invoked actors, in order. */
  inputs: { src: string; input: unknown }[];
  /** Every snapshot after every step (the first one included). */
  snapshots: TSnap[];
}

function top(s: AnyMachineSnapshot): string {
  return typeof s.value === 'string' ? s.value : (Object.keys(s.value)[0] ?? '');
}

/**
 * Runs `steps` from the initial state for `input` (or from the snapshot `from`, e.g. a restored one).
 * A step given to a machine that is no longer active is a mistake of the test: it throws.
 */
export function drive<TMachine extends AnyStateMachine>(
  machine: TMachine,
  input: InputFrom<TMachine>,
  steps: readonly Step<SnapshotFrom<TMachine>>[],
  from?: SnapshotFrom<TMachine>,
): Run<SnapshotFrom<TMachine>> {
  const m: AnyStateMachine = machine;
  let snapshot: AnyMachineSnapshot;
  let actions: { type: string; params?: unknown }[];
  if (from === undefined) [snapshot, actions] = initialTransition(m, input);
  else [snapshot, actions] = [from as AnyMachineSnapshot, []];
  const visited = [top(snapshot)];
  const invoked: string[] = [];
  const inputs: { src: string; input: unknown }[] = [];
  const snapshots: AnyMachineSnapshot[] = [snapshot];
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
    const event = typeof step === 'function' ? step(snapshot as SnapshotFrom<TMachine>) : step;
    [snapshot, actions] = transition(m, snapshot, event);
    record(actions);
    snapshots.push(snapshot);
    if (visited.at(-1) !== top(snapshot)) visited.push(top(snapshot));
  }
  return { snapshot, visited, invoked, inputs, snapshots } as Run<SnapshotFrom<TMachine>>;
}
