import type { Redis } from 'ioredis';
import { sameConditions } from '../../reconciler/status/conditions.js';
import type { ResourceStatus } from '../../reconciler/status/resource-status.js';
import type { StatusStore } from '../ports.js';

/** True when two statuses differ in anything a user would notice. */
export function statusChanged(prev: ResourceStatus | undefined, next: ResourceStatus): boolean {
  if (!prev) return true;
  const { conditions: a, lastAppliedAt: _a, ...restA } = prev;
  const { conditions: b, lastAppliedAt: _b, ...restB } = next;
  return !sameConditions(a, b) || JSON.stringify(restA) !== JSON.stringify(restB);
}

export class RedisStatusStore implements StatusStore {
  readonly #hash: string;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.#hash = `${prefix}:status`;
  }

  async get(key: string): Promise<ResourceStatus | undefined> {
    const v = await this.redis.hget(this.#hash, key);
    return v ? (JSON.parse(v) as ResourceStatus) : undefined;
  }

  async put(key: string, status: ResourceStatus): Promise<boolean> {
    const prev = await this.get(key);
    if (!statusChanged(prev, status)) return false;
    await this.redis.hset(this.#hash, key, JSON.stringify(status));
    return true;
  }

  async list(): Promise<Map<string, ResourceStatus>> {
    const all = await this.redis.hgetall(this.#hash);
    return new Map(Object.entries(all).map(([k, v]) => [k, JSON.parse(v) as ResourceStatus]));
  }

  async delete(key: string): Promise<void> {
    await this.redis.hdel(this.#hash, key);
  }
}
