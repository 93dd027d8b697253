/**
 * The periodic resync pass over one shard's keys, reconciled in the process that claimed the shard
 * (resync.ts) instead of one queue job per key. A no-op reconcile is then a key lock, a status read
 * and the in-memory desired state and plan: no BullMQ scripts (add, move to active, move to
 * finished) per key.
 * The queue still gets every key that needs it:
 *  - a key with a failure count (in backoff) is enqueued as before, so its retries keep their attempt;
 *  - a key locked elsewhere (a worker of any replica runs it) is retried through the queue;
 *  - a key whose reconcile failed, waits or asks for a requeue goes to the queue with its delay
 *    (the runner's follow-up: backoff from the per-key failure counter in Redis);
 *  - a pass interrupted by close enqueues the keys it had not started.
 * Drift is still put back for every key: the in-process reconcile is the same reconcile.
 */

export interface ResyncPassDeps {
  /** Reconciles at once in the pass. */
  readonly concurrency: number;
  /** Failure counts of keys in backoff, by key (one read per pass: the failures hash). */
  failures(): Promise<Record<string, string>>;
  /** One reconcile in this process under the key's lock (the queue's own runner), follow-up included. */
  run(key: string): Promise<void>;
  /** Hands a key to the queue (immediate, `via: 'resync'`). */
  enqueue(key: string): Promise<void>;
  /** True once the queue closes: the pass stops starting keys. */
  closing(): boolean;
  /** A key that could neither run nor be enqueued (Redis down): it waits for the next pass. */
  onError(key: string, err: unknown): void;
}

export interface PassCounts {
  /** Reconciled in this process. */
  inProcess: number;
  /** Handed to the queue (in backoff, or left over at close). */
  queued: number;
}

/** Runs every key once, at most `concurrency` at a time, in the provider's order. */
export async function runResyncPass(keys: readonly string[], d: ResyncPassDeps): Promise<PassCounts> {
  const counts: PassCounts = { inProcess: 0, queued: 0 };
  const failures = await d.failures();
  let next = 0;
  const toQueue = async (key: string): Promise<void> => {
    try {
      await d.enqueue(key);
      counts.queued++;
    } catch (err) {
      d.onError(key, err);
    }
  };
  const lane = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++]!;
      if (d.closing() || Number(failures[key] ?? 0) > 0) {
        await toQueue(key);
        continue;
      }
      try {
        await d.run(key);
        counts.inProcess++;
      } catch {
        await toQueue(key); // the runner itself failed (Redis): the queue retries it
      }
    }
  };
  const lanes = Math.max(1, Math.min(d.concurrency, keys.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return counts;
}
