import { describe, expect, it } from 'vitest';
import {
  bullConnection,
  createRedis,
  onReconnected,
  reconnectOnError,
} from '../../../controllers/redis/redis-client.js';
import { parseRedisUrl } from '../../../controllers/redis/redis-url.js';
import { startRedis } from '../../support/redis-server.js';

describe('reconnectOnError', () => {
  it.each([
    ["READONLY You can't write against a read only replica.", 2],
    ['READONLY', 2],
    ['ERR wrong number of arguments', false],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', false],
    ['NOSCRIPT No matching script', false],
    ['MOVED 3999 127.0.0.1:6381', false],
    ['ERR READONLY inside', false],
  ])('%s -> %s', (message, expected) => {
    expect(reconnectOnError(new Error(message))).toBe(expected);
  });
});

describe('createRedis and bullConnection', () => {
  it('a sentinel client and its BullMQ options carry the sentinels, the passwords and the failover handling', () => {
    const redis = createRedis(
      parseRedisUrl('redis+sentinel://:pw@127.0.0.1:1,[::1]:2/mm?db=4&sentinelPassword=sp'),
      { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true },
    );
    try {
      const bull = bullConnection(redis);
      for (const o of [redis.options, bull]) {
        expect(o).toMatchObject({
          sentinels: [
            { host: '127.0.0.1', port: 1 },
            { host: '::1', port: 2 },
          ],
          name: 'mm',
          db: 4,
          password: 'pw',
          sentinelPassword: 'sp',
          failoverDetector: false,
          reconnectOnError,
        });
      }
      expect(redis.options.maxRetriesPerRequest).toBe(3);
      expect(bull['maxRetriesPerRequest']).toBeNull();
      // the shared client batches its commands; BullMQ's connections (one of them blocking) do not
      expect(redis.options.enableAutoPipelining).toBe(true);
      expect(bull['enableAutoPipelining']).toBe(false);
    } finally {
      redis.disconnect();
    }
  });

  it('a redis:// client talks to that server, with the failover handling too', async () => {
    const server = await startRedis();
    const redis = createRedis(parseRedisUrl(server.url), { maxRetriesPerRequest: 1 });
    try {
      expect(await redis.set('k', 'v')).toBe('OK');
      expect(await redis.get('k')).toBe('v');
      expect(redis.options).toMatchObject({ port: server.port, reconnectOnError, failoverDetector: false });
      expect(bullConnection(redis)).toMatchObject({ port: server.port, maxRetriesPerRequest: null });
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});

describe('a READONLY reply (the server was demoted)', () => {
  it('reconnects and resends the write instead of failing it; plain ioredis fails it', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis()]);
    const admin = createRedis(parseRedisUrl(a.url), { maxRetriesPerRequest: 1 });
    const ours = createRedis(parseRedisUrl(a.url), { maxRetriesPerRequest: null });
    const plain = createRedis(parseRedisUrl(a.url), { maxRetriesPerRequest: 1, reconnectOnError: null });
    try {
      await Promise.all([ours.ping(), plain.ping()]);
      await admin.call('REPLICAOF', '127.0.0.1', String(b.port)); // a is now a read-only replica
      await expect(plain.set('k', 'plain')).rejects.toThrow(/^READONLY/);
      const reconnecting = new Promise((r) => ours.once('reconnecting', r));
      const write = ours.set('k', 'ours');
      await reconnecting; // the READONLY reply made it reconnect; the write is still pending
      await admin.call('REPLICAOF', 'NO', 'ONE'); // promoted, as a failover hands writes to a master
      expect(await write).toBe('OK');
      expect(await admin.get('k')).toBe('ours');
    } finally {
      for (const c of [admin, ours, plain]) c.disconnect();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('onReconnected', () => {
  it('fires once per lost-and-regained connection, never on the first connection', async () => {
    const server = await startRedis();
    const admin = createRedis(parseRedisUrl(server.url), { maxRetriesPerRequest: 1 });
    const redis = createRedis(parseRedisUrl(server.url), {
      maxRetriesPerRequest: null,
      retryStrategy: () => 10,
    });
    let calls = 0;
    const stop = onReconnected(redis, () => (calls += 1));
    const readyAgain = () => new Promise((r) => redis.once('ready', r));
    try {
      await redis.ping();
      expect(calls).toBe(0);
      for (const expected of [1, 2]) {
        const ready = readyAgain();
        await admin.call('CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'yes'); // drops `redis`, not admin
        await ready;
        expect(calls).toBe(expected);
      }
      stop();
      const ready = readyAgain();
      await admin.call('CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'yes');
      await ready;
      expect(calls).toBe(2);
    } finally {
      admin.disconnect();
      redis.disconnect();
      await server.stop();
    }
  });
});
