import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RedisLease } from '../../controllers/runtime/leader-lease.js';

// Real Redis (the lab's): leader election for the Docker events watcher.
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const key = `sktest:lease:${process.pid}:${Date.now()}`;
const clients: Redis[] = [];
function client(): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  clients.push(r);
  return r;
}

afterAll(async () => {
  const r = client();
  await r.del(key);
  for (const c of clients) c.disconnect();
});

describe('RedisLease', () => {
  it('elects exactly one leader, and another takes over within the TTL when it dies', async () => {
    const events: string[] = [];
    const a = new RedisLease(client(), {
      key,
      holder: 'a',
      ttlMs: 1000,
      renewEveryMs: 200,
      onAcquired: () => events.push('a+'),
      onLost: () => events.push('a-'),
    });
    const bRedis = client();
    const b = new RedisLease(bRedis, {
      key,
      holder: 'b',
      ttlMs: 1000,
      renewEveryMs: 200,
      onAcquired: () => events.push('b+'),
      onLost: () => events.push('b-'),
    });
    a.start();
    b.start();
    await vi.waitFor(() => expect(a.isLeader || b.isLeader).toBe(true), { timeout: 3000, interval: 20 });
    expect(a.isLeader && b.isLeader).toBe(false);
    const [leader, follower, leaderRedis] = a.isLeader ? [a, b, clients[0]!] : [b, a, bRedis];
    // The leader's process dies: its connection drops, so it cannot renew or release.
    const diedAt = Date.now();
    leaderRedis.disconnect();
    await vi.waitFor(() => expect(follower.isLeader).toBe(true), { timeout: 3000, interval: 20 });
    const takeoverMs = Date.now() - diedAt;
    expect(takeoverMs).toBeLessThan(1000 + 400);
    await vi.waitFor(() => expect(leader.isLeader).toBe(false), { timeout: 2000, interval: 20 });
    await a.stop();
    await b.stop();
  });

  it('releases on stop so a successor does not wait for the TTL', async () => {
    const k2 = `${key}:release`;
    const a = new RedisLease(client(), { key: k2, holder: 'a', ttlMs: 60_000, renewEveryMs: 100 });
    a.start();
    await vi.waitFor(() => expect(a.isLeader).toBe(true), { timeout: 3000, interval: 20 });
    await a.stop();
    const b = new RedisLease(client(), { key: k2, holder: 'b', ttlMs: 60_000, renewEveryMs: 100 });
    b.start();
    await vi.waitFor(() => expect(b.isLeader).toBe(true), { timeout: 3000, interval: 20 });
    await b.stop();
  });
});
