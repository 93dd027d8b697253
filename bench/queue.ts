/**
 * No-op reconciles per second through the work queue:
 *  (a) the raw WorkQueue (BullMQ + per-key Redis lock) with a reconcile fn that does nothing:
 *      N distinct keys, for several worker concurrencies; "drain" enqueues every key first and
 *      times the worker alone, "enqueue+drain" times enqueue and processing together.
 *  (b) end-to-end no-op reconciles through the real Controller (in this process: DirSource,
 *      DockerSwarmAdapter, RedisStatusStore, WorkQueue): S small converged stacks, P resync
 *      passes (each pass enqueues every key and waits until all of them reconciled).
 *
 *   npx tsx bench/queue.ts     (QUEUE_KEYS=2000 QUEUE_CONCURRENCY=1,4,16,64 E2E_STACKS=10 E2E_PASSES=10)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { DockerSwarmAdapter } from '../controllers/docker/swarm-adapter.js';
import { createMetrics } from '../controllers/observability/metrics.js';
import { buildManager } from '../controllers/runtime/build-manager.js';
import { WorkQueue } from '../controllers/runtime/queue/index.js';
import { DirSource } from '../controllers/sources/dir-source.js';
import { Redis } from 'ioredis';
import {
  benchEnv,
  deleteRedisKeys,
  dockerFor,
  figure,
  info,
  pollUntil,
  printHeader,
  removeOwned,
  runId,
  tempDir,
} from './lib/common.js';

const KEYS = Number(process.env['QUEUE_KEYS'] ?? 2000);
const CONCURRENCIES = (process.env['QUEUE_CONCURRENCY'] ?? '1,4,16,64')
  .split(',')
  .filter(Boolean)
  .map(Number);
const STACKS = Number(process.env['E2E_STACKS'] ?? 10);
const PASSES = Number(process.env['E2E_PASSES'] ?? 10);
const E2E_CONCURRENCY = Number(process.env['E2E_CONCURRENCY'] ?? 4);
const E2E_SERVICES = Number(process.env['E2E_SERVICES'] ?? 1);

const rate = (n: number, msTaken: number): string => `${Math.round((n / msTaken) * 1000)}/s`;

/** One raw-queue run; returns reconciles per second. */
async function rawQueue(
  redisUrl: string,
  concurrency: number,
  mode: 'drain' | 'enqueue+drain',
): Promise<number> {
  const prefix = runId('skbq');
  let done = 0;
  const q = new WorkQueue({
    connection: { url: redisUrl },
    name: 'noop',
    prefix,
    concurrency,
    reconcile: async () => {
      done++;
    },
  });
  const keys = Array.from({ length: KEYS }, (_, i) => `Bench/default/k${i}`);
  try {
    let t0 = performance.now();
    if (mode === 'drain') {
      await Promise.all(keys.map((k) => q.enqueue(k)));
      t0 = performance.now();
      await q.start();
    } else {
      await q.start();
      t0 = performance.now();
      await Promise.all(keys.map((k) => q.enqueue(k)));
    }
    await pollUntil('all keys to be reconciled', () => (done >= KEYS ? true : undefined), {
      timeoutMs: 120_000,
      everyMs: 2,
    });
    const took = performance.now() - t0;
    const perSec = (KEYS / took) * 1000;
    figure(
      `queue raw ${mode} ${rate(KEYS, took)} (keys ${KEYS}, concurrency ${concurrency}, ${Math.round(took)} ms)`,
    );
    return perSec;
  } finally {
    await q.close(5000);
    await deleteRedisKeys(redisUrl, `${prefix}:*`);
  }
}

function smallStack(name: string): string {
  const lines = [`name: ${name}`, 'services:'];
  for (let s = 1; s <= E2E_SERVICES; s++)
    lines.push(
      `  app${s}:`,
      '    image: local/busybox:1',
      '    command: ["sleep", "1000000"]',
      '    deploy: { replicas: 0, endpoint_mode: dnsrr }',
    );
  return `${lines.join('\n')}\n`;
}

