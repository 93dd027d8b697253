import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { bullConnection, createRedis } from '../../redis/redis-client.js';
import { parseRedisUrl } from '../../redis/redis-url.js';
import { pino, type Logger } from 'pino';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { addNow, scheduleAfter, type JobData, type JobResult } from './enqueue-ops.js';
import { KeyLocks } from './key-lock.js';
import { classify, type Classified, type Settled } from './outcome.js';
import { Resync } from './resync.js';
import { runResyncPass, type PassCounts } from './resync-pass.js';
import { closeRedis, settlesWithin, until } from '../shutdown.js';
import type {
  BackoffOptions,
  KeysProvider,
  Outcome,
  QueueDepth,
  ReconcileResult,
  WorkQueueOptions,
} from './types.js';

/**
 * The controller work queue (controller-runtime semantics on BullMQ + Redis), shared by N workers in
 * M processes. Exclusivity per key comes from two layers:
 *  1. BullMQ deduplication with `keepLastIfActive` (+ `replace`): at most one job per key exists, and
 *     an enqueue while it is active is parked and materialised when the active job finishes.
 *  2. A per-key Redis lock held for the whole reconcile, which covers what (1) cannot: a job moved
 *     back to wait by the stalled checker while its first worker is still running. A job that finds
 *     the lock held completes as `busy` and is requeued shortly.
 * Follow-ups (requeueAfter, backoff, busy, aborted) are added after the job has finished, so they
 * never overwrite an event parked while the job ran; see scheduleAfter for the "earliest wins" rule.
 * The periodic resync pass is shared by the processes, shard by shard (resync.ts); each runs the keys
 * of its shards in process, under the same per-key locks, and queues only what needs the queue
 * (resync-pass.ts); with a global rate limit they enqueue them all.
 */
