/**
 * A no-op resync at scale: RESYNC_STACKS compose files of RESYNC_SERVICES services each (replicas 0)
 * are generated in a temp dir and applied with `swarmkeeper apply -f DIR --concurrency 16`. Then
 * `swarmkeeper run` (a real child process) talks to Docker through the counting proxy
 * (test/support/counting-proxy.ts):
 *  1. run #1 (--resync 10m): its startup pass reconciles every stack with no stored status (cold);
 *     the bench times it and learns how long one pass takes, then stops the child.
 *  2. run #2 (--resync chosen so that its startup pass ends well before the first periodic
 *     resync): after the startup pass the bench waits for the periodic resync and measures it:
 *     wall time (first Docker request of the pass -> last stack reconciled), Docker API calls by
 *     method and route during it, and the child's VmRSS right after it.
 *
 *   npx tsx bench/resync.ts      (RESYNC_STACKS=200 RESYNC_SERVICES=5 RESYNC_CONCURRENCY=4;
 *                                 RESYNC_BIN=<a built checkout>/bin/swarmkeeper.js runs that build's controller)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCountingProxy, type CountingProxy } from '../test/support/counting-proxy.js';
import {
  benchEnv,
  dockerFor,
  figure,
  info,
  ms,
  passesLogged,
  pollUntil,
  printHeader,
  cleanUpInstance,
  runId,
  tempDir,
} from './lib/common.js';
import { ControllerChild, sumMetric } from './lib/controller-child.js';

const STACKS = Number(process.env['RESYNC_STACKS'] ?? 200);
const SERVICES = Number(process.env['RESYNC_SERVICES'] ?? 5);
const CONCURRENCY = Number(process.env['RESYNC_CONCURRENCY'] ?? 4);

function stackFile(name: string): string {
  const lines = [`name: ${name}`, 'services:'];
  for (let s = 1; s <= SERVICES; s++)
    lines.push(
      `  svc${s}:`,
      '    image: local/busybox:1',
      '    command: ["sleep", "1000000"]',
      `    environment: { STACK: ${name}, SERVICE: "${s}" }`,
      '    deploy: { replicas: 0, endpoint_mode: dnsrr }',
    );
  return `${lines.join('\n')}\n`;
}

/** Waits until `child` reconciled `target` keys successfully and its queue is empty. */
async function waitPass(child: ControllerChild, target: number, timeoutMs: number): Promise<void> {
  await pollUntil(
    `${target} successful reconciles`,
    async () => {
      const m = await child.metrics();
      const queued = sumMetric(m, 'swarmkeeper_queue_depth');
      return sumMetric(m, 'swarmkeeper_reconcile_total', 'result="success"') >= target && queued === 0
        ? true
        : undefined;
    },
    { timeoutMs, everyMs: Number(process.env['BENCH_SCRAPE_MS'] ?? 20) },
  );
}

function printCounts(proxy: CountingProxy, stacks: number): void {
  const counts = Object.entries(proxy.counts()).sort(([a], [b]) => a.localeCompare(b));
  for (const [route, n] of counts) info(`  ${route}: ${n} (${(n / stacks).toFixed(2)} per stack)`);
}

function methodSummary(proxy: CountingProxy): string {
  const byMethod = new Map<string, number>();
  for (const [route, n] of Object.entries(proxy.counts())) {
    const m = route.split(' ')[0]!;
    byMethod.set(m, (byMethod.get(m) ?? 0) + n);
  }
  return [...byMethod].map(([m, n]) => `${m} ${n}`).join(', ');
}

