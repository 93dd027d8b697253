/**
 * RedisOwnerIndex with a real Redis: what one replica records, every other replica (a new events
 * leader after a failover) finds, although it never reconciled that resource itself.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryOwnerIndex, RedisOwnerIndex } from '../../controllers/runtime/owner-index.js';
import { labVars, uniq } from './helpers/controller-swarm.js';
import type { OwnerIndex } from '../../controllers/ports.js';

let redis: Redis;
const hashes: string[] = [];

function pair(): [RedisOwnerIndex, RedisOwnerIndex] {
  const key = `sk-test:${uniq('owners')}`;
  hashes.push(key);
  return [new RedisOwnerIndex(redis, key), new RedisOwnerIndex(redis, key)];
}

beforeAll(() => {
  redis = new Redis(labVars().redisUrl, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  if (hashes.length > 0) await redis.del(...hashes);
  redis.disconnect();
});

describe.each<[string, () => [OwnerIndex, OwnerIndex]]>([
  ['RedisOwnerIndex (two replicas)', pair],
  [
    'MemoryOwnerIndex (one process)',
    () => {
      const m = new MemoryOwnerIndex();
      return [m, m];
    },
  ],
])('%s', (_, make) => {
  it('maps a name recorded by one replica for the other', async () => {
    const [a, b] = make();
    await a.record('SwarmStack/default/web', ['web_app', 'web_default']);
    expect(await b.lookup('web_app')).toBe('SwarmStack/default/web');
    expect(await b.lookup('web_default')).toBe('SwarmStack/default/web');
    expect(await b.lookup('other_app')).toBeUndefined();
  });

  it('follows a name that moved to another resource, whichever replica recorded it', async () => {
    const [a, b] = make();
    await a.record('SwarmStack/default/old', ['shared_net']);
    await b.record('SwarmNetwork/default/new', ['shared_net']);
    expect(await a.lookup('shared_net')).toBe('SwarmNetwork/default/new');
    // the old owner is pruned later: the name stays with its new owner
    await a.forget('SwarmStack/default/old');
    expect(await b.lookup('shared_net')).toBe('SwarmNetwork/default/new');
  });

  it('forgets every name of a pruned resource, recorded by any replica', async () => {
    const [a, b] = make();
    await a.record('SwarmStack/default/gone', ['gone_a']);
    await b.record('SwarmStack/default/gone', ['gone_b']);
    await b.forget('SwarmStack/default/gone');
    expect(await a.lookup('gone_a')).toBeUndefined();
    expect(await a.lookup('gone_b')).toBeUndefined();
    // recorded again after a prune (the resource came back): written again, not skipped
    await a.record('SwarmStack/default/gone', ['gone_a']);
    expect(await b.lookup('gone_a')).toBe('SwarmStack/default/gone');
  });
});

describe('RedisOwnerIndex writes', () => {
  it('a steady state writes nothing (a no-op resync records the same names again)', async () => {
    const [a] = pair();
    await a.record('SwarmStack/default/s', ['s_app']);
    const before = Number((await redis.info('stats')).match(/total_commands_processed:(\d+)/)?.[1]);
    await a.record('SwarmStack/default/s', ['s_app']);
    const after = Number((await redis.info('stats')).match(/total_commands_processed:(\d+)/)?.[1]);
    // the HMGET that found the names in place, and the second INFO itself: no HSET
    expect(after - before).toBe(2);
  });
});