export class WorkQueue {
  private readonly redis: Redis;
  private readonly ownsRedis: boolean;
  private readonly queue: Queue<JobData, JobResult>;
  private worker: Worker<JobData, JobResult> | undefined;
  private readonly bullConnection: Record<string, unknown>;
  private readonly prefix: string;
  private readonly lockTtlMs: number;
  private readonly locks: KeyLocks;
  private readonly failuresKey: string;
  private readonly backoff: BackoffOptions;
  private readonly busyRetryMs: number;
  private readonly log: Logger;
  private readonly active = new Map<string, AbortController>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly resync: Resync;
  private running: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: WorkQueueOptions) {
    const prefix = opts.prefix ?? 'swarmkeeper';
    const lockTtlMs = opts.lockTtlMs ?? 10_000;
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.busyRetryMs = opts.busyRetryMs ?? 250;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ queue: opts.name });

    if (opts.connection instanceof Redis) {
      this.redis = opts.connection;
      this.ownsRedis = false;
    } else {
      this.redis = createRedis(parseRedisUrl(opts.connection.url), { maxRetriesPerRequest: null });
      this.ownsRedis = true;
    }
    // BullMQ opens (and closes) its own connections from the same options (sentinels, failover).
    const connection = bullConnection(this.redis);
    const base = `${prefix}:${opts.name}:sk:`;
    this.failuresKey = `${base}failures`;
    this.locks = new KeyLocks(this.redis, `${base}lock:`, lockTtlMs);
    this.resync = new Resync(
      this.redis,
      `${base}resync`,
      opts.resyncIntervalMs ?? 600_000,
      this.log,
      (key) => addNow(this.queue, key, 'resync'),
      // the global limiter counts queue jobs only: with one, the pass goes through the queue
      opts.rateLimit ? undefined : (keys) => this.resyncPass(keys),
      opts.resyncShards ? { shards: opts.resyncShards } : {},
    );

    this.queue = new Queue<JobData, JobResult>(opts.name, { connection, prefix });
    this.queue.on('error', (err) => this.log.error({ err }, 'queue connection error'));
    this.bullConnection = connection;
    this.prefix = prefix;
    this.lockTtlMs = lockTtlMs;
  }

  /**
   * Reconcile `key` now (or after delayMs). Coalesces with a pending run; never runs it twice at once.
   * `via: 'resync'` (immediate only) lets the run read a pass-wide snapshot (ReconcileContext.via).
   */
  async enqueue(key: string, opts: { delayMs?: number; via?: 'resync' } = {}): Promise<void> {
    const delayMs = opts.delayMs ?? 0;
    if (delayMs > 0) await scheduleAfter(this.queue, this.redis, key, delayMs);
    else await addNow(this.queue, key, opts.via);
  }

  /** Begins taking jobs. */
  async start(): Promise<void> {
    if (this.closing) throw new Error('work queue is closed');
    if (this.running) return;
    const worker = this.createWorker();
    this.worker = worker;
    this.running = worker.run().catch((err: unknown) => this.log.error({ err }, 'worker stopped'));
    await worker.waitUntilReady();
    this.resync.start();
  }

  /** The worker is created on start, so a queue used only to enqueue opens no worker connections. */
  private createWorker(): Worker<JobData, JobResult> {
    const worker = new Worker<JobData, JobResult>(
      this.opts.name,
      (job, _token, signal) => this.process(job, signal),
      {
        connection: this.bullConnection,
        prefix: this.prefix,
        autorun: false,
        concurrency: this.opts.concurrency,
        lockDuration: this.lockTtlMs,
        stalledInterval: Math.max(1000, Math.floor(this.lockTtlMs / 2)),
        // A job is recovered after each crash of its process; give up (until the next resync)
        // only on a key that keeps killing processes.
        maxStalledCount: 5,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 1000 },
        ...(this.opts.rateLimit
          ? { limiter: { max: this.opts.rateLimit.max, duration: this.opts.rateLimit.durationMs } }
          : {}),
      },
    );
    worker.on('error', (err) => this.log.error({ err }, 'worker error'));
    worker.on('completed', (job, result) => this.followUp(job.data.key, result));
    worker.on('failed', (job, err) => {
      if (job) this.log.error({ key: job.data.key, err }, 'reconcile job failed; waiting for resync');
    });
    return worker;
  }

  /** Periodic resync of every key the provider returns (the processes share each interval's pass). */
  registerResync(provider: KeysProvider): void {
    this.resync.setProvider(provider);
    if (this.running && !this.closing) this.resync.start();
  }

  /** Enqueues every key from the resync provider now, e.g. at startup. */
  async resyncNow(): Promise<number> {
    return this.resync.runOnce(false);
  }

  /** This process's share of the current slot's pass now (what the timer runs); the keys it took. */
  async resyncElected(): Promise<number> {
    return this.resync.runOnce(true);
  }

  /**
   * Reconciles one claimed shard's `keys` in this process (resync-pass.ts); Resync runs one slot's
   * shards at a time. Its reconciles are `active`, so close() waits for and aborts them like the
   * worker's; a shard claimed as the queue closes goes to the queue (another replica runs it).
   */
  private async resyncPass(keys: string[]): Promise<PassCounts> {
    const t0 = performance.now();
    const p = runResyncPass(keys, {
      concurrency: this.opts.resyncConcurrency ?? 4 * this.opts.concurrency,
      failures: () => this.redis.hgetall(this.failuresKey),
      run: async (key) => this.followUp(key, await this.runKey(key, 'resync')),
      enqueue: (key) => addNow(this.queue, key, 'resync'),
      closing: () => this.closing !== undefined,
      onError: (key, err) =>
        this.log.error({ key, err }, 'resync pass: key neither reconciled nor enqueued; next pass'),
    });
    this.pending.add(p);
    try {
      const c = await p;
      this.log.debug({ ...c, ms: Math.round(performance.now() - t0) }, 'resync shard done');
      return c;
    } finally {
      this.pending.delete(p);
    }
  }

  async depth(): Promise<QueueDepth> {
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
    return {
      waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0),
      active: c['active'] ?? 0,
      delayed: c['delayed'] ?? 0,
    };
  }

  /**
   * Graceful shutdown: stop taking jobs, let active reconciles finish within deadlineMs, then abort
   * them through their AbortSignal (an aborted key is requeued for another process), then close the
   * connections. A reconcile that ignores its signal is left to the stalled checker of another process.
   */
  close(deadlineMs = 30_000): Promise<void> {
    this.closing ??= this.doClose(deadlineMs);
    return this.closing;
  }

  /**
   * Every wait is bounded, so closing ends within about deadlineMs + 3 s even when Redis is
   * unreachable (a worker's close and QUIT would otherwise wait for a reconnection forever): active
   * reconciles get deadlineMs (an idle worker does not wait for it), then are aborted and get 1 s
   * more; a worker or queue that still has not closed is force-closed, then disconnected.
   */
  private async doClose(deadlineMs: number): Promise<void> {
    const resyncStopped = this.resync.stop();
    const worker = this.worker;
    if (worker) {
      const workerClosed = worker.close();
      const idle = () => this.active.size === 0;
      await settlesWithin(Promise.race([workerClosed, until(idle, deadlineMs)]), deadlineMs);
      if (!idle()) {
        this.log.warn({ active: this.active.size }, 'close deadline passed; aborting active reconciles');
        for (const ac of this.active.values()) ac.abort(new Error('work queue closing'));
        await until(idle, Math.min(1000, deadlineMs));
      }
      // A finished job's completion is recorded in Redis: a moment for that, unless Redis is gone.
      const grace = this.redis.status === 'ready' ? 500 : 0;
      if (!(await settlesWithin(workerClosed, grace))) {
        this.log.warn('the worker did not close in time (Redis unreachable?); forcing it');
        if (!(await settlesWithin(worker.close(true), 300))) await settlesWithin(worker.disconnect(), 200);
      }
    }
    await settlesWithin(this.running ?? Promise.resolve(), 200);
    await settlesWithin(Promise.allSettled([...this.pending, resyncStopped]), 300);
    if (!(await settlesWithin(this.queue.close(), 300))) await settlesWithin(this.queue.disconnect(), 200);
    if (this.ownsRedis) await closeRedis(this.redis, 300);
  }

  private process(job: Job<JobData, JobResult>, bullSignal?: AbortSignal): Promise<JobResult> {
    return this.runKey(job.data.key, job.data.via, bullSignal);
  }

  /**
   * One reconcile of `key` under its lock, its outcome decided (failure counter, logs, hooks).
   * The failure count is read with the lock, in the same round trip: a previous holder counts its
   * failure after releasing the lock, so reading it after the lock was never fresher than this.
   */
  private async runKey(key: string, via: 'resync' | undefined, bullSignal?: AbortSignal): Promise<JobResult> {
    const failures = this.redis.hget(this.failuresKey, key);
    failures.catch(() => undefined); // awaited below, where a failure counts as the attempt's
    const lock = await this.locks.tryAcquire(key);
    if (!lock) {
      this.log.debug({ key }, 'key locked by another worker; requeueing');
      return { kind: 'busy', requeueAfterMs: this.busyRetryMs };
    }
    const reconcileId = randomUUID();
    // a logger child only for a line that is written (most no-op reconciles write none)
    let child: Logger | undefined;
    const log = (): Logger => (child ??= this.log.child({ key, reconcileId }));
    const debug = this.log.isLevelEnabled('debug');
    const ac = new AbortController();
    const abort = (s: AbortSignal) => () => ac.abort(s.reason);
    lock.lost.addEventListener('abort', abort(lock.lost), { once: true });
    bullSignal?.addEventListener('abort', abort(bullSignal), { once: true });
    this.active.set(reconcileId, ac);
    let settled: Settled;
    let attempt = 0;
    try {
      attempt = Number((await failures) ?? 0);
      this.opts.hooks?.onStart?.(key, reconcileId);
      if (debug) log().debug({ attempt }, 'reconcile start');
      const value: ReconcileResult = await this.opts.reconcile(key, {
        reconcileId,
        attempt,
        signal: ac.signal,
        ...(via ? { via } : {}),
      });
      settled = { ok: true, value };
    } catch (error) {
      settled = { ok: false, error };
    } finally {
      this.active.delete(reconcileId);
      await lock.release().catch((err: unknown) => log().warn({ err }, 'releasing key lock failed'));
    }
    const outcome = await this.decide(key, classify(settled, ac.signal.aborted), attempt);
    if (debug)
      log().debug({ outcome: outcome.kind, requeueAfterMs: outcome.requeueAfterMs }, 'reconcile end');
    if (outcome.kind === 'waiting')
      log().info(
        { err: errorMessage(outcome.error), requeueAfterMs: outcome.requeueAfterMs },
        'reconcile waiting',
      );
    if (outcome.kind === 'backoff') {
      log().warn(
        { err: errorMessage(outcome.error), requeueAfterMs: outcome.requeueAfterMs },
        'reconcile failed',
      );
    }
    this.safeHook(() => this.opts.hooks?.onEnd?.(key, reconcileId, outcome));
    if (outcome.kind === 'terminal') {
      log().error({ err: errorMessage(outcome.error) }, 'reconcile failed terminally; not retried');
      this.safeHook(() => this.opts.hooks?.onTerminal?.(key, outcome.error));
    }
    return outcome.requeueAfterMs === undefined
      ? { kind: outcome.kind }
      : { kind: outcome.kind, requeueAfterMs: outcome.requeueAfterMs };
  }

  /** Applies the per-key failure counter (in Redis, so another process continues the backoff). */
  private async decide(key: string, c: Classified, attempt: number): Promise<Outcome> {
    if (c.kind === 'transient') {
      const failures = await this.redis.hincrby(this.failuresKey, key, 1);
      return { kind: 'backoff', requeueAfterMs: backoffDelay(failures, this.backoff), error: c.error };
    }
    if (c.kind === 'aborted') return { kind: 'aborted', requeueAfterMs: 0, error: c.error };
    // Any other end resets the backoff (client-go's Forget), but a wait that is part of a retry.
    if (c.kind === 'waiting' && c.keepsBackoff) return c;
    if (attempt > 0) await this.redis.hdel(this.failuresKey, key);
    return c;
  }

  private followUp(key: string, result: JobResult | undefined): void {
    const after = result?.requeueAfterMs;
    if (after === undefined) return;
    const p = this.enqueue(key, { delayMs: after })
      .catch((err: unknown) =>
        this.log.error({ key, err }, 'requeue failed; key waits for the next event or resync'),
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private safeHook(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn({ err }, 'work queue hook threw');
    }
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
