// A controller Redis client survives a Sentinel failover whatever it is doing when the sentinels
// announce it. Real processes: a primary, a replica and three sentinels (test/support/redis-sentinel).
// Each sentinel sits behind a proxy that holds its replies 400 ms, so after the primary is SIGKILLed
// the client spends its reconnect attempts asking the sentinels for the master, and the failover is
// announced (+switch-master) while it asks. With ioredis's failoverDetector on, that announcement
// disconnected the connector mid-question and the client ended for good ("Connection is closed."
// on every later command; BullMQ's worker connection too, so the controller stopped reconciling).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedis } from '../../../controllers/redis/redis-client.js';
import { parseRedisUrl } from '../../../controllers/redis/redis-url.js';
import { pollUntil } from '../../integration/helpers/poll.js';
import { type SentinelSet, startSentinelSet } from '../../support/redis-sentinel.js';
import { type SlowTcpProxy, startSlowTcpProxy } from '../../support/slow-tcp-proxy.js';

let set: SentinelSet;
let proxies: SlowTcpProxy[] = [];

beforeAll(async () => {
  set = await startSentinelSet({ downAfterMs: 1000, failoverTimeoutMs: 3000 });
  proxies = await Promise.all(set.sentinels.map((s) => startSlowTcpProxy(s.port, 400)));
}, 60_000);

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await set?.stop();
});

it('a failover announced while the client asks the sentinels for the master: the client carries on', async () => {
  const hosts = proxies.map((p) => `127.0.0.1:${p.port}`).join(',');
  const url = `redis+sentinel://:${encodeURIComponent(set.password)}@${hosts}/${set.master}`;
  const redis = createRedis(parseRedisUrl(url), { maxRetriesPerRequest: null });
  const events: string[] = [];
  redis.on('error', () => undefined);
  for (const e of ['ready', 'end'] as const) redis.on(e, () => events.push(e));
  try {
    expect(await redis.set('k', 'before the failover')).toBe('OK');
    await set.primary.kill9();
    await pollUntil('the sentinels promote the replica', 30_000, async () =>
      (await set.masterPort()) === set.replica.port ? true : undefined,
    );
    // The write replicated before the kill is read back from the promoted replica.
    const value = await pollUntil(`the client on the new master (events: ${events.join(' ')})`, 20_000, () =>
      redis.get('k'),
    );
    expect(value).toBe('before the failover');
    expect(redis.status).toBe('ready');
    expect(events).not.toContain('end');
    expect(await redis.set('k', 'after')).toBe('OK');
  } finally {
    redis.disconnect();
  }
}, 90_000);
