/**
 * /readyz checks that always answer within a bound: a check that has not settled within its
 * timeout counts as failed, and a probe never queues behind a reconnecting client (ioredis queues
 * commands while it reconnects; a blackholed Docker socket never answers). While a check's last
 * attempt is still pending, the next probe waits on that same attempt instead of starting another,
 * so a dead dependency does not pile up requests.
 */
import type Docker from 'dockerode';
import type { Redis } from 'ioredis';

export const DEFAULT_CHECK_TIMEOUT_MS = 500;

export interface ReadyReport {
  ok: boolean;
  checks: Record<string, boolean>;
  /** Objects this instance would manage that another owner holds (SK_ERR_OWNERSHIP_CONFLICT). */
  ownershipConflicts?: { key: string; object: string }[];
}

/** Resolves with `fallback` when `p` has not settled within `ms` (or rejects). */
export async function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  try {
    return await Promise.race([p.catch(() => fallback), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A check whose pending attempt is shared by the probes that arrive while it runs. */
export function boundedCheck(run: () => Promise<boolean>, timeoutMs: number): () => Promise<boolean> {
  let pending: Promise<boolean> | undefined;
  return () => {
    if (!pending) {
      const attempt = run().then(
        (ok) => ok,
        () => false,
      );
      pending = attempt;
      void attempt.finally(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return within(pending, timeoutMs, false);
  };
}

/** Redis answers PING now; false at once while the client is not connected (never queued). */
export function redisCheck(redis: Redis, timeoutMs = DEFAULT_CHECK_TIMEOUT_MS): () => Promise<boolean> {
  const ping = boundedCheck(async () => (await redis.ping()) === 'PONG', timeoutMs);
  return async () => (redis.status === 'ready' ? ping() : false);
}

/** The Docker API answers /_ping; the request is aborted at the timeout. */
export function dockerCheck(docker: Docker, timeoutMs = DEFAULT_CHECK_TIMEOUT_MS): () => Promise<boolean> {
  return boundedCheck(async () => {
    // dockerode's ping takes an abortSignal option; its type declaration omits it
    const ping = docker.ping.bind(docker) as unknown as (o: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping({ abortSignal: AbortSignal.timeout(timeoutMs) });
    return true;
  }, timeoutMs);
}

export interface ReadinessOptions {
  redis: Redis;
  docker: Docker;
  /** Synchronous facts (sources loaded, informers running). */
  flags?: () => Record<string, boolean>;
  /** The ownership conflicts this instance sees (read from Redis; undefined when unknown). */
  conflicts?: () => Promise<{ key: string; object: string }[] | undefined>;
  timeoutMs?: number;
}

/**
 * The controller's readiness: Redis and Docker reachable, the flags true, and no ownership
 * conflict. Answers within about timeoutMs whatever is down.
 */
export function readiness(opts: ReadinessOptions): () => Promise<ReadyReport> {
  const t = opts.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const redisOk = redisCheck(opts.redis, t);
  const dockerOk = dockerCheck(opts.docker, t);
  const readConflicts = opts.conflicts;
  return async () => {
    const [redis, docker, conflicts] = await Promise.all([
      redisOk(),
      dockerOk(),
      readConflicts && opts.redis.status === 'ready'
        ? within(readConflicts(), t, undefined)
        : Promise.resolve(undefined),
    ]);
    const checks: Record<string, boolean> = { redis, docker, ...(opts.flags?.() ?? {}) };
    if (readConflicts) checks['ownership'] = conflicts !== undefined && conflicts.length === 0;
    return {
      ok: Object.values(checks).every(Boolean),
      checks,
      ...(conflicts && conflicts.length > 0 ? { ownershipConflicts: conflicts } : {}),
    };
  };
}
