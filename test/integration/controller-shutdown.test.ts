// `swarmkeeper run` when Redis and the Docker API become unreachable: /readyz answers 503 within a
// second, and SIGTERM ends the process within --shutdown-timeout plus a few seconds, both when they
// refuse (Redis killed, the Docker socket gone) and when they blackhole (connections stay open and
// silent). The controller reaches a Redis of its own (killed by pid) and the lab's dockerd through
// proxies this file starts and stops.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ControllerProcess, freePort, killAll, waitFor } from './helpers/controller-process.js';
import { cleanupSwarm, labVars, tempSource, uniq } from './helpers/controller-swarm.js';
import { type FreezeProxy, startFreezeProxy } from './helpers/freeze-proxy.js';

const SHUTDOWN_TIMEOUT_S = 3;
/** The process must be gone by then (the shutdown grace is 5 s; 2 s of slack for a loaded machine). */
const EXIT_DEADLINE_MS = (SHUTDOWN_TIMEOUT_S + 5 + 2) * 1000;
const id = uniq('skshut');
const src = tempSource('sk-shutdown');
const redisServers = new Set<ChildProcess>();
const proxies = new Set<FreezeProxy>();

async function startRedis(): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  redisServers.add(child);
  child.once('exit', () => redisServers.delete(child));
  await waitFor(`redis-server on ${port}`, 10_000, async () => {
    const { Redis } = await import('ioredis');
    const r = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG' ? true : undefined;
    } catch {
      return undefined;
    } finally {
      r.disconnect();
    }
  });
  return { child, port };
}

async function killRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  process.kill(child.pid!, 'SIGKILL');
  await gone;
}

async function proxy(...a: Parameters<typeof startFreezeProxy>): Promise<FreezeProxy> {
  const p = await startFreezeProxy(...a);
  proxies.add(p);
  return p;
}

async function readyzWhileDown(ctl: ControllerProcess): Promise<number> {
  // the first probes after the cut may still see a half-open connection: poll for the 503, then
  // time single probes
  await waitFor(`/readyz 503\n${ctl.tail()}`, 20_000, async () =>
    (await ctl.get('/readyz')).status === 503 ? true : undefined,
  );
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const r = await ctl.get('/readyz');
    worst = Math.max(worst, Date.now() - t0);
    expect(r.status).toBe(503);
  }
  return worst;
}

async function sigtermExit(ctl: ControllerProcess): Promise<{ ms: number; code: number | null }> {
  const t0 = Date.now();
  ctl.signal('SIGTERM');
  const exit = await Promise.race([
    ctl.exited,
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), EXIT_DEADLINE_MS + 20_000).unref()),
  ]);
  const ms = Date.now() - t0;
  if (process.env['SK_SHUTDOWN_DEBUG']) console.log(ctl.tail(60));
  expect(exit, `still running ${ms} ms after SIGTERM\n${ctl.tail()}`).not.toBe('timeout');
  // the controller's own handler ended it (not the default action of an unhandled SIGTERM)
  expect(exit === 'timeout' ? undefined : exit.signal, ctl.tail()).toBeNull();
  return { ms, code: exit === 'timeout' ? null : exit.code };
}

async function startController(redisPort: number, dockerSocket: string, label: string) {
  const ctl = await ControllerProcess.start({
    instanceId: id,
    sources: [src.dir],
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    args: ['--shutdown-timeout', `${SHUTDOWN_TIMEOUT_S}s`],
    env: { DOCKER_HOST: `unix://${dockerSocket}` },
    label,
  });
  await ctl.waitReady(60_000);
  await ctl.waitForLog('controller running');
  return ctl;
}

describe('swarmkeeper run with Redis and the Docker API unreachable', () => {
  const stack = uniq('sd');
  mkdirSync(src.path(stack));
  writeFileSync(
    src.path(stack, 'docker-compose.yml'),
    'services:\n  idle:\n    image: local/busybox:1\n    command: ["sleep", "100000"]\n    deploy:\n      replicas: 0\n      endpoint_mode: dnsrr\n',
  );

  afterEach(async () => {
    await killAll();
    for (const p of proxies) await p.close();
    proxies.clear();
    for (const c of redisServers) await killRedis(c);
  });

  afterAll(async () => {
    await cleanupSwarm(id);
    src.remove();
  });

  it('refused (Redis killed, the Docker socket gone): /readyz 503 within 1 s; SIGTERM exits in time', async () => {
    const dockerSocket = labVars().dockerHost.slice('unix://'.length);
    const redis = await startRedis();
    const docker = await proxy({ path: dockerSocket }, 'unix');
    const ctl = await startController(redis.port, docker.address, 'refused');
    await killRedis(redis.child);
    await docker.close();
    const worst = await readyzWhileDown(ctl);
    const { ms, code } = await sigtermExit(ctl);
    console.log(
      `[controller-shutdown] refused: /readyz worst ${worst} ms; SIGTERM -> exit ${code} in ${ms} ms`,
    );
    expect(worst).toBeLessThan(1000);
    expect(ms, ctl.tail()).toBeLessThan(EXIT_DEADLINE_MS);
  });

  it('blackholed (connections open and silent): /readyz 503 within 1 s; SIGTERM exits in time', async () => {
    const dockerSocket = labVars().dockerHost.slice('unix://'.length);
    const redis = await startRedis();
    const redisProxy = await proxy({ port: redis.port, host: '127.0.0.1' }, 'tcp');
    const docker = await proxy({ path: dockerSocket }, 'unix');
    const ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: `redis://${redisProxy.address}`,
      args: ['--shutdown-timeout', `${SHUTDOWN_TIMEOUT_S}s`],
      env: { DOCKER_HOST: `unix://${docker.address}` },
      label: 'blackholed',
    });
    await ctl.waitReady(60_000);
    await ctl.waitForLog('controller running');
    redisProxy.freeze();
    docker.freeze();
    const worst = await readyzWhileDown(ctl);
    const { ms, code } = await sigtermExit(ctl);
    console.log(
      `[controller-shutdown] blackholed: /readyz worst ${worst} ms; SIGTERM -> exit ${code} in ${ms} ms`,
    );
    expect(worst).toBeLessThan(1000);
    expect(ms, ctl.tail()).toBeLessThan(EXIT_DEADLINE_MS);
  });
});
