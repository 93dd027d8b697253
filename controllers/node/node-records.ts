/**
 * What a SwarmNode's removal needs once its key has left the source (the spec is gone by then): how
 * to reach the node's daemon, spec.force, the deletion policy, and the node ID. Redis hash
 * `swarmkeeper:<instance>:swarmnodes`, field = resource key, value = JSON NodeRecord. Holds only the
 * address and the *name* of the TLS Secret, never key material.
 */
import type { Redis } from 'ioredis';

export interface NodeRecord {
  namespace: string;
  address: string;
  tls?: { secretRef: { name: string } };
  force: boolean;
  deletionPolicy: 'Delete' | 'Orphan';
  nodeId?: string;
  hostname?: string;
}

export interface NodeRecordStore {
  get(key: string): Promise<NodeRecord | undefined>;
  put(key: string, rec: NodeRecord): Promise<void>;
  delete(key: string): Promise<void>;
}

export const nodeRecordsKey = (instance: string): string => `swarmkeeper:${instance}:swarmnodes`;

export class RedisNodeRecords implements NodeRecordStore {
  readonly hash: string;
  constructor(
    private readonly redis: Redis,
    instance: string,
  ) {
    this.hash = nodeRecordsKey(instance);
  }
  async get(key: string): Promise<NodeRecord | undefined> {
    const raw = await this.redis.hget(this.hash, key);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as NodeRecord;
    } catch {
      return undefined;
    }
  }
  async put(key: string, rec: NodeRecord): Promise<void> {
    await this.redis.hset(this.hash, key, JSON.stringify(rec));
  }
  async delete(key: string): Promise<void> {
    await this.redis.hdel(this.hash, key);
  }
}

export class MemoryNodeRecords implements NodeRecordStore {
  readonly data = new Map<string, NodeRecord>();
  async get(key: string): Promise<NodeRecord | undefined> {
    return this.data.get(key);
  }
  async put(key: string, rec: NodeRecord): Promise<void> {
    this.data.set(key, structuredClone(rec));
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
}
