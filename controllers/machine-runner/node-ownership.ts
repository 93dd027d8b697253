/**
 * What swarmkeeper made (or was told to adopt) on which node, for node-local objects that carry no
 * owner labels (plugins) or that were adopted without them (volumes). Only what is recorded here is
 * ever removed: a plugin swarmkeeper did not install is never uninstalled.
 *
 * Redis hash `swarmkeeper:<instance>:owned:<resource key>`, field `<node id>/<object name>`, value
 * JSON NodeObject. One field per node, so nodes worked on in parallel never overwrite each other.
 * The entry is written before the object is created (write-ahead): a crash between the two leaves a
 * record of something that may not exist, which removal treats as already gone.
 */
import { compareNames } from '../../reconciler/model/order.js';
import type { Redis } from 'ioredis';

export interface NodeObject {
  nodeId: string;
  hostname: string;
  /** Plugin name or volume name on that node. */
  name: string;
  /** Taken over with spec.adopt (it existed before swarmkeeper came). */
  adopted?: boolean;
}

export interface NodeOwnershipStore {
  list(key: string): Promise<NodeObject[]>;
  add(key: string, obj: NodeObject): Promise<void>;
  remove(key: string, nodeId: string, name: string): Promise<void>;
}

const field = (nodeId: string, name: string) => `${nodeId}/${name}`;

export class RedisNodeOwnership implements NodeOwnershipStore {
  constructor(
    private readonly redis: Redis,
    private readonly instance: string,
  ) {}

  hash(key: string): string {
    return `swarmkeeper:${this.instance}:owned:${key}`;
  }

  async list(key: string): Promise<NodeObject[]> {
    const all = await this.redis.hgetall(this.hash(key));
    const out: NodeObject[] = [];
    for (const v of Object.values(all)) {
      try {
        out.push(JSON.parse(v) as NodeObject);
      } catch {
        // unreadable entry: ignored (never a reason to remove anything)
      }
    }
    return out.sort((a, b) => compareNames(a.hostname, b.hostname) || compareNames(a.name, b.name));
  }

  async add(key: string, obj: NodeObject): Promise<void> {
    await this.redis.hset(this.hash(key), field(obj.nodeId, obj.name), JSON.stringify(obj));
  }

  async remove(key: string, nodeId: string, name: string): Promise<void> {
    await this.redis.hdel(this.hash(key), field(nodeId, name));
  }
}

/** For unit tests. */
export class MemoryNodeOwnership implements NodeOwnershipStore {
  readonly data = new Map<string, Map<string, NodeObject>>();
  async list(key: string): Promise<NodeObject[]> {
    return [...(this.data.get(key)?.values() ?? [])].sort(
      (a, b) => compareNames(a.hostname, b.hostname) || compareNames(a.name, b.name),
    );
  }
  async add(key: string, obj: NodeObject): Promise<void> {
    const m = this.data.get(key) ?? new Map<string, NodeObject>();
    m.set(field(obj.nodeId, obj.name), { ...obj });
    this.data.set(key, m);
  }
  async remove(key: string, nodeId: string, name: string): Promise<void> {
    this.data.get(key)?.delete(field(nodeId, name));
  }
}
