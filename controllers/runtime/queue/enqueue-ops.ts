import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { OutcomeKind } from './types.js';

/** The BullMQ job payload: the opaque key, and `resync` when the periodic resync added it last. */
export interface JobData {
  key: string;
  via?: 'resync';
}
/** What the processor hands to the `completed` listener (kept briefly in Redis: no error text). */
export interface JobResult {
  kind: OutcomeKind;
  requeueAfterMs?: number;
}

export const JOB_NAME = 'reconcile';

export function jobOptions(key: string, delayMs: number): JobsOptions {
  return {
    ...(delayMs > 0 ? { delay: delayMs } : {}),
    deduplication: { id: key, keepLastIfActive: true, replace: true },
    removeOnComplete: true,
    removeOnFail: { count: 1000 },
  };
}

/**
 * Immediate enqueue: replaces a delayed job, coalesces with a waiting one, parks behind an active one.
 * The last add's data wins, so `via` only tells who asked last.
 */
export async function addNow(queue: Queue<JobData, JobResult>, key: string, via?: 'resync'): Promise<void> {
  await queue.add(JOB_NAME, via ? { key, via } : { key }, jobOptions(key, 0));
}

/**
 * Delayed enqueue where the earliest request wins (client-go's AddAfter): skipped when the key
 * already runs sooner (waiting, delayed earlier, or active with a run parked behind it), otherwise
 * replaces a later delayed job. Races with concurrent enqueues only ever make the key run sooner,
 * except one: an enqueue parked behind an active job in the instant between the check and the add
 * is delayed by delayMs (not lost).
 */
export async function scheduleAfter(
  queue: Queue<JobData, JobResult>,
  redis: Redis,
  key: string,
  delayMs: number,
): Promise<void> {
  const id = await queue.getDeduplicationJobId(key);
  const job = id ? await queue.getJob(id) : undefined;
  if (job) {
    const state = await job.getState();
    if (state === 'waiting' || state === 'prioritized') return;
    if (state === 'delayed' && job.timestamp + (job.delay ?? 0) <= Date.now() + delayMs) return;
    if (state === 'active' && (await redis.exists(queue.toKey(`dn:${key}`))) === 1) return;
  }
  await queue.add(JOB_NAME, { key }, jobOptions(key, delayMs));
}
