/**
 * The one place the controller makes Redis clients. Every client (the shared one for locks, leases,
 * status, events, owner index, ...; the BullMQ queue and worker connections, derived from it with
 * `bullConnection`; the `status` command's) comes from `createRedis`, so all of them follow a
 * failover the same way:
 *  - with Sentinel, ioredis asks the sentinels for the master and checks the server's role. A
 *    failover reaches the client as a closed connection (the old master died, or Sentinel killed
 *    the clients of the servers it reconfigured), and the client asks the sentinels again.
 *    ioredis's `failoverDetector` (+switch-master) stays off: when the announcement came while the
 *    client was asking the sentinels (the master dead, the client reconnecting), it ended the
 *    client for good ("Connection is closed."), BullMQ's worker connection too
 *    (test/controllers/redis/redis-client-failover.test.ts);
 *  - a READONLY reply (the server we write to was demoted to a replica: a failover we have not
 *    seen yet, or a plain-URL Redis behind a moved DNS name) makes ioredis reconnect and resend the
 *    command (`reconnectOnError`), so the write lands on the new master instead of failing.
 * Commands issued while the client reconnects wait in ioredis's offline queue (enableOfflineQueue
 * stays on: a reconcile or an enqueue waits for the new master instead of failing).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './redis-url.js';

/** 2: reconnect and resend the command that got the error; false: leave the error to the caller. */
export function reconnectOnError(err: Error): 2 | false {
  return /^READONLY\b/.test(err.message) ? 2 : false;
}

/** Options every client gets, whatever the target. */
export const FAILOVER_OPTIONS: RedisOptions = {
  reconnectOnError,
  failoverDetector: false,
};

/** A client for `target`; `overrides` (e.g. maxRetriesPerRequest, retryStrategy) win. */
export function createRedis(target: RedisTarget, overrides: RedisOptions = {}): Redis {
  const options: RedisOptions = { ...FAILOVER_OPTIONS, ...overrides };
  return target.kind === 'url'
    ? new Redis(target.url, options)
    : new Redis({ ...target.options, ...options });
}

/**
 * Connection options for BullMQ's Queue and Worker, from a client made by createRedis: the same
 * server or sentinels, passwords and failover handling. BullMQ opens its own connections from them
 * (the worker's blocking one included), and needs maxRetriesPerRequest null on all of them.
 * Auto-pipelining, which the controller's shared client uses, is left off on them.
 */
export function bullConnection(redis: Redis): Record<string, unknown> {
  // not the shared client's auto-pipelining: BullMQ's blocking worker connection must not batch
  return { ...redis.options, maxRetriesPerRequest: null, enableAutoPipelining: false };
}

/**
 * Calls `fn` each time `redis` is ready again after losing its connection (a restart, a failover,
 * a dropped socket); not on the first connection. Returns a function that stops listening.
 */
export function onReconnected(redis: Redis, fn: () => void): () => void {
  let lost = false;
  const onClose = () => {
    lost = true;
  };
  const onReady = () => {
    if (!lost) return;
    lost = false;
    fn();
  };
  redis.on('close', onClose);
  redis.on('ready', onReady);
  return () => {
    redis.off('close', onClose);
    redis.off('ready', onReady);
  };
}
