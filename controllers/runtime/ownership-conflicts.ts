/**
 * Ownership conflicts this instance sees: objects a resource would manage that another owner (or
 * nobody) holds, SK_ERR_OWNERSHIP_CONFLICT. Kept in one Redis hash per instance (field: the resource
 * key, value: its conflicts), so every replica's /readyz agrees and a conflict is logged at warn
 * once per resource and object, not on every resync: only a conflict the previous reconcile of the
 * key did not have is logged (reconciles of one key never run at once, so read-then-write is safe).
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { skError } from '../../reconciler/errors.js';
import type { ConflictStore, OwnershipConflict } from '../ports.js';

export class OwnershipConflicts implements ConflictStore {
  constructor(
    private readonly redis: Redis,
    private readonly hashKey: string,
    private readonly log: Logger,
  ) {}

  /** Records what one reconcile of `key` found (an empty list clears the key). */
  async update(key: string, conflicts: OwnershipConflict[]): Promise<void> {
    const raw = await this.redis.hget(this.hashKey, key);
    const before = new Set(raw ? (JSON.parse(raw) as OwnershipConflict[]).map((c) => c.object) : []);
    for (const c of conflicts)
      if (!before.has(c.object))
        this.log.warn(
          { err: skError('OWNERSHIP_CONFLICT', c.message), key, object: c.object },
          'ownership conflict: another owner holds an object this resource would manage; this instance is not ready',
        );
    if (conflicts.length > 0) await this.redis.hset(this.hashKey, key, JSON.stringify(conflicts));
    else if (raw) {
      await this.redis.hdel(this.hashKey, key);
      this.log.info({ key }, 'ownership conflicts resolved');
    }
  }

  /** Every conflict, by resource key and object. */
  async list(): Promise<{ key: string; object: string }[]> {
    const all = await this.redis.hgetall(this.hashKey);
    return Object.entries(all)
      .flatMap(([key, v]) => (JSON.parse(v) as OwnershipConflict[]).map((c) => ({ key, object: c.object })))
      .sort((a, b) => (a.key + a.object < b.key + b.object ? -1 : 1));
  }
}
