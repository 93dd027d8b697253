/**
 * The periodic resync shared by replicas: REPLICAS_STACKS compose files of REPLICAS_SERVICES services
 * (replicas 0) are applied once; then, round by round (paired), the same stacks are resynced every
 * REPLICAS_RESYNC_S seconds by
 *  - one `swarmkeeper run` alone (the reference), and
 *  - REPLICAS_COUNT `swarmkeeper run` replicas on the same Redis (one instance id, one queue),
 *  - with BENCH_BEFORE=<a built checkout>, its REPLICAS_COUNT replicas too (the previous build).
 * Each setup runs until its start-up pass is over, then REPLICAS_SLOTS whole resync slots are
 * measured from the children's debug logs (`reconcile start` per key, `resync share done` per
 * replica and slot): reconciles per second over the window (total and per replica), each replica's
 * share and Jain's fairness index over the replicas, the reconciles of each key (min/median/max:
 * one per slot is the goal) and the pass's wall per slot (first share start -> last share end, over
 * the replicas; null when a build logs no shares). CPU per child comes from /proc.
 *
 *   npx tsx bench/replicas.ts   (REPLICAS_STACKS=200 REPLICAS_SERVICES=5 REPLICAS_COUNT=3
 *                                REPLICAS_RESYNC_S=5 REPLICAS_SLOTS=6 REPLICAS_ROUNDS=2
 *                                REPLICAS_RUN_ARGS="--no-idle-gc", BENCH_BEFORE=<built checkout>)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchEnv,
  dockerFor,
  figure,
  info,
  loadAverage,
  ms,
  percentile,
  pollUntil,
  printHeader,
  cleanUpInstance,
  runId,
  tempDir,
} from './lib/common.js';
import { ControllerChild, sumMetric } from './lib/controller-child.js';

const STACKS = Number(process.env['REPLICAS_STACKS'] ?? 200);
const SERVICES = Number(process.env['REPLICAS_SERVICES'] ?? 5);
const COUNT = Number(process.env['REPLICAS_COUNT'] ?? 3);
const RESYNC_S = Number(process.env['REPLICAS_RESYNC_S'] ?? 5);
const SLOTS = Number(process.env['REPLICAS_SLOTS'] ?? 6);
const ROUNDS = Number(process.env['REPLICAS_ROUNDS'] ?? 2);
const BEFORE = process.env['BENCH_BEFORE'];
/** More `swarmkeeper run` options for every child, e.g. `--no-idle-gc`. */
const RUN_ARGS = (process.env['REPLICAS_RUN_ARGS'] ?? '').split(' ').filter(Boolean);
const INTERVAL = RESYNC_S * 1000;

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

interface Line {
  time: number;
  msg: string;
  key?: string;
  slot?: number;
  keys?: number;
  ms?: number;
}

