/**
 * The periodic resync's shards: every key hashes (FNV-1a, 32 bit, over its UTF-16 code units) to
 * one of `shards` buckets. The hash is stable across processes and versions, so every replica
 * cuts the same key list into the same shards and a shard claimed by one is the same keys for all.
 */

/** FNV-1a over the key's UTF-16 code units, as an unsigned 32-bit integer. */
export function stableHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The shard of `key` among `shards` (a positive integer). */
export function shardOf(key: string, shards: number): number {
  return stableHash(key) % shards;
}

/** The keys of each shard, in the given order; `shards` arrays, some maybe empty. */
export function partition(keys: readonly string[], shards: number): string[][] {
  const out = Array.from({ length: shards }, () => [] as string[]);
  for (const key of keys) out[shardOf(key, shards)]!.push(key);
  return out;
}

/** The slot (interval number since the epoch) that `now` falls in. */
export function slotOf(now: number, intervalMs: number): number {
  return Math.floor(now / intervalMs);
}

/**
 * Delay from `now` to the start of the next slot plus a jitter of [0, min(interval / 10, 2 s)),
 * `random` in [0, 1): replicas tick together, in an order that varies from slot to slot.
 */
export function delayToNextSlot(now: number, intervalMs: number, random: number): number {
  const next = (slotOf(now, intervalMs) + 1) * intervalMs;
  const jitter = Math.floor(random * Math.min(intervalMs / 10, 2000));
  return next - now + jitter;
}
