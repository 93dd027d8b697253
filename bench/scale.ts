/**
 * Scale: SCALE_STACKS compose stacks of SCALE_SERVICES services (replicas 0, dnsrr, a constraint no
 * node satisfies: no task ever runs), created and then kept by `swarmkeeper run` (a real child,
 * through the counting proxy, test/support/counting-proxy.ts). Each figure is printed next to its
 * reference: Docker's own time for the same kind of work.
 *  0. reference: SCALE_REF_CREATES services created straight through the Engine API.
 *  1. run #1 from an empty Swarm: its start-up pass creates everything (time, rate, writes, RSS).
 *     Then Docker's own list calls at that scale (what a pass reads).
 *  2. run #2, restarted: its start-up pass over the existing objects (no-op: Docker calls, writes),
 *     then drift: SCALE_DRIFT_N out-of-band `--replicas` changes on random services, each timed
 *     until the controller put it back (and Docker's own time for that update).
 *  3. run #3: SCALE_PASSES periodic no-op resyncs (the controller's timing, the bench's, CPU,
 *     Docker calls and writes), RSS after them and peak (VmHWM), Redis used_memory.
 * Everything is removed at the end (services, networks, Redis keys of the run's instance id).
 *
 *   npx tsx bench/scale.ts   (SCALE_STACKS=2000 SCALE_SERVICES=5 SCALE_CONCURRENCY=4 SCALE_PASSES=3
 *                             SCALE_DRIFT_N=20 SCALE_REF_CREATES=200 SCALE_TIMEOUT_MIN=60)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerRequest } from '../controllers/docker/request.js';
import { startCountingProxy, type CountingProxy } from '../test/support/counting-proxy.js';
import {
  LABEL_INSTANCE,
  benchEnv,
  dockerFor,
  figure,
  info,
  loadAverage,
  ms,
  pollUntil,
  printHeader,
  cleanUpInstance,
  removeOwned,
  runId,
  passesLogged,
  tempDir,
} from './lib/common.js';
import { ControllerChild, sumMetric } from './lib/controller-child.js';
import {
  type DriftSample,
  directCreates,
  driftOnce,
  memOf,
  mib,
  redisUsedMemory,
  stackFile,
  stats,
  timeCalls,
} from './lib/scale-support.js';

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const STACKS = num('SCALE_STACKS', 2000);
const SERVICES = num('SCALE_SERVICES', 5);
const CONCURRENCY = num('SCALE_CONCURRENCY', 4);
const PASSES = num('SCALE_PASSES', 3);
const DRIFT_N = num('SCALE_DRIFT_N', 20);
const REF_CREATES = num('SCALE_REF_CREATES', 200);
const TIMEOUT_MS = num('SCALE_TIMEOUT_MIN', 60) * 60_000;
const SCRAPE_MS = num('SCALE_SCRAPE_MS', 500);
const TOTAL = STACKS * SERVICES;
const scale = `${STACKS} stacks / ${TOTAL} services`;

function byMethod(proxy: CountingProxy): string {
  const m = new Map<string, number>();
  for (const [route, n] of Object.entries(proxy.counts()))
    m.set(route.split(' ')[0]!, (m.get(route.split(' ')[0]!) ?? 0) + n);
  return [...m].map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
}

function routes(proxy: CountingProxy): string {
  return Object.entries(proxy.counts())
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([r, n]) => `${r} ${n}`)
    .join('; ');
}

/** Until `child` reconciled `target` keys successfully and its queue is empty; progress every 30 s. */
async function waitIdle(child: ControllerChild, target: number, proxy: CountingProxy): Promise<void> {
  let nextNote = Date.now() + 30_000;
  await pollUntil(
    `${target} successful reconciles and an empty queue`,
    async () => {
      const m = await child.metrics().catch(() => undefined);
      if (!m) return undefined;
      const ok = sumMetric(m, 'swarmkeeper_reconcile_total', 'result="success"');
      if (Date.now() > nextNote) {
        nextNote += 30_000;
        const errors = sumMetric(m, 'swarmkeeper_reconcile_total', 'result="error"');
        const created = proxy.counts()['POST /services/create'] ?? 0;
        const { rss } = memOf(child.pid);
        info(
          `  ... ${ok} reconciled (${errors} errors), ${created} services created, depth ${sumMetric(m, 'swarmkeeper_queue_depth')}, RSS ${rss.toFixed(0)} MiB, load ${loadAverage()}`,
        );
      }
      return ok >= target && sumMetric(m, 'swarmkeeper_queue_depth') === 0 ? true : undefined;
    },
    { timeoutMs: TIMEOUT_MS, everyMs: SCRAPE_MS },
  );
}

function median(xs: number[]): number {
  return stats(xs).p50;
}

