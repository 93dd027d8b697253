/**
 * cold-apply: wall time to create a 20-service stack from nothing, `swarmkeeper apply` (stack B, no
 * --wait: until the command returns, every object created) vs `docker stack deploy --resolve-image never`
 * (stack A). Each runs 3 times, alternating, with a full cleanup (networks gone) between runs.
 *   npm run build && DOCKER_HOST=unix:///path/to/docker.sock npx tsx bench/cold-apply.ts
 * It also times the same apply in-process (the built CLI's main() called from this process), which leaves
 * out node startup and module loading, to show where the process wall time goes, and the floor of any
 * Node tool: a bare `node` process sending the same creates over node:http (bench/lib/bare-node-creates.mjs,
 * stack C), no library and no parsing.
 * Env: BENCH_RUNS (default 3), BENCH_SERVICES (default 20), BENCH_CONCURRENCY (swarmkeeper --concurrency, default 8),
 *   BENCH_WARMUP (default 3: untimed applies of each CLI first, which fill its code cache).
 *   CLI_BEFORE=/path/to/older/checkout   also times that checkout's built CLI in each round (paired)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABEL_NAMESPACE, cleanup, namesByLabel } from '../test/integration/helpers/swarm.js';
import { assertBuilt, docker, run, show, swarmkeeper } from '../test/integration/helpers/run.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 3);
const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 20);
const CONCURRENCY = process.env['BENCH_CONCURRENCY'] ?? '8';
const ID = randomBytes(2).toString('hex');
const STACK_A = `bench${ID}a`;
const STACK_B = `bench${ID}b`;
const STACK_C = `bench${ID}c`;
const BARE_NODE = new URL('./lib/bare-node-creates.mjs', import.meta.url).pathname;
const INSTANCE = `bench-${ID}`;

function compose(n: number): string {
  const lines = ['version: "3.8"', 'services:']; // the 20.10 docker client needs a version
  for (let i = 1; i <= n; i++) {
    lines.push(
      `  s${String(i).padStart(2, '0')}:`,
      '    image: local/busybox:1',
      '    command: ["sh", "-c", "exec sleep 100000"]',
      '    stop_grace_period: 1s',
      '    deploy:',
      '      replicas: 1',
      '      endpoint_mode: dnsrr',
    );
  }
  return `${lines.join('\n')}\n`;
}

async function timed(what: string, fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`  ${what}: ${ms.toFixed(0)} ms`);
  return ms;
}

async function expectServices(ns: string): Promise<void> {
  const n = (await namesByLabel('service', `${LABEL_NAMESPACE}=${ns}`)).length;
  if (n !== SERVICES) throw new Error(`${ns}: expected ${SERVICES} services, found ${n}`);
}

const CLI_MAIN = new URL('../dist/controllers/cli/main.js', import.meta.url).href;

/** Runs fn with process.stdout silenced (the in-process CLI prints its progress there). */
async function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  assertBuilt();
  const tmp = mkdtempSync(join(tmpdir(), 'sk-bench-'));
  const dirB = join(tmp, STACK_B);
  mkdirSync(dirB);
  const file = join(dirB, 'docker-compose.yml');
  writeFileSync(file, compose(SERVICES));
  const docker_: number[] = [];
  const sk: number[] = [];
  const before = process.env['CLI_BEFORE'];
  const skBefore: number[] = [];
  console.log(
    `cold-apply: ${SERVICES} services, ${RUNS} runs each, DOCKER_HOST=${process.env['DOCKER_HOST'] ?? '(default)'}`,
  );
  const inProcess: number[] = [];
  const bare: number[] = [];
  const { main: cliMain } = (await import(CLI_MAIN)) as { main: (argv: string[]) => Promise<number> };
  try {
    await cleanup({ instanceId: INSTANCE, namespaces: [STACK_A, STACK_B, STACK_C] });
    // untimed applies first: the CLI's code cache grows with the first three runs (launch.ts)
    for (let i = 1; i <= WARMUP; i++) {
      for (const bin of before ? [undefined, before] : [undefined]) {
        const argv = ['--instance-id', INSTANCE, 'apply', '-f', file, '--concurrency', CONCURRENCY];
        const r = bin
          ? await run(process.execPath, [join(bin, 'bin/swarmkeeper.js'), ...argv])
          : await swarmkeeper({ instanceId: INSTANCE }, argv.slice(2));
        if (r.code !== 0) throw new Error(`warm-up apply failed: ${show(r)}`);
        await cleanup({ instanceId: INSTANCE, namespaces: [STACK_B] });
      }
    }
    for (let i = 1; i <= RUNS; i++) {
      console.log(`run ${i}`);
      docker_.push(
        await timed('docker stack deploy', async () => {
          await docker(['stack', 'deploy', '--resolve-image', 'never', '-c', file, STACK_A]);
        }),
      );
      await expectServices(STACK_A);
      await cleanup({ namespaces: [STACK_A] });
      bare.push(
        await timed('bare node: the same creates over node:http', async () => {
          const r = await run(process.execPath, [BARE_NODE, STACK_C, String(SERVICES), CONCURRENCY]);
          if (r.code !== 0) throw new Error(`bare node creates failed: ${show(r)}`);
        }),
      );
      await expectServices(STACK_C);
      await cleanup({ namespaces: [STACK_C] });
      sk.push(
        await timed('swarmkeeper apply', async () => {
          const r = await swarmkeeper({ instanceId: INSTANCE }, [
            'apply',
            '-f',
            file,
            '--concurrency',
            CONCURRENCY,
          ]);
          if (r.code !== 0) throw new Error(`swarmkeeper apply failed: ${show(r)}`);
        }),
      );
      await expectServices(STACK_B);
      await cleanup({ instanceId: INSTANCE, namespaces: [STACK_B] });
      if (before) {
        skBefore.push(
          await timed('before: swarmkeeper apply', async () => {
            const r = await run(process.execPath, [
              join(before, 'bin/swarmkeeper.js'),
              ...['--instance-id', INSTANCE, 'apply', '-f', file, '--concurrency', CONCURRENCY],
            ]);
            if (r.code !== 0) throw new Error(`before: swarmkeeper apply failed: ${show(r)}`);
          }),
        );
        await expectServices(STACK_B);
        await cleanup({ instanceId: INSTANCE, namespaces: [STACK_B] });
      }
      inProcess.push(
        await timed('swarmkeeper apply, in-process (no node startup / module loading)', async () => {
          const argv = [
            'node',
            'swarmkeeper',
            '--instance-id',
            INSTANCE,
            'apply',
            '-f',
            file,
            '--concurrency',
            CONCURRENCY,
          ];
          const code = await quiet(() => cliMain(argv));
          if (code !== 0) throw new Error(`in-process swarmkeeper apply exited ${code}`);
        }),
      );
      await expectServices(STACK_B);
      await cleanup({ instanceId: INSTANCE, namespaces: [STACK_B] });
    }
  } finally {
    await cleanup({ instanceId: INSTANCE, namespaces: [STACK_A, STACK_B, STACK_C] });
    rmSync(tmp, { recursive: true, force: true });
  }
  const fmt = (xs: number[]): string =>
    `min ${Math.min(...xs).toFixed(0)} ms, median ${median(xs).toFixed(0)} ms`;
  console.log(`docker stack deploy: ${fmt(docker_)}`);
  console.log(`swarmkeeper apply:   ${fmt(sk)}`);
  console.log(
    `bare node, the same creates: ${fmt(bare)} (ratio to docker ${(median(bare) / median(docker_)).toFixed(2)})`,
  );
  if (before)
    console.log(
      `before: swarmkeeper apply: ${fmt(skBefore)} (ratio to docker ${(median(skBefore) / median(docker_)).toFixed(2)})`,
    );
  console.log(
    `swarmkeeper apply in-process: ${fmt(inProcess)} (ratio to docker ${(median(inProcess) / median(docker_)).toFixed(2)})`,
  );
  const ratio = median(sk) / median(docker_);
  console.log(
    `cold-apply ${SERVICES} services: swarmkeeper median ${median(sk).toFixed(0)} ms, ` +
      `docker stack deploy median ${median(docker_).toFixed(0)} ms, ratio ${ratio.toFixed(2)}`,
  );
}

await main();