function readLog(file: string): Line[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

interface Result {
  setup: string;
  perReplica: number[];
  perKey: number[];
  passWall: number[];
  cpuMs: number[];
  windowMs: number;
  load: string;
}

/** Jain's fairness index: 1 when every replica did the same, 1/n when one did everything. */
const jain = (xs: number[]) =>
  xs.reduce((a, b) => a + b, 0) ** 2 / (xs.length * xs.reduce((a, b) => a + b * b, 0) || 1);

/** One setup: `n` children on the instance `id`; measures SLOTS whole slots after the start-up pass. */
async function measure(
  setup: string,
  n: number,
  opts: { id: string; src: string; dir: string; redisUrl: string; dockerHost: string; bin?: string },
): Promise<Result> {
  const children: ControllerChild[] = [];
  const logs = Array.from({ length: n }, (_, i) => join(opts.dir, `${setup}-${i}-${Date.now()}.log`));
  try {
    for (let i = 0; i < n; i++) {
      const c = await ControllerChild.start({
        instanceId: opts.id,
        sourceDir: opts.src,
        redisUrl: opts.redisUrl,
        dockerHost: opts.dockerHost,
        resync: `${RESYNC_S}s`,
        concurrency: 4,
        logFile: logs[i]!,
        logLevel: 'debug', // `reconcile start` per key: STACKS lines per slot
        ...(opts.bin ? { bin: opts.bin } : {}),
        args: RUN_ARGS,
      });
      children.push(c);
    }
    info(`${setup}: ${children.length} x ${children[0]!.command}`);
    // the start-up pass: every key reconciled, the queue empty
    await pollUntil(
      `${setup}: the start-up pass`,
      async () => {
        let ok = 0;
        let depth = 0;
        for (const c of children) {
          const m = await c.metrics();
          ok += sumMetric(m, 'swarmkeeper_reconcile_total', 'result="success"');
          depth += sumMetric(m, 'swarmkeeper_queue_depth');
        }
        return ok >= STACKS && depth === 0 ? true : undefined;
      },
      { timeoutMs: 600_000, everyMs: 250 },
    );
    // the window: SLOTS whole slots, from the second slot start after the start-up pass
    const from = (Math.floor(Date.now() / INTERVAL) + 2) * INTERVAL;
    const to = from + SLOTS * INTERVAL;
    await pollUntil('the window to start', () => (Date.now() >= from ? true : undefined), {
      timeoutMs: 3 * INTERVAL,
      everyMs: 20,
    });
    const cpu0 = children.map((c) => c.cpuMs());
    const load = loadAverage();
    // the window's last pass ends within its slot (or it is cut off: its keys count short)
    await pollUntil('the window to end', () => (Date.now() >= to ? true : undefined), {
      timeoutMs: SLOTS * INTERVAL + 10_000,
      everyMs: 100,
    });
    const cpuMs = children.map((c, i) => c.cpuMs() - cpu0[i]!);
    const lines = logs.map(readLog);
    const inWindow = (l: Line) => l.time >= from && l.time < to;
    const starts = lines.map((ls) => ls.filter((l) => l.msg === 'reconcile start' && inWindow(l)));
    const perKeyMap = new Map<string, number>();
    for (const s of starts.flat()) perKeyMap.set(s.key!, (perKeyMap.get(s.key!) ?? 0) + 1);
    const perKey = [...perKeyMap.values()];
    while (perKey.length < STACKS) perKey.push(0); // a key never reconciled in the window
    const passWall: number[] = [];
    for (let slot = from / INTERVAL; slot < to / INTERVAL; slot++) {
      // this build's shares, or a previous build's whole pass (its timers are not slot-aligned)
      const shares = lines
        .flat()
        .filter(
          (l) =>
            (l.msg === 'resync share done' && l.slot === slot) ||
            (l.msg === 'resync pass done' && Math.floor((l.time - (l.ms ?? 0)) / INTERVAL) === slot),
        );
      if (shares.length === 0) continue;
      const start = Math.min(...shares.map((l) => l.time - (l.ms ?? 0)));
      passWall.push(Math.max(...shares.map((l) => l.time)) - start);
    }
    return {
      setup,
      perReplica: starts.map((s) => s.length),
      perKey,
      passWall,
      cpuMs,
      windowMs: to - from,
      load,
    };
  } finally {
    for (const c of children) await c.stop();
  }
}

function report(r: Result): void {
  const total = r.perReplica.reduce((a, b) => a + b, 0);
  const s = r.windowMs / 1000;
  const keys = [...r.perKey].sort((a, b) => a - b);
  const walls = [...r.passWall].sort((a, b) => a - b);
  const shares = r.perReplica.map((x) => `${((100 * x) / (total || 1)).toFixed(0)}%`).join('/');
  info(
    `${r.setup}: ${total} reconciles in ${s} s; per replica ${r.perReplica.join('/')}; CPU ${r.cpuMs.map((c) => ms(c)).join('/')}; load ${r.load}`,
  );
  figure(
    `${r.setup}: ${(total / s).toFixed(1)} reconciles/s (per replica ${r.perReplica.map((x) => (x / s).toFixed(1)).join('/')}), share ${shares}, Jain ${jain(r.perReplica).toFixed(2)}; per key min/median/max ${keys[0]}/${percentile(keys, 50)}/${keys.at(-1)} over ${SLOTS} slots; pass wall median ${walls.length ? ms(percentile(walls, 50)) : 'n/a'} (max ${walls.length ? ms(walls.at(-1)!) : 'n/a'}); CPU ${ms(r.cpuMs.reduce((a, b) => a + b, 0))}; load ${r.load}`,
  );
}

async function main(): Promise<void> {
  const env = benchEnv();
  const docker = dockerFor(env.socketPath);
  await printHeader(
    `resync shared by ${COUNT} replicas vs one alone, ${STACKS} stacks / ${STACKS * SERVICES} services, --resync ${RESYNC_S}s (bench/replicas.ts)`,
    docker,
  );
  const id = runId('skbp');
  const dir = tempDir('skbench-replicas');
  const src = join(dir.path, 'stacks');
  mkdirSync(src);
  for (let i = 0; i < STACKS; i++) {
    const name = `${id}s${String(i).padStart(3, '0')}`;
    writeFileSync(join(src, `${name}.yml`), stackFile(name));
  }
  let ok = false;
  try {
    const applyArgs = ['bin/swarmkeeper.js', '--instance-id', id, 'apply', '-f', src, '--concurrency', '16'];
    const r = spawnSync(process.execPath, applyArgs, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    if (r.status !== 0) throw new Error(`apply failed (${r.status}): ${r.stderr.slice(-2000)}`);
    const common = { id, src, dir: dir.path, redisUrl: env.redisUrl, dockerHost: env.dockerHost };
    for (let round = 1; round <= ROUNDS; round++) {
      info(`round ${round}/${ROUNDS}`);
      report(await measure('1 replica', 1, common));
      report(await measure(`${COUNT} replicas`, COUNT, common));
      if (BEFORE)
        report(
          await measure(`${COUNT} replicas, previous build`, COUNT, {
            ...common,
            bin: join(BEFORE, 'bin/swarmkeeper.js'),
          }),
        );
    }
    ok = true;
  } finally {
    await cleanUpInstance(docker, id, env.redisUrl);
    if (ok && !process.env['BENCH_KEEP']) dir.remove();
    else info(`kept ${dir.path} (controller logs)`);
  }
}

await main();
