// The SwarmNode removal records on Redis: one hash per instance, one JSON field per resource key;
// a missing or unreadable field is no record.
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisNodeRecords, nodeRecordsKey, type NodeRecord } from '../../../controllers/node/node-records.js';

/** The hash commands of a Redis, over a map of hashes. */
function fakeRedis() {
  const hashes = new Map<string, Map<string, string>>();
  const h = (k: string) => hashes.get(k) ?? hashes.set(k, new Map()).get(k)!;
  const redis = {
    hget: async (k: string, f: string) => h(k).get(f) ?? null,
    hset: async (k: string, f: string, v: string) => (h(k).set(f, v), 1),
    hdel: async (k: string, f: string) => (h(k).delete(f) ? 1 : 0),
  } as unknown as Redis;
  return { redis, hashes };
}

const REC: NodeRecord = {
  namespace: 'default',
  address: 'tcp://10.0.0.5:2376',
  tls: { secretRef: { name: 'n1-tls' } },
  force: true,
  deletionPolicy: 'Delete',
  nodeId: 'N1',
  hostname: 'n1',
};

describe('RedisNodeRecords', () => {
  it('one hash per instance', () => {
    expect(nodeRecordsKey('i1')).toBe('swarmkeeper:i1:swarmnodes');
    expect(new RedisNodeRecords(fakeRedis().redis, 'i2').hash).toBe('swarmkeeper:i2:swarmnodes');
  });

  it('put, get and delete a record as JSON under its resource key', async () => {
    const { redis, hashes } = fakeRedis();
    const r = new RedisNodeRecords(redis, 'i1');
    await r.put('SwarmNode/default/n1', REC);
    expect(JSON.parse(hashes.get('swarmkeeper:i1:swarmnodes')!.get('SwarmNode/default/n1')!)).toEqual(REC);
    expect(await r.get('SwarmNode/default/n1')).toEqual(REC);
    await r.delete('SwarmNode/default/n1');
    expect(hashes.get('swarmkeeper:i1:swarmnodes')!.size).toBe(0);
  });

  it.each([
    ['a missing field', undefined],
    ['a field that is not JSON', '{not json'],
  ])('%s is no record', async (_, raw) => {
    const { redis, hashes } = fakeRedis();
    if (raw !== undefined) hashes.set('swarmkeeper:i1:swarmnodes', new Map([['k', raw]]));
    expect(await new RedisNodeRecords(redis, 'i1').get('k')).toBeUndefined();
  });
});