async function main(): Promise<void> {
  const env = benchEnv();
  const docker = dockerFor(env.socketPath);
  await printHeader(
    `no-op resync of ${STACKS} stacks / ${STACKS * SERVICES} services (bench/resync.ts)`,
    docker,
  );
  const id = runId('skbr');
  const dir = tempDir('skbench-resync');
  const src = join(dir.path, 'stacks');
  mkdirSync(src);
  for (let i = 0; i < STACKS; i++) {
    const name = `${id}s${String(i).padStart(3, '0')}`;
    writeFileSync(join(src, `${name}.yml`), stackFile(name));
  }
  let proxy: CountingProxy | undefined;
  let child: ControllerChild | undefined;
  let ok = false;
  try {
    const applyArgs = ['bin/swarmkeeper.js', '--instance-id', id, 'apply', '-f', src, '--concurrency', '16'];
    info(`apply: node ${applyArgs.join(' ')}`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, applyArgs, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    if (r.status !== 0) throw new Error(`apply failed (${r.status}): ${r.stderr.slice(-2000)}`);
    info(`apply of ${STACKS} stacks took ${ms(performance.now() - t0)}`);

    proxy = await startCountingProxy(env.socketPath);
    const common = {
      instanceId: id,
      sourceDir: src,
      redisUrl: env.redisUrl,
      dockerHost: `unix://${proxy.socketPath}`,
      concurrency: CONCURRENCY,
      logLevel: process.env['BENCH_LOG_LEVEL'] ?? 'info',
      // RESYNC_RUN_ARGS: more `run` options, e.g. "--no-idle-gc"
      args: (process.env['RESYNC_RUN_ARGS'] ?? '').split(' ').filter(Boolean),
      // RESYNC_BIN: the controller of another build (its bin/swarmkeeper.js), for a pair with this one
      ...(process.env['RESYNC_BIN'] ? { bin: process.env['RESYNC_BIN'] } : {}),
    };
    // Run #1: cold startup pass.
    proxy.reset();
    const s1 = performance.now();
    child = await ControllerChild.start({ ...common, logFile: join(dir.path, 'run1.log') });
    info(`controller: ${child.command}`);
    await waitPass(child, STACKS, 600_000);
    const pass1 = performance.now() - s1;
    const cpu1 = child.cpuMs();
    info(
      `run #1 startup pass (from spawn, no stored status): ${ms(pass1)}, CPU ${ms(cpu1)}, RSS ${child.rssMiB().toFixed(0)} MiB (peak ${child.peakRssMiB().toFixed(0)} MiB)`,
    );
    info(`  Docker API calls: ${proxy.total()} (${methodSummary(proxy)})`);
    await child.stop();
    child = undefined;

    // Run #2: the periodic resync, once the startup pass is long over.
    const resyncS = Math.max(10, Math.ceil((pass1 * 1.5) / 1000) + 5);
    proxy.reset();
    child = await ControllerChild.start({
      ...common,
      resync: `${resyncS}s`,
      logFile: join(dir.path, 'run2.log'),
    });
    info(`controller: ${child.command}`);
    await waitPass(child, STACKS, 600_000);
    const before = await child.metrics();
    const base = sumMetric(before, 'swarmkeeper_reconcile_total', 'result="success"');
    const apiBefore = new Map(
      [...before].filter(([k]) => k.startsWith('swarmkeeper_docker_api_calls_total')),
    );
    proxy.reset();
    let cpuStart = 0;
    const start = await pollUntil(
      'the periodic resync to begin',
      () => (proxy!.total() > 0 ? ((cpuStart = child!.cpuMs()), performance.now()) : undefined),
      {
        timeoutMs: resyncS * 1000 + 30_000,
        everyMs: 1,
      },
    );
    // Time of the last Docker request of the pass (the proxy's total, sampled every ms).
    let lastCall = start;
    let seen = proxy.total();
    const sampler = setInterval(() => {
      const n = proxy!.total();
      if (n !== seen) [seen, lastCall] = [n, performance.now()];
    }, 1);
    // The end of the pass from the controller's log, not from /metrics: scraping every few ms would
    // cost the controller CPU during the pass it measures (each scrape formats every series).
    const log2 = join(dir.path, 'run2.log');
    const passesBefore = passesLogged(log2).length;
    await pollUntil(
      'the resync pass to finish',
      () => (passesLogged(log2).length > passesBefore ? true : undefined),
      {
        timeoutMs: 600_000,
        everyMs: 2,
      },
    );
    const wall = performance.now() - start;
    const cpu = child.cpuMs() - cpuStart;
    clearInterval(sampler);
    await waitPass(child, base + STACKS, 600_000); // and every key's reconcile counted
    info(
      `first -> last Docker request of the resync: ${ms(lastCall - start)}; first request -> last success seen: ${ms(wall)}`,
    );
    const rss = child.rssMiB();
    if (process.env['RESYNC_PROBE']) child.proc.kill('SIGUSR2');
    const after = await child.metrics();
    info(
      `resync interval ${resyncS}s; concurrency ${CONCURRENCY}; Docker API calls during the resync (counting proxy):`,
    );
    printCounts(proxy, STACKS);
    const byMethod = [...after]
      .filter(([k]) => k.startsWith('swarmkeeper_docker_api_calls_total'))
      .map(([k, v]) => `${/method="([^"]+)"/.exec(k)?.[1]} ${v - (apiBefore.get(k) ?? 0)}`);
    info(`swarmkeeper_docker_api_calls_total delta by method: ${byMethod.join(', ')}`);
    figure(
      `resync ${STACKS} stacks / ${STACKS * SERVICES} services: wall ${ms(wall)}, ${proxy.total()} Docker API calls (${methodSummary(proxy)}), ${proxy.writes()} writes`,
    );
    figure(
      `controller CPU during the resync ${ms(cpu)} (user + system, 10 ms ticks; the bench reads the pass's end from the log, not /metrics)`,
    );
    // The controller's own measure of its pass (start to last key done), when it logs one.
    const pass = passesLogged(log2).at(-1);
    if (pass)
      figure(
        `resync pass as the controller times it: ${pass.ms} ms (${pass.inProcess} keys in process, ${pass.queued} queued)`,
      );
    figure(
      `controller RSS ${rss.toFixed(0)} MB after the resync (${STACKS * SERVICES} services; peak of run #2 ${child.peakRssMiB().toFixed(0)} MB)`,
    );
    // The idle GC (controllers/runtime/idle-gc.ts) looks every 5 s: its GC runs within ~10 s of the
    // pass's end. RESYNC_IDLE_MS: how long to watch the RSS after the pass (0: not at all).
    const idleMs = Number(process.env['RESYNC_IDLE_MS'] ?? 15_000);
    if (idleMs > 0) {
      const idleStart = performance.now();
      await pollUntil(
        'the idle window to end',
        () => (performance.now() - idleStart >= idleMs ? true : undefined),
        { timeoutMs: idleMs + 5000, everyMs: 500 },
      );
      if (process.env['RESYNC_PROBE']) child.proc.kill('SIGUSR2');
      figure(
        `controller RSS ${child.rssMiB().toFixed(0)} MB ${ms(idleMs)} after the resync (after the idle GC)`,
      );
    }
    figure(`resync startup pass (cold, run #1) ${ms(pass1)} from spawn, controller CPU ${ms(cpu1)}`);
    ok = true;
  } finally {
    if (child) info(`controller stopped (exit ${String(await child.stop())})`);
    await proxy?.close();
    await cleanUpInstance(docker, id, env.redisUrl);
    if (ok && !process.env['BENCH_KEEP']) dir.remove();
    else info(`kept ${dir.path} (controller logs run1.log, run2.log)`);
  }
}

await main();
