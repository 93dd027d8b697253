// /readyz's checks answer within their bound whatever is down: a Redis client that is reconnecting
// is not asked at all, a Redis or Docker that never answers counts as failed at the timeout, and a
// check that is still pending is shared by the next probes instead of piling up requests.
import type Docker from 'dockerode';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  boundedCheck,
  dockerCheck,
  readiness,
  redisCheck,
  within,
} from '../../../controllers/observability/readiness.js';

const never = <T>() => new Promise<T>(() => undefined);

function fakeRedis(status: string, ping: () => Promise<string>): Redis & { pings: number } {
  const r = {
    status,
    pings: 0,
    ping: () => {
      r.pings += 1;
      return ping();
    },
  };
  return r as unknown as Redis & { pings: number };
}

function fakeDocker(ping: (signal?: AbortSignal) => Promise<unknown>): Docker {
  return { ping: (o?: { abortSignal?: AbortSignal }) => ping(o?.abortSignal) } as unknown as Docker;
}

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await p;
  return { value, ms: Date.now() - t0 };
}

describe('within', () => {
  it.each<[string, () => Promise<string>, string]>([
    ['settles in time', async () => 'v', 'v'],
    ['rejects', async () => Promise.reject(new Error('x')), 'fallback'],
    ['never settles', never<string>, 'fallback'],
  ])('%s', async (_name, p, expected) => {
    expect(await within(p(), 50, 'fallback')).toBe(expected);
  });
});

describe('redisCheck', () => {
  it.each<[string, string, () => Promise<string>, boolean, number]>([
    ['connected, PONG', 'ready', async () => 'PONG', true, 1],
    ['reconnecting: not asked (a queued command would wait)', 'reconnecting', never, false, 0],
    ['connecting', 'connect', never, false, 0],
    ['ready but never answers: false at the timeout', 'ready', never, false, 1],
    ['ready but fails', 'ready', async () => Promise.reject(new Error('ECONNRESET')), false, 1],
  ])('%s', async (_name, status, ping, ok, pings) => {
    const redis = fakeRedis(status, ping);
    const { value, ms } = await timed(redisCheck(redis, 100)());
    expect(value).toBe(ok);
    expect(ms).toBeLessThan(1000);
    expect(redis.pings).toBe(pings);
  });

  it('a pending ping is shared by later probes (no pile-up on a dead connection)', async () => {
    const redis = fakeRedis('ready', never);
    const check = redisCheck(redis, 30);
    for (let i = 0; i < 5; i++) expect(await check()).toBe(false);
    expect(redis.pings).toBe(1);
  });
});

describe('dockerCheck', () => {
  it('a Docker API that never answers: false within the timeout, and the request is aborted', async () => {
    let aborted = false;
    const docker = fakeDocker(
      (signal) =>
        new Promise((_resolve, reject) =>
          signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          }),
        ),
    );
    const { value, ms } = await timed(dockerCheck(docker, 100)());
    expect(value).toBe(false);
    expect(ms).toBeLessThan(1000);
    await expect.poll(() => aborted, { timeout: 2000 }).toBe(true);
  });

  it('answers: true', async () => {
    expect(
      await dockerCheck(
        fakeDocker(async () => 'OK'),
        100,
      )(),
    ).toBe(true);
  });
});

describe('boundedCheck', () => {
  it('starts a new attempt once the previous one settled', async () => {
    let runs = 0;
    const check = boundedCheck(async () => {
      runs += 1;
      return runs > 1;
    }, 100);
    expect(await check()).toBe(false);
    expect(await check()).toBe(true);
    expect(runs).toBe(2);
  });
});

describe('readiness', () => {
  const up = () => fakeRedis('ready', async () => 'PONG');
  const dockerUp = fakeDocker(async () => 'OK');

  it.each<{
    name: string;
    redis: () => Redis;
    docker: Docker;
    conflicts: { key: string; object: string }[] | 'hangs';
    flags?: Record<string, boolean>;
    ok: boolean;
    checks: Record<string, boolean>;
  }>([
    {
      name: 'all well',
      redis: up,
      docker: dockerUp,
      conflicts: [],
      flags: { sources: true },
      ok: true,
      checks: { redis: true, docker: true, sources: true, ownership: true },
    },
    {
      name: 'Redis reconnecting',
      redis: () => fakeRedis('reconnecting', never),
      docker: dockerUp,
      conflicts: [],
      ok: false,
      checks: { redis: false, docker: true, ownership: false },
    },
    {
      name: 'Docker blackholed',
      redis: up,
      docker: fakeDocker(never),
      conflicts: [],
      ok: false,
      checks: { redis: true, docker: false, ownership: true },
    },
    {
      name: 'an ownership conflict',
      redis: up,
      docker: dockerUp,
      conflicts: [{ key: 'SwarmStack/default/web', object: 'service web_app' }],
      ok: false,
      checks: { redis: true, docker: true, ownership: false },
    },
    {
      name: 'conflicts unreadable in time',
      redis: up,
      docker: dockerUp,
      conflicts: 'hangs',
      ok: false,
      checks: { redis: true, docker: true, ownership: false },
    },
    {
      name: 'sources not loaded',
      redis: up,
      docker: dockerUp,
      conflicts: [],
      flags: { sources: false },
      ok: false,
      checks: { redis: true, docker: true, sources: false, ownership: true },
    },
  ])('$name', async ({ redis, docker, conflicts, flags, ok, checks }) => {
    const ready = readiness({
      redis: redis(),
      docker,
      timeoutMs: 100,
      ...(flags ? { flags: () => flags } : {}),
      conflicts: () => (conflicts === 'hangs' ? never() : Promise.resolve(conflicts)),
    });
    const { value, ms } = await timed(ready());
    expect(ms).toBeLessThan(1000);
    expect(value.ok).toBe(ok);
    expect(value.checks).toEqual(checks);
    if (Array.isArray(conflicts) && conflicts.length > 0) expect(value.ownershipConflicts).toEqual(conflicts);
    else expect(value.ownershipConflicts).toBeUndefined();
  });
});
