/**
 * Persisted machine snapshots, so an interrupted machine resumes where it was (after a controller
 * crash or restart). Redis hash `swarmkeeper:<instance>:machines`, field = machine key
 * (resource key + node, e.g. `SwarmPlugin/default/swlvol@<node id>`), value = JSON StoredSnapshot.
 */
import type { Redis } from 'ioredis';

export interface StoredSnapshot {
  /** Machine id (a snapshot is only restored into the same machine). */
  machine: string;
  /** Hash of the machine input: a snapshot taken for another spec is not resumed. */
  inputHash: string;
  /** actor.getPersistedSnapshot() */
  snapshot: unknown;
  savedAt: string;
}

export interface MachineSnapshotStore {
  load(key: string): Promise<StoredSnapshot | undefined>;
  save(key: string, value: StoredSnapshot): Promise<void>;
  remove(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

export const machinesHashKey = (instance: string): string => `swarmkeeper:${instance}:machines`;

export class RedisSnapshotStore implements MachineSnapshotStore {
  readonly hash: string;
  constructor(
    private readonly redis: Redis,
    instance: string,
  ) {
    this.hash = machinesHashKey(instance);
  }

  async load(key: string): Promise<StoredSnapshot | undefined> {
    const raw = await this.redis.hget(this.hash, key);
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as StoredSnapshot;
    } catch {
      return undefined; // unreadable: start over (the machines re-inspect the node anyway)
    }
  }

  async save(key: string, value: StoredSnapshot): Promise<void> {
    await this.redis.hset(this.hash, key, JSON.stringify(value));
  }

  async remove(key: string): Promise<void> {
    await this.redis.hdel(this.hash, key);
  }

  async keys(): Promise<string[]> {
    return this.redis.hkeys(this.hash);
  }
}

/** For tests and single-shot CLI runs. Stores JSON, like Redis, so nothing live leaks through. */
export class MemorySnapshotStore implements MachineSnapshotStore {
  readonly data = new Map<string, string>();
  async load(key: string): Promise<StoredSnapshot | undefined> {
    const raw = this.data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as StoredSnapshot);
  }
  async save(key: string, value: StoredSnapshot): Promise<void> {
    this.data.set(key, JSON.stringify(value));
  }
  async remove(key: string): Promise<void> {
    this.data.delete(key);
  }
  async keys(): Promise<string[]> {
    return [...this.data.keys()];
  }
}
