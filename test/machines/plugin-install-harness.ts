// Pure driving of the plugin install machine: initialTransition/transition with hand-made actor events.
import {
  getNextTransitions,
  initialTransition,
  transition,
  type EventObject,
  type SnapshotFrom,
} from 'xstate';
import { pluginInstallMachine } from '../../machines/plugin-install.machine.js';
import type { PluginInstallInput } from '../../machines/plugin-install.types.js';
import { StepError, withPolicy } from '../../machines/step-policy.js';

export type Snap = SnapshotFrom<typeof pluginInstallMachine>;
/** An event, or a function of the current snapshot giving one (delayed events need the state id). */
export type Step = EventObject | ((s: Snap) => EventObject);

export const REF1 = 'reg:5000/lab/swlvol:1';
export const REF2 = 'reg:5000/lab/swlvol:2';
export const NETWORK_NONE = [
  { Name: 'network', Description: 'permissions to access a network', Value: ['none'] },
];
export const VOLUME = { types: ['docker.volumedriver/1.0'] };

export function input(over: Partial<PluginInstallInput> = {}): PluginInstallInput {
  return {
    node: 'n2',
    name: 'swlvol',
    remote: REF1,
    allowedPrivileges: [{ name: 'network', value: ['none'] }],
    enabled: true,
    policy: withPolicy({ maxAttempts: 3 }),
    ...over,
  };
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

export interface Run {
  snapshot: Snap;
  /** Top-level states visited, in order (consecutive duplicates dropped). */
  visited: string[];
  /** Actor sources invoked, in order. */
  invoked: string[];
}

function top(s: Snap): string {
  return typeof s.value === 'string' ? s.value : (Object.keys(s.value)[0] ?? '');
}

export function drive(inp: PluginInstallInput, steps: Step[], from?: Snap): Run {
  let snapshot: Snap;
  let actions: { type: string; params?: unknown }[];
  if (from === undefined) [snapshot, actions] = initialTransition(pluginInstallMachine, inp);
  else [snapshot, actions] = [from, []];
  const visited = [top(snapshot)];
  const invoked: string[] = [];
  const record = (acts: { type: string; params?: unknown }[]) => {
    for (const a of acts) {
      const src = (a.params as { src?: unknown } | undefined)?.src;
      if (a.type === 'xstate.spawnChild' && typeof src === 'string') invoked.push(src);
    }
  };
  record(actions);
  for (const step of steps) {
    const event = typeof step === 'function' ? step(snapshot) : step;
    [snapshot, actions] = transition(pluginInstallMachine, snapshot, event as { type: 'RESUME' });
    record(actions);
    if (visited.at(-1) !== top(snapshot)) visited.push(top(snapshot));
  }
  return { snapshot, visited, invoked };
}