async function endToEnd(env: ReturnType<typeof benchEnv>): Promise<void> {
  const docker = dockerFor(env.socketPath);
  const id = runId('skbe');
  const dir = tempDir('skbench-e2e');
  mkdirSync(join(dir.path, 'stacks'));
  for (let i = 0; i < STACKS; i++)
    writeFileSync(join(dir.path, 'stacks', `${id}s${i}.yml`), smallStack(`${id}s${i}`));
  const metrics = createMetrics({ defaultMetrics: false });
  let apiCalls = 0;
  const routes = new Map<string, number>();
  const swarm = new DockerSwarmAdapter(docker, {
    onApiCall: (method, route) => {
      apiCalls++;
      routes.set(`${method} ${route}`, (routes.get(`${method} ${route}`) ?? 0) + 1);
    },
  });
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const logger = pino({ level: 'silent' });
  const controller = buildManager({
    docker,
    swarm,
    redis,
    instanceId: id,
    secretHashKey: async () => new TextEncoder().encode(`bench-secret-hash-key-${id}`),
    sources: [new DirSource(join(dir.path, 'stacks'), { logger })],
    logger,
    metrics,
    concurrency: E2E_CONCURRENCY,
  });
  const successes = async (): Promise<number> =>
    (await metrics.reconcileTotal.get()).values
      .filter((v) => v.labels.result === 'success')
      .reduce((a, v) => a + v.value, 0);
  try {
    await controller.start();
    // First pass creates the stacks; wait until every key succeeded and nothing is queued.
    await pollUntil(
      'the first pass',
      async () => {
        const d = await controller.queue.depth();
        return (await successes()) >= STACKS && d.waiting + d.active + d.delayed === 0 ? true : undefined;
      },
      { timeoutMs: 120_000, everyMs: 100 },
    );
    const base = await successes();
    const calls0 = apiCalls;
    routes.clear();
    const t0 = performance.now();
    for (let p = 1; p <= PASSES; p++) {
      await controller.queue.resyncNow();
      await pollUntil(
        'a resync pass',
        async () => ((await successes()) >= base + p * STACKS ? true : undefined),
        {
          timeoutMs: 60_000,
          everyMs: 2,
        },
      );
    }
    const took = performance.now() - t0;
    const n = (await successes()) - base;
    const dur = (await metrics.reconcileDuration.get()).values;
    const sum = dur.find((v) => v.metricName?.endsWith('_sum'))?.value ?? NaN;
    const count = dur.find((v) => v.metricName?.endsWith('_count'))?.value ?? NaN;
    info(`Docker API calls per no-op reconcile: ${((apiCalls - calls0) / n).toFixed(1)}`);
    for (const [r, c] of [...routes].sort()) info(`  ${r}: ${(c / n).toFixed(1)} per reconcile`);
    info(`mean reconcile duration (all passes incl. the first): ${((sum / count) * 1000).toFixed(1)} ms`);
    figure(
      `queue e2e no-op ${rate(n, took)} (${n} reconciles = ${STACKS} stacks of ${E2E_SERVICES} service(s) x ${PASSES} passes, concurrency ${E2E_CONCURRENCY}, ${Math.round(took)} ms)`,
    );
  } finally {
    await controller.stop(10_000);
    await redis.quit().catch(() => redis.disconnect());
    await removeOwned(docker, id).catch((e: unknown) => info(`cleanup failed: ${(e as Error).message}`));
    await deleteRedisKeys(env.redisUrl, `swarmkeeper:${id}:*`);
    dir.remove();
  }
}

async function main(): Promise<void> {
  const env = benchEnv();
  await printHeader('no-op reconciles per second (bench/queue.ts)', dockerFor(env.socketPath));
  for (const c of CONCURRENCIES) {
    await rawQueue(env.redisUrl, c, 'drain');
    await rawQueue(env.redisUrl, c, 'enqueue+drain');
  }
  await endToEnd(env);
}

await main();
