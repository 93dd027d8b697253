/**
 * Swarm object name -> the resource key that wants it, shared by every replica through Redis.
 *
 * The events leader maps a Docker event back to its resource through this index. It must know
 * every resource's objects, not only those this process reconciled: after a failover the new
 * leader has reconciled few (or none) of them, and drift on the others would wait for the next
 * resync. Workers record the names a reconcile desired (a write only when a name's owner is new
 * to the index); the leader reads Redis on every event, so a name that moved to another
 * resource is never mapped to a stale key. A record reads before it writes: a steady state (every
 * resync) writes nothing, and a name another replica removed or moved is always written again.
 */
import type { Redis } from 'ioredis';
import type { OwnerIndex } from '../ports.js';

export class RedisOwnerIndex implements OwnerIndex {
  constructor(
    private readonly redis: Redis,
    private readonly hashKey: string,
  ) {}

  async record(key: string, names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const now = await this.redis.hmget(this.hashKey, ...names);
    const fresh = names.filter((n, i) => now[i] !== key);
    if (fresh.length > 0) await this.redis.hset(this.hashKey, Object.fromEntries(fresh.map((n) => [n, key])));
  }

  async forget(key: string): Promise<void> {
    const all = await this.redis.hgetall(this.hashKey);
    const mine = Object.entries(all)
      .filter(([, k]) => k === key)
      .map(([n]) => n);
    if (mine.length > 0) await this.redis.hdel(this.hashKey, ...mine);
  }

  async lookup(name: string): Promise<string | undefined> {
    return (await this.redis.hget(this.hashKey, name)) ?? undefined;
  }
}

/** The same contract in memory (unit tests, single-process use). */
export class MemoryOwnerIndex implements OwnerIndex {
  readonly #byName = new Map<string, string>();

  record(key: string, names: readonly string[]): Promise<void> {
    for (const n of names) this.#byName.set(n, key);
    return Promise.resolve();
  }

  forget(key: string): Promise<void> {
    for (const [n, k] of this.#byName) if (k === key) this.#byName.delete(n);
    return Promise.resolve();
  }

  lookup(name: string): Promise<string | undefined> {
    return Promise.resolve(this.#byName.get(name));
  }
}
