// Pure driving of the volume migration machine: initialTransition/transition with hand-made actor
// events (no actor runs: `done`/`fail` stand for what an actor would answer, `after` for a timer).
import {
  getNextTransitions,
  initialTransition,
  transition,
  type EventObject,
  type SnapshotFrom,
} from 'xstate';
import { StepError } from '../../machines/step-policy.js';
import { volumeMigrationMachine } from '../../machines/volume-migration.machine.js';
import { migrationPolicy } from '../../machines/volume-migration.setup.js';
import type { ConsumerRecord, VolumeMigrationInput } from '../../machines/volume-migration.types.js';

export type Snap = SnapshotFrom<typeof volumeMigrationMachine>;
/** An event, or a function of the current snapshot giving one (delayed events need the state id). */
export type Step = EventObject | ((s: Snap) => EventObject);

export const WEB: ConsumerRecord = {
  service: 'web',
  id: 'svc1',
  replicas: 2,
  mounts: [{ Type: 'volume', Source: 'data', Target: '/data' }],
  constraints: ['node.hostname==n1'],
};

export function input(over: Partial<VolumeMigrationInput> = {}): VolumeMigrationInput {
  return {
    mode: 'migrate',
    key: 'SwarmVolumeMigration/default/move-data',
    source: { volume: 'data', node: { node: 'n1', hostname: 'n1', id: 'ID1' } },
    target: {
      volume: 'data2',
      node: { node: 'n2', hostname: 'n2', id: 'ID2' },
      create: {
        driver: 'swlvol',
        labels: { 'swarmkeeper.io/owner': 'SwarmVolumeMigration/default/move-data' },
      },
      origin: 'spec.target.spec',
    },
    deleteSource: false,
    policy: migrationPolicy({ maxAttempts: 3 }),
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

export function drive(inp: VolumeMigrationInput, steps: Step[], from?: Snap): Run {
  let snapshot: Snap;
  let actions: { type: string; params?: unknown }[];
  if (from === undefined) [snapshot, actions] = initialTransition(volumeMigrationMachine, inp);
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
    [snapshot, actions] = transition(volumeMigrationMachine, snapshot, event as { type: 'RESUME' });
    record(actions);
    if (visited.at(-1) !== top(snapshot)) visited.push(top(snapshot));
  }
  return { snapshot, visited, invoked };
}

/** What a crash leaves: the persisted snapshot (JSON, as in Redis), restored into a fresh snapshot. */
export function persistAndRestore(s: Snap): Snap {
  const persisted = JSON.parse(JSON.stringify(volumeMigrationMachine.getPersistedSnapshot(s))) as {
    value: Snap['value'];
    context: Snap['context'];
  };
  return volumeMigrationMachine.resolveState({ value: persisted.value, context: persisted.context });
}

export const TARGET_CREATED = { exists: true, created: true, driver: 'swlvol' };
export const AMOUNT = { bytes: 50_000_000, files: 500 };
