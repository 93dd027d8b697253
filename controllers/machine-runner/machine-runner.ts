/**
 * Runs a machine to its final state, persisting `actor.getPersistedSnapshot()` after every transition.
 * When a snapshot for the same key, machine and input is stored (the previous run was interrupted),
 * the actor is created from it and continues at that step; completed steps are not repeated.
 *
 * Delayed events (timeouts, backoff) and in-flight actors are not part of a persisted snapshot, so
 * on resume the runner drops the stored children and sends RESUME, which every non-final state of
 * the machines handles by re-entering its step (the step's actor runs again: they are idempotent).
 */
import { createHash } from 'node:crypto';
import { skError } from '../../reconciler/errors.js';
import {
  createActor,
  toPromise,
  type AnyStateMachine,
  type EventFromLogic,
  type InputFrom,
  type OutputFrom,
  type SnapshotFrom,
} from 'xstate';
import type { MachineSnapshotStore } from './snapshot-store.js';

export interface RunMachineOptions<M extends AnyStateMachine> {
  machine: M;
  input: InputFrom<M>;
  /** Store key: resource key + node, e.g. `SwarmPlugin/default/swlvol@<node id>`. */
  key: string;
  store: MachineSnapshotStore;
  /** Default: sha256 of the JSON input. */
  inputHash?: string;
  /** Give up (and keep the snapshot for the next run) after this long. */
  deadlineMs?: number;
  /** Give up like at the deadline when aborted (shutdown, lock lost, resource deleted). */
  signal?: AbortSignal;
  onSnapshot?: (snapshot: SnapshotFrom<M>) => void;
}

export interface RunMachineResult<M extends AnyStateMachine> {
  output: OutputFrom<M>;
  /** State value the run resumed from (undefined for a fresh run). */
  resumedFrom?: unknown;
  /** First snapshot write that failed (the run went on; a crash would restart it from scratch). */
  persistError?: Error;
}

export function hashInput(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 32);
}

interface PersistedLike {
  status?: string;
  value?: unknown;
  children?: unknown;
}

export async function runMachine<M extends AnyStateMachine>(
  opts: RunMachineOptions<M>,
): Promise<RunMachineResult<M>> {
  const { machine, store, key } = opts;
  const inputHash = opts.inputHash ?? hashInput(opts.input);
  const stored = await store.load(key);
  let resumedFrom: unknown;
  let actor;
  const snap = stored?.snapshot as PersistedLike | undefined;
  if (stored?.machine === machine.id && stored.inputHash === inputHash && snap?.status === 'active') {
    resumedFrom = snap.value;
    // no children: in-flight actors are re-invoked by RESUME, not restarted from their snapshot
    const snapshot = { ...snap, children: {} } as unknown as SnapshotFrom<M>;
    actor = createActor(machine, { snapshot, input: opts.input });
  } else {
    actor = createActor(machine, { input: opts.input });
  }

  let persistError: Error | undefined;
  let writes: Promise<void> = Promise.resolve();
  const persist = (s: { status: string }) => {
    if (s.status !== 'active') return;
    const value = {
      machine: machine.id,
      inputHash,
      snapshot: actor.getPersistedSnapshot(),
      savedAt: new Date().toISOString(),
    };
    writes = writes.then(() =>
      store.save(key, value).catch((e: unknown) => {
        persistError ??= e instanceof Error ? e : new Error(String(e));
      }),
    );
  };
  const sub = actor.subscribe({
    next: (s) => {
      persist(s);
      opts.onSnapshot?.(s as SnapshotFrom<M>);
    },
    error: () => undefined, // reported by toPromise
  });

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const signal = opts.signal;
    if (signal !== undefined) {
      const stop = () =>
        reject(new Error(`machine ${machine.id} (${key}) stopped: ${String(signal.reason)}`));
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    }
    if (opts.deadlineMs === undefined) return;
    timer = setTimeout(
      () =>
        reject(
          skError(
            'MACHINE_DEADLINE',
            `machine ${machine.id} (${key}) did not finish within ${opts.deadlineMs} ms`,
          ),
        ),
      opts.deadlineMs,
    );
  });
  const done = toPromise(actor);
  actor.start();
  persist(actor.getSnapshot());
  opts.onSnapshot?.(actor.getSnapshot() as SnapshotFrom<M>);
  if (resumedFrom !== undefined) actor.send({ type: 'RESUME' } as EventFromLogic<M>);
  try {
    const output = (await Promise.race([done, deadline])) as OutputFrom<M>;
    sub.unsubscribe();
    await writes;
    await store.remove(key);
    const result: RunMachineResult<M> = { output };
    if (resumedFrom !== undefined) result.resumedFrom = resumedFrom;
    if (persistError !== undefined) result.persistError = persistError;
    return result;
  } catch (e) {
    sub.unsubscribe();
    actor.stop();
    await writes;
    throw e;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
