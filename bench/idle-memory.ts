/**
 * Idle memory: IDLE_STACKS compose stacks of 2 services each (replicas 0, no container starts) in a
 * directory source, one `swarmkeeper run` child (bin/swarmkeeper.js, the compiled dist/) on the
 * lab's Docker and Redis. Once its startup pass reconciled every stack and the queue is empty, the
 * child's RSS is sampled every second for IDLE_SECONDS, and Redis's used_memory is read. Issue 16's
 * target is under 60 MiB with 10 stacks (SwarmCD, in Go, needs 44 MiB).
 *
 *   npx tsx bench/idle-memory.ts      (IDLE_STACKS=10 IDLE_SECONDS=30)
 *
 * It also prints the floor of any controller on the project's packages: bench/lib/bare-node-idle.mjs
 * bundled like the CLI (esbuild), a bare `node` process with the flags `run` sets that holds a BullMQ
 * Queue and Worker and a Docker events stream and does nothing else, its RSS after a full GC.
 *
 * With IDLE_BEFORE=<a built checkout> (e.g. `git worktree add /tmp/before main && cd /tmp/before &&
 * npm run build`, node_modules linked), IDLE_PAIRS (3) pairs, run by run: that build, then this one.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
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
import { ControllerChild, sumMetric } from './lib/controller-child.js';

const STACKS = Number(process.env['IDLE_STACKS'] ?? 10);
const SECONDS = Number(process.env['IDLE_SECONDS'] ?? 30);
const BEFORE = process.env['IDLE_BEFORE'];
const PAIRS = Number(process.env['IDLE_PAIRS'] ?? 3);

interface Idle {
  median: number;
  max: number;
  atPassEnd: number;
  redisDelta: number;
}

/** The median of numbers sorted ascending (the upper one of an even count); 0 for none. */
const sortedMedian = (sorted: readonly number[]): number => sorted[Math.floor(sorted.length / 2)] ?? 0;

function stackFile(name: string): string {
  const svc = (n: string) => [
    `  ${n}:`,
    '    image: local/busybox:1',
    '    command: ["sleep", "1000000"]',
    '    deploy: { replicas: 0, endpoint_mode: dnsrr }',
  ];
  return [`name: ${name}`, 'services:', ...svc('web'), ...svc('worker'), ''].join('\n');
}

async function redisUsedMemory(url: string): Promise<number> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const m = /used_memory:(\d+)/.exec(await r.info('memory'));
    return Number(m?.[1] ?? 0);
  } finally {
    r.disconnect();
  }
}

/** One controller (`bin`, default this checkout's) on STACKS fresh stacks: its idle RSS. */
async function idleOnce(env: ReturnType<typeof benchEnv>, label: string, bin?: string): Promise<Idle> {
  const docker = dockerFor(env.socketPath);
  const id = runId('skbi');
  const dir = tempDir('skbench-idle');
  const src = join(dir.path, 'stacks');
  mkdirSync(src);
  for (let i = 0; i < STACKS; i++) {
    const name = `${id}s${i}`;
    mkdirSync(join(src, name));
    writeFileSync(join(src, name, 'docker-compose.yml'), stackFile(name));
  }
  let child: ControllerChild | undefined;
  const redisBefore = await redisUsedMemory(env.redisUrl);
  try {
    child = await ControllerChild.start({
      instanceId: id,
      sourceDir: src,
      redisUrl: env.redisUrl,
      dockerHost: `unix://${env.socketPath}`,
      logFile: join(dir.path, 'run.log'),
      logLevel: 'info',
      ...(bin === undefined ? {} : { bin }),
    });
    info(`${label}: ${child.command}`);
    await pollUntil(
      `${STACKS} successful reconciles`,
      async () => {
        const m = await child!.metrics();
        return sumMetric(m, 'swarmkeeper_reconcile_total', 'result="success"') >= STACKS &&
          sumMetric(m, 'swarmkeeper_queue_depth') === 0
          ? true
          : undefined;
      },
      { timeoutMs: 300_000, everyMs: 200 },
    );
    const atPassEnd = child.rssMiB();
    info(`${label}: startup pass done, RSS ${atPassEnd.toFixed(1)} MiB; idling ${SECONDS} s`);
    const samples: number[] = [];
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      samples.push(child.rssMiB());
      await new Promise((r) => setTimeout(r, 1000));
    }
    samples.sort((a, b) => a - b);
    return {
      median: sortedMedian(samples),
      max: samples[samples.length - 1] ?? 0,
      atPassEnd,
      redisDelta: (await redisUsedMemory(env.redisUrl)) - redisBefore,
    };
  } finally {
    if (child) info(`${label}: controller stopped (exit ${String(await child.stop())})`);
    await removeOwned(docker, id).catch(() => 0);
    await deleteRedisKeys(env.redisUrl, `swarmkeeper:${id}:*`);
    dir.remove();
  }
}

const BARE = fileURLToPath(new URL('./lib/bare-node-idle.mjs', import.meta.url));

/** The bare process's median RSS (MiB) over SECONDS, bundled as the CLI is, with `run`'s flags. */
async function bareFloor(env: ReturnType<typeof benchEnv>): Promise<number> {
  const dir = tempDir('skbench-bare');
  try {
    const out = join(dir.path, 'bare-idle.mjs');
    await build({
      entryPoints: [BARE],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: out,
      logLevel: 'error',
      external: ['ssh2', 'cpu-features'], // native: resolved from this checkout
      banner: {
        js: `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(BARE)});`,
      },
    });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--max-semi-space-size=8', out, String(SECONDS)],
      {
        env: {
          ...process.env,
          MALLOC_ARENA_MAX: '1',
          DOCKER_HOST: `unix://${env.socketPath}`,
          REDIS_URL: env.redisUrl,
        },
      },
    );
    return sortedMedian(
      stdout
        .trim()
        .split('\n')
        .map(Number)
        .sort((a, b) => a - b),
    );
  } finally {
    dir.remove();
  }
}

const show = (r: Idle): string =>
  `median ${r.median.toFixed(1)} MiB, max ${r.max.toFixed(1)} MiB over ${SECONDS} s, ${r.atPassEnd.toFixed(1)} MiB when the startup pass was done; Redis +${(r.redisDelta / 2 ** 20).toFixed(2)} MiB`;

async function main(): Promise<void> {
  const env = benchEnv();
  await printHeader(`idle memory with ${STACKS} stacks (bench/idle-memory.ts)`, dockerFor(env.socketPath));
  if (BEFORE === undefined) {
    const r = await idleOnce(env, 'this build');
    figure(
      `idle controller RSS with ${STACKS} stacks / ${STACKS * 2} services: ${show(r)} (target < 60 MiB)`,
    );
    figure(
      `floor: a bare node process holding a BullMQ queue and worker and a Docker events stream, bundled, idle: median ${(await bareFloor(env)).toFixed(1)} MiB`,
    );
    return;
  }
  for (let i = 1; i <= PAIRS; i++) {
    const load = loadavg()[0]!.toFixed(1);
    const before = await idleOnce(env, `pair ${i}, before`, join(BEFORE, 'bin/swarmkeeper.js'));
    const now = await idleOnce(env, `pair ${i}, this build`);
    figure(`pair ${i} (load ${load}): before ${show(before)}`);
    figure(`pair ${i} (load ${load}): this build ${show(now)}`);
  }
}

await main();