async function main(): Promise<void> {
  const env = benchEnv();
  const docker = dockerFor(env.socketPath);
  await printHeader(`scale: ${scale} at replicas 0 (bench/scale.ts)`, docker);
  const id = runId('sksc');
  const dir = tempDir('skbench-scale');
  const src = join(dir.path, 'stacks');
  mkdirSync(src);
  const stackName = (i: number) => `${id}s${String(i).padStart(4, '0')}`;
  for (let i = 0; i < STACKS; i++)
    writeFileSync(join(src, `${stackName(i)}.yml`), stackFile(stackName(i), SERVICES));
  let proxy: CountingProxy | undefined;
  let child: ControllerChild | undefined;
  let ok = false;
  const redis0 = await redisUsedMemory(env.redisUrl);
  try {
    // 0. Docker's own creation rate, for reference (removed at once).
    const refId = `${id}r`;
    const refMs = await directCreates(docker, refId, REF_CREATES, 16);
    const r0 = performance.now();
    await removeOwned(docker, refId);
    figure(
      `reference: Docker creates ${REF_CREATES} such services (POST /services/create, 16 at a time, no network) in ${ms(refMs)}: ${((REF_CREATES * 1000) / refMs).toFixed(1)} services/s (removed in ${ms(performance.now() - r0)})`,
    );

    proxy = await startCountingProxy(env.socketPath);
    const common = {
      instanceId: id,
      sourceDir: src,
      redisUrl: env.redisUrl,
      dockerHost: `unix://${proxy.socketPath}`,
      concurrency: CONCURRENCY,
      logLevel: process.env['BENCH_LOG_LEVEL'] ?? 'info',
    };

    // 1. From an empty Swarm: the first start-up pass creates everything.
    const s1 = performance.now();
    child = await ControllerChild.start({ ...common, resync: '60m', logFile: join(dir.path, 'run1.log') });
    info(`controller: ${child.command} (pid ${child.pid})`);
    await waitIdle(child, STACKS, proxy);
    const create = performance.now() - s1;
    const m1 = await child.metrics();
    const mem1 = memOf(child.pid);
    const errors1 = sumMetric(m1, 'swarmkeeper_reconcile_total', 'result="error"');
    info(`run #1 Docker API calls: ${routes(proxy)}`);
    figure(
      `first start-up pass from an empty Swarm (from spawn): ${ms(create)} for ${scale}, ${((TOTAL * 1000) / create).toFixed(1)} services/s (Docker alone: ${((REF_CREATES * 1000) / refMs).toFixed(1)}/s), ${proxy.total()} Docker API calls (${byMethod(proxy)}), ${proxy.writes()} writes, ${errors1} failed reconciles`,
    );
    figure(
      `controller RSS after creating ${TOTAL} services ${mem1.rss.toFixed(0)} MiB (peak ${mem1.peak.toFixed(0)} MiB)`,
    );
    const redis1 = await redisUsedMemory(env.redisUrl);
    info(`stopping run #1 (exit ${String(await child.stop())})`);
    child = undefined;

    // Docker's own time for the lists a pass reads, at this scale.
    const filters = JSON.stringify({ label: [`${LABEL_INSTANCE}=${id}`] });
    let listed = 0;
    const listOwn = await timeCalls(3, async () => {
      listed = (
        await dockerRequest<unknown[]>(docker, { method: 'GET', path: '/services', query: { filters } })
      ).length;
    });
    if (listed !== TOTAL) throw new Error(`expected ${TOTAL} services of ${id}, Docker lists ${listed}`);
    const listAll = await timeCalls(3, () =>
      dockerRequest(docker, { method: 'GET', path: '/services', query: { status: true } }),
    );
    const listNets = await timeCalls(3, () => dockerRequest(docker, { method: 'GET', path: '/networks' }));
    // Docker's own creation rate with the 10,000 services present (removed at once).
    const atScaleMs = await directCreates(docker, `${id}q`, REF_CREATES, 16);
    await removeOwned(docker, `${id}q`);
    figure(
      `reference: Docker creates ${REF_CREATES} more such services with ${TOTAL} present in ${ms(atScaleMs)}: ${((REF_CREATES * 1000) / atScaleMs).toFixed(1)} services/s`,
    );
    // what one reconcile's own observe asks (filtered lists that return nothing here)
    const none = (f: Record<string, string[]>) => ({ filters: JSON.stringify(f) });
    const byOwner = await timeCalls(3, () =>
      dockerRequest(docker, {
        method: 'GET',
        path: '/services',
        query: none({ label: [`${LABEL_INSTANCE}=none`] }),
      }),
    );
    const byName = await timeCalls(3, () =>
      dockerRequest(docker, { method: 'GET', path: '/services', query: none({ name: ['none_x'] }) }),
    );
    const netsByLabel = await timeCalls(3, () =>
      dockerRequest(docker, {
        method: 'GET',
        path: '/networks',
        query: none({ label: [`${LABEL_INSTANCE}=none`] }),
      }),
    );
    figure(
      `reference: Docker's GET /services?status=true at ${TOTAL} services median ${ms(median(listAll))} (by instance label ${ms(median(listOwn))}); GET /networks ${ms(median(listNets))}`,
    );
    figure(
      `reference: Docker's filtered lists returning nothing at that scale (what one observe asks): services by label ${ms(median(byOwner))}, by name ${ms(median(byName))}, networks by label ${ms(median(netsByLabel))}`,
    );

    // 2. Restarted over the existing objects: the start-up pass is a no-op; then drift.
    proxy.reset();
    const s2 = performance.now();
    child = await ControllerChild.start({ ...common, resync: '60m', logFile: join(dir.path, 'run2.log') });
    info(`controller: ${child.command} (pid ${child.pid})`);
    await waitIdle(child, STACKS, proxy);
    const pass2 = performance.now() - s2;
    const mem2 = memOf(child.pid);
    info(`run #2 Docker API calls: ${routes(proxy)}`);
    figure(
      `start-up pass of a restarted controller over ${scale} (from spawn, no-op): ${ms(pass2)}, ${proxy.total()} Docker API calls (${byMethod(proxy)}), ${proxy.writes()} writes; RSS ${mem2.rss.toFixed(0)} MiB (peak ${mem2.peak.toFixed(0)} MiB)`,
    );
    const drift: DriftSample[] = [];
    for (let i = 0; i < DRIFT_N + 3; i++) {
      const name = `${stackName(Math.floor(Math.random() * STACKS))}_svc${1 + Math.floor(Math.random() * SERVICES)}`;
      const s = await driftOnce(docker, name, 1 + (i % 3), 10, 60_000);
      if (i >= 3) drift.push(s);
      await new Promise((r) => setTimeout(r, 250));
    }
    const back = drift.flatMap((d) => (d.back === undefined ? [] : [d.back]));
    const d = stats(back);
    const u = stats(drift.map((x) => x.update));
    figure(
      `drift at ${TOTAL} services (random services, n=${back.length}, ${drift.length - back.length} not put back in 60 s): p50 ${d.p50} ms, p95 ${d.p95} ms, max ${d.max} ms; Docker's own out-of-band update call p50 ${u.p50} ms, p95 ${u.p95} ms`,
    );
    info(`stopping run #2 (exit ${String(await child.stop())})`);
    child = undefined;

    // 3. Periodic no-op resyncs, once the start-up pass is long over.
    const intervalS = Math.max(30, Math.ceil((pass2 * 1.5) / 1000) + 10);
    const log3 = join(dir.path, 'run3.log');
    child = await ControllerChild.start({ ...common, resync: `${intervalS}s`, logFile: log3 });
    info(`controller: ${child.command} (pid ${child.pid})`);
    await waitIdle(child, STACKS, proxy);
    const walls: number[] = [];
    const own: number[] = [];
    const cpus: number[] = [];
    for (let k = 1; k <= PASSES; k++) {
      proxy.reset();
      let cpu0 = 0;
      const start = await pollUntil(
        `periodic resync #${k} to begin`,
        () => (proxy!.total() > 0 ? ((cpu0 = child!.cpuMs()), performance.now()) : undefined),
        { timeoutMs: intervalS * 1000 + 60_000, everyMs: 5 },
      );
      const pass = await pollUntil(`resync pass #${k} done`, () => passesLogged(log3).at(k - 1), {
        timeoutMs: TIMEOUT_MS,
        everyMs: 50,
      });
      walls.push(performance.now() - start);
      cpus.push(child.cpuMs() - cpu0);
      own.push(pass.ms);
      info(
        `resync #${k}: controller ${pass.ms} ms (${pass.inProcess} in process, ${pass.queued} queued), seen ${ms(walls.at(-1)!)}, CPU ${ms(cpus.at(-1)!)}, Docker: ${routes(proxy)}, ${proxy.writes()} writes, load ${loadAverage()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 3000)); // the idle GC after the pass
    const mem3 = memOf(child.pid);
    const redis3 = await redisUsedMemory(env.redisUrl);
    figure(
      `periodic no-op resync of ${scale} (interval ${intervalS}s, ${PASSES} passes): controller's timing median ${ms(median(own))} (${own.join(', ')} ms), first Docker request -> pass done median ${ms(median(walls))}, CPU median ${ms(median(cpus))}, last pass ${proxy.total()} Docker API calls (${byMethod(proxy)}), ${proxy.writes()} writes (reference: Docker's GET /services?status=true alone ${ms(median(listAll))})`,
    );
    figure(
      `controller RSS after the passes ${mem3.rss.toFixed(0)} MiB, peak over run #3 ${mem3.peak.toFixed(0)} MiB (run #1 creating: peak ${mem1.peak.toFixed(0)} MiB)`,
    );
    figure(
      `Redis used_memory ${mib(redis0)} before, ${mib(redis1)} after creating, ${mib(redis3)} after the passes (+${mib(redis3 - redis0)} for ${STACKS} stacks)`,
    );
    ok = true;
  } finally {
    if (child) info(`controller stopped (exit ${String(await child.stop())})`);
    await proxy?.close();
    await cleanUpInstance(docker, id, env.redisUrl);
    info(
      `Redis used_memory after cleanup ${mib(await redisUsedMemory(env.redisUrl))}; load ${loadAverage()}`,
    );
    if (ok && !process.env['BENCH_KEEP']) dir.remove();
    else info(`kept ${dir.path} (controller logs run1.log, run2.log, run3.log)`);
  }
}

await main();
