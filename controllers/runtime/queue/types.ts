import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** What a successful reconcile may ask for: a scheduled requeue (controller-runtime's Result.RequeueAfter). */
export type ReconcileResult = { requeueAfterMs?: number } | void;

export interface ReconcileContext {
  /** Unique per attempt; logged as `reconcileId`. */
  readonly reconcileId: string;
  /** Consecutive failures of this key before this attempt (0 after a success). */
  readonly attempt: number;
  /** Aborted when the queue closes past its deadline or the per-key lock is lost. */
  readonly signal: AbortSignal;
  /**
   * `resync`: the periodic (or reconnect) resync enqueued the key last, so this run may read a
   * pass-wide snapshot. Absent for events, source changes and requeues.
   */
  readonly via?: 'resync';
}

/**
 * Reconciles one opaque key (`kind/namespace/name`). Thrown errors are classified with
 * reconciler/errors.ts: terminal -> not retried; waiting -> requeue after err.requeueAfterMs;
 * transient or unknown -> per-key exponential backoff.
 */
export type ReconcileFn = (key: string, ctx: ReconcileContext) => Promise<ReconcileResult>;

/** How one attempt ended. `busy`: another worker holds the key; `aborted`: cancelled by close/lock loss. */
export type OutcomeKind = 'success' | 'requeue' | 'waiting' | 'backoff' | 'terminal' | 'busy' | 'aborted';

export interface Outcome {
  readonly kind: OutcomeKind;
  /** When to run the key again; undefined = only on the next event or resync. */
  readonly requeueAfterMs?: number;
  readonly error?: unknown;
}

import type { BackoffOptions } from '../../../reconciler/units/backoff.js';

export type { BackoffOptions };

export interface WorkQueueHooks {
  onStart?(key: string, reconcileId: string): void;
  onEnd?(key: string, reconcileId: string, outcome: Outcome): void;
  onTerminal?(key: string, err: unknown): void;
}

export interface WorkQueueOptions {
  /** A Redis client (kept open on close) or a URL (the queue owns its connections). */
  readonly connection: Redis | { url: string };
  /** Queue name; every process sharing one queue uses the same name and prefix. */
  readonly name: string;
  /** Redis key prefix (default `swarmkeeper`). */
  readonly prefix?: string;
  /** Reconciles run at once in this process. */
  readonly concurrency: number;
  readonly reconcile: ReconcileFn;
  readonly backoff?: Partial<BackoffOptions>;
  /**
   * Keys the periodic resync pass reconciles at once in a process, per shard it claimed (default
   * 4 x concurrency): a no-op reconcile there is mostly Redis round trips, which many keys in flight
   * share. The worker keeps `concurrency` for everything else meanwhile.
   */
  readonly resyncConcurrency?: number;
  /** Periodic resync of every key from the provider (default 10 min), shared by the replicas (resync.ts). */
  readonly resyncIntervalMs?: number;
  /** Shards a resync pass is cut into, claimed one at a time by the replicas (default 16; the same everywhere). */
  readonly resyncShards?: number;
  /** Global limit over all processes: at most `max` reconciles started per `durationMs`. */
  readonly rateLimit?: { max: number; durationMs: number };
  /**
   * TTL of the per-key lock and of BullMQ's job lock (default 10 s). A process killed mid-reconcile
   * frees its keys after about this long plus the stalled-check interval.
   */
  readonly lockTtlMs?: number;
  /** Delay before a key whose lock is held elsewhere is tried again (default 250 ms). */
  readonly busyRetryMs?: number;
  readonly logger?: Logger;
  readonly hooks?: WorkQueueHooks;
}

export interface QueueDepth {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
}

/**
 * The keys to resync. `fresh`: this read starts a pass (an unelected run, or the claim of a slot's
 * first shard), so the caller may start a fresh view of the world for it; a replica joining a
 * pass another started gets `false`.
 */
export type KeysProvider = (ctx: { fresh: boolean }) => Promise<string[]> | string[];
