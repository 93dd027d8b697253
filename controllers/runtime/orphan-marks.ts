import type { Redis } from 'ioredis';
import type { OrphanMarks } from '../ports.js';

/** The keys finalized with deletionPolicy Orphan, in one Redis hash per instance (value: when). */
export class RedisOrphanMarks implements OrphanMarks {
  constructor(
    private readonly redis: Redis,
    private readonly hashKey: string,
  ) {}

  async mark(key: string): Promise<void> {
    await this.redis.hset(this.hashKey, key, new Date().toISOString());
  }

  async clear(key: string): Promise<boolean> {
    return (await this.redis.hdel(this.hashKey, key)) === 1;
  }
}

/** The same contract in memory (unit tests). */
export class MemoryOrphanMarks implements OrphanMarks {
  readonly #keys = new Set<string>();

  mark(key: string): Promise<void> {
    this.#keys.add(key);
    return Promise.resolve();
  }

  clear(key: string): Promise<boolean> {
    return Promise.resolve(this.#keys.delete(key));
  }
}
