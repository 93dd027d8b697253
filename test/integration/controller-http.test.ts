// The HTTP endpoints of `swarmkeeper run` (/healthz, /readyz, /metrics) and its graceful shutdown,
// idle and in the middle of an apply (service creates slowed down by a proxy in front of dockerd).
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerProcess, killAll, metricSum, waitFor } from './helpers/controller-process.js';
import { type SlowProxy, startSlowProxy } from './helpers/controller-proxy.js';
import {
  StatusReader,
  cleanupSwarm,
  labVars,
  servicesOf,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';

const id = uniq('skhttp');
const STACK = uniq('h');
const KEY = `SwarmStack/default/${STACK}`;
const SHUTDOWN_TIMEOUT_MS = 10_000;
const src = tempSource('sk-http');
const status = new StatusReader(id);
let ctl: ControllerProcess;
let proxy: SlowProxy | undefined;

/** SIGTERMs the process; resolves with how it exited and how long it took (or 'timeout'). */
async function terminate(c: ControllerProcess, deadlineMs: number) {
  const t0 = Date.now();
  c.signal('SIGTERM');
  const exit = await Promise.race([
    c.exited,
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), deadlineMs).unref()),
  ]);
  return { exit, ms: Date.now() - t0 };
}

describe('swarmkeeper run: HTTP endpoints and SIGTERM', () => {
  beforeAll(async () => {
    mkdirSync(src.path(STACK));
    writeFileSync(
      src.path(STACK, 'docker-compose.yml'),
      `services:
  web:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    deploy:
      endpoint_mode: dnsrr
`,
    );
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: labVars().redisUrl,
      args: ['--shutdown-timeout', `${SHUTDOWN_TIMEOUT_MS / 1000}s`],
      label: 'http',
    });
    await ctl.waitReady();
    await waitFor(`Ready=True on ${KEY}\n${ctl.tail()}`, 60_000, async () =>
      (await status.condition(KEY, 'Ready'))?.status === 'True' ? true : undefined,
    );
  });

  afterAll(async () => {
    await killAll();
    await proxy?.close();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    src.remove();
  });

  it('/healthz answers 200', async () => {
    const r = await ctl.get('/healthz');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true });
  });

  it('/readyz answers 200 with its checks', async () => {
    const r = await ctl.get('/readyz');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({
      ok: true,
      checks: { redis: true, docker: true, sources: true, ownership: true },
    });
  });

  it('/metrics exports the controller metrics', async () => {
    const r = await ctl.get('/metrics');
    expect(r.status).toBe(200);
    for (const name of [
      'swarmkeeper_reconcile_total',
      'swarmkeeper_drift_corrections_total',
      'swarmkeeper_drift_detected',
      'swarmkeeper_docker_api_calls_total',
      'swarmkeeper_queue_depth',
      'swarmkeeper_resource_applied_revision_info',
    ])
      expect(r.body, name).toContain(`# TYPE ${name} `);
    const samples = await ctl.metrics();
    expect(
      metricSum(samples, 'swarmkeeper_reconcile_total', { kind: 'SwarmStack', result: 'success' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricSum(samples, 'swarmkeeper_docker_api_calls_total', { method: 'POST' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricSum(samples, 'swarmkeeper_docker_api_calls_total', { method: 'GET' }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricSum(samples, 'swarmkeeper_drift_detected', { key: KEY })).toBe(0);
    const revision = samples.find(
      (s) => s.name === 'swarmkeeper_resource_applied_revision_info' && s.labels['key'] === KEY,
    );
    expect(revision?.value).toBe(1);
    expect(revision?.labels['revision']).toMatch(/^sha256:[0-9a-f]+$/);
    for (const state of ['waiting', 'active', 'delayed'])
      expect(
        samples.some((s) => s.name === 'swarmkeeper_queue_depth' && s.labels['state'] === state),
        state,
      ).toBe(true);
  });

  it('a second controller that cannot listen (address in use) exits 1 at once, naming the address', async () => {
    const busy = `127.0.0.1:${ctl.port}`;
    const other = await ControllerProcess.start({
      instanceId: uniq('skhttp2'),
      sources: [src.dir],
      redisUrl: labVars().redisUrl,
      args: ['--listen', busy],
      label: 'busy',
    });
    const exit = await Promise.race([
      other.exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000).unref()),
    ]);
    expect(exit, other.tail()).toEqual({ code: 1, signal: null });
    expect(other.raw.join('\n')).toContain(`--listen ${busy}: cannot listen (`);
  });

  it('SIGTERM: exits 0 within the shutdown timeout and logs stopped', async () => {
    const { exit, ms } = await terminate(ctl, SHUTDOWN_TIMEOUT_MS + 5_000);
    console.log(`[controller-http] SIGTERM (idle) -> exit in ${ms} ms`);
    expect(exit, ctl.tail()).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(ctl.find('shutting down: finishing active reconciles', { signal: 'SIGTERM' })).toHaveLength(1);
    expect(ctl.find('stopped')).toHaveLength(1);
    // the leader lease is released on the way out
    expect(await status.redis.exists(`swarmkeeper:${id}:leader:events`)).toBe(0);
  });

  it('SIGTERM in the middle of an apply: exits 0 within the shutdown timeout', async () => {
    const stack = uniq('hs');
    const shutdownMs = 3_000;
    // 6 service creates, forwarded 1 s apart: the apply takes ~6 s, longer than the shutdown timeout
    proxy = await startSlowProxy(
      labVars().dockerHost.slice('unix://'.length),
      /^POST \/services\/create$/,
      1_000,
    );
    mkdirSync(src.path(stack));
    const svc = (i: number) =>
      `  s${i}:\n    image: local/busybox:1\n    command: ["sleep", "100000"]\n    stop_grace_period: 1s\n    deploy:\n      endpoint_mode: dnsrr\n`;
    writeFileSync(
      src.path(stack, 'docker-compose.yml'),
      `services:\n${[0, 1, 2, 3, 4, 5].map(svc).join('')}`,
    );
    const busy = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: labVars().redisUrl,
      logLevel: 'debug',
      args: ['--shutdown-timeout', `${shutdownMs / 1000}s`],
      env: { DOCKER_HOST: `unix://${proxy.socketPath}` },
      label: 'busy',
    });
    await busy.waitForLog('reconcile start', { key: `SwarmStack/default/${stack}` });
    await waitFor('the first service of the apply', 15_000, async () =>
      (await servicesOf(id)).some((s) => s.name.startsWith(`${stack}_`)) ? true : undefined,
    );
    const { exit, ms } = await terminate(busy, shutdownMs + 10_000);
    console.log(
      `[controller-http] SIGTERM (mid-apply) -> exit in ${ms} ms; proxy ${JSON.stringify(proxy.stats())}`,
    );
    expect(exit, busy.tail()).toEqual({ code: 0, signal: null });
    // the deadline for active reconciles, then the apply is aborted (not run to its end) and the
    // process closes its connections
    expect(ms).toBeLessThan(shutdownMs + 3_000);
    expect(busy.find('stopped')).toHaveLength(1);
    // Every create the apply had sent has had its turn at the proxy: those left were dropped,
    // so the stack stays half-applied (the next controller finishes it).
    const p = proxy;
    await waitFor('all 6 service creates to have had their turn', 15_000, () =>
      p.stats().forwarded + p.stats().dropped === 6 ? true : undefined,
    );
    expect(p.stats().dropped).toBeGreaterThanOrEqual(1);
    const created = (await servicesOf(id)).filter((s) => s.name.startsWith(`${stack}_`));
    expect(created.length).toBe(p.stats().forwarded);
  });
});
