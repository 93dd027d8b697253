// Replay protection of POST /hooks/git with a real Redis (the lab's): two "replicas" (two HTTP
// servers of one instance sharing the Redis ledger) accept a signed delivery once; a replay to
// either, with the same delivery id or the same body under a fresh id, gets 409 and fetches
// nothing. A delivery without an id is accepted once per body. While Redis is unreachable,
// deliveries get 503 within about a second and fetch nothing.
import { createHmac, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRouter } from '../../controllers/observability/http-router.js';
import { type SyncTarget, registerTriggerRoutes } from '../../controllers/observability/webhook.js';
import { redisDeliveryLedger } from '../../controllers/observability/webhook-replay.js';
import { freePort } from './helpers/controller-process.js';
import { labVars, uniq } from './helpers/controller-swarm.js';

const SECRET = 'replay-test-secret';
const URL_ = 'https://git.example.com/ops/infra.git';
const prefix = `swarmkeeper:${uniq('skreplay')}:webhook-deliveries`;
let redis: Redis;
let fetches = 0;
const apps: HttpRouter[] = [];

const target: SyncTarget = {
  name: 'infra',
  url: URL_,
  sync: async () => {
    fetches += 1;
  },
};

function replica(client: Redis, ttlSeconds?: number): HttpRouter {
  const app = new HttpRouter();
  registerTriggerRoutes(app, {
    secret: Buffer.from(SECRET),
    targets: () => [target],
    registry: new Registry(),
    deliveries: redisDeliveryLedger(client, prefix, ttlSeconds ? { ttlSeconds } : {}),
  });
  apps.push(app);
  return app;
}

const push = (sha: string) => JSON.stringify({ after: sha, repository: { clone_url: URL_ } });
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

async function deliver(app: HttpRouter, body: string, headers: Record<string, string> = {}) {
  const t0 = Date.now();
  const r = await app.inject({
    method: 'POST',
    url: '/hooks/git',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-hub-signature-256': sign(body),
      ...headers,
    },
    payload: body,
  });
  return { status: r.statusCode, body: r.body, ms: Date.now() - t0 };
}

describe('webhook replay protection (real Redis)', () => {
  beforeAll(async () => {
    redis = new Redis(labVars().redisUrl, { maxRetriesPerRequest: null });
    await redis.ping();
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('a delivery is accepted once across replicas; its replay gets 409 and fetches nothing', async () => {
    const [a, b] = [replica(redis), replica(redis)];
    const body = push('1111111111111111111111111111111111111111');
    const id = randomUUID();
    const first = await deliver(a, body, { 'x-github-delivery': id });
    expect(first.status, first.body).toBe(202);
    await expect.poll(() => fetches).toBe(1);
    for (const [app, headers] of [
      [a, { 'x-github-delivery': id }],
      [b, { 'x-github-delivery': id }], // the other replica
      [b, { 'x-github-delivery': randomUUID() }], // same signed body, a fresh (unsigned) id
      [a, {}], // same body, no id
    ] as const) {
      const r = await deliver(app, body, headers);
      expect(r.status, r.body).toBe(409);
      expect(JSON.parse(r.body).error).toContain('already accepted');
    }
    expect(fetches).toBe(1);
    // the ids and the body are in Redis with a TTL
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBe(2);
    for (const k of keys) expect(await redis.ttl(k)).toBeGreaterThan(86_000);
  });

  it('another push (another body) with another id is accepted', async () => {
    const before = fetches;
    const r = await deliver(replica(redis), push('2222222222222222222222222222222222222222'), {
      'x-gitea-delivery': randomUUID(),
    });
    expect(r.status, r.body).toBe(202);
    await expect.poll(() => fetches).toBe(before + 1);
  });

  it('the same id with another body is a replay too (GitLab Idempotency-Key)', async () => {
    const app = replica(redis);
    const key = randomUUID();
    const ok = await deliver(app, push('3333333333333333333333333333333333333333'), {
      'idempotency-key': key,
    });
    expect(ok.status).toBe(202);
    const again = await deliver(app, push('4444444444444444444444444444444444444444'), {
      'idempotency-key': key,
    });
    expect(again.status).toBe(409);
  });

  it('a delivery without an id is accepted once per body', async () => {
    const app = replica(redis);
    const body = push('5555555555555555555555555555555555555555');
    expect((await deliver(app, body)).status).toBe(202);
    expect((await deliver(app, body)).status).toBe(409);
  });

  it('after the TTL the ledger forgets (the TTL bounds what Redis keeps)', async () => {
    const app = replica(redis, 1);
    const body = push('6666666666666666666666666666666666666666');
    expect((await deliver(app, body)).status).toBe(202);
    expect((await deliver(app, body)).status).toBe(409);
    await expect
      .poll(async () => (await deliver(app, body)).status, { timeout: 5000, interval: 300 })
      .toBe(202);
  });

  it('Redis unreachable: 503 within about a second, nothing fetched', async () => {
    const port = await freePort(); // nothing listens there
    const down = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null, lazyConnect: false });
    down.on('error', () => undefined);
    try {
      const before = fetches;
      const r = await deliver(replica(down), push('7777777777777777777777777777777777777777'), {
        'x-github-delivery': randomUUID(),
      });
      expect(r.status, r.body).toBe(503);
      expect(r.ms).toBeLessThan(1500);
      expect(fetches).toBe(before);
    } finally {
      down.disconnect();
    }
  });
});
