/**
 * cli-startup: whole-process wall time of short CLI runs, side by side with `node -e 0` (the floor
 * of any Node program) and `docker version` (the CLI users compare with). Runs alternate (one of
 * each command per round) so that a drift in machine speed hits every command alike; medians and
 * p90 are printed, plus the median difference to `node -e 0`.
 *   npm run build && npx tsx bench/cli-startup.ts
 *   DOCKER_HOST=unix:///path/docker.sock ...   also times `plan` of the small stack (needs a Swarm)
 *   CLI_BEFORE=/path/to/older/checkout ...     also times that checkout's built CLI (e.g. a
 *                                             `git worktree add` of an earlier commit, built)
 * Env: CLI_RUNS (default 20), CLI_WARMUP (default 3: the code cache grows with a command's first three runs). Every command runs with process.execPath, the
 * Node that runs this script (Node 24 from node_modules/.bin under npx).
 * The V8 compile cache (Node's, and the CLI bundle's code cache of controllers/cli/launch.ts) is
 * measured warm (the warm-up runs fill it) and off (NODE_DISABLE_COMPILE_CACHE=1).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printHeader } from './lib/common.js';

const RUNS = Number(process.env['CLI_RUNS'] ?? 20);
const WARMUP = Number(process.env['CLI_WARMUP'] ?? 3);
const NODE = process.execPath;
const BIN = 'bin/swarmkeeper.js';

interface Case {
  name: string;
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

function smallStack(dir: string): string {
  const file = join(dir, 'small.yml');
  const service = (name: string) => [
    `  ${name}:`,
    '    image: local/busybox:1',
    '    command: ["sh", "-c", "exec sleep 100000"]',
    '    deploy:',
    '      replicas: 1',
    '      endpoint_mode: dnsrr',
  ];
  writeFileSync(file, ['services:', ...service('web'), ...service('worker'), ''].join('\n'));
  return file;
}

function timeOnce(c: Case): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(c.cmd, c.args, { env: { ...process.env, ...c.env }, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw new Error(`${c.name}: ${r.error.message}`);
  return ms;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

function hasDocker(): boolean {
  return spawnSync('docker', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  await printHeader('cli-startup: whole-process wall time of short CLI runs');
  const dir = mkdtempSync(join(tmpdir(), 'cli-startup-'));
  try {
    const stack = smallStack(dir);
    const sk = (name: string, args: string[], env?: NodeJS.ProcessEnv, root = '.'): Case => ({
      name,
      cmd: NODE,
      args: [join(root, BIN), ...args],
      ...(env ? { env } : {}),
    });
    const noCache = { NODE_DISABLE_COMPILE_CACHE: '1' };
    const cases: Case[] = [
      { name: 'node -e 0', cmd: NODE, args: ['-e', '0'] },
      sk('swarmkeeper --version', ['--version']),
      sk('swarmkeeper --version (no compile cache)', ['--version'], noCache),
      sk('swarmkeeper --help', ['--help']),
      sk('swarmkeeper plan --help', ['plan', '--help']),
      sk('swarmkeeper validate (2 services)', ['validate', '-f', stack]),
      sk('swarmkeeper validate (no compile cache)', ['validate', '-f', stack], noCache),
    ];
    if (process.env['DOCKER_HOST']) cases.push(sk('swarmkeeper plan (2 services)', ['plan', '-f', stack]));
    const before = process.env['CLI_BEFORE'];
    if (before) {
      cases.push(sk('before: swarmkeeper --version', ['--version'], undefined, before));
      cases.push(sk('before: swarmkeeper --help', ['--help'], undefined, before));
      cases.push(sk('before: swarmkeeper plan --help', ['plan', '--help'], undefined, before));
      cases.push(sk('before: swarmkeeper validate', ['validate', '-f', stack], undefined, before));
      if (process.env['DOCKER_HOST'])
        cases.push(sk('before: swarmkeeper plan', ['plan', '-f', stack], undefined, before));
    }
    if (hasDocker()) cases.push({ name: 'docker version', cmd: 'docker', args: ['version'] });
    for (let i = 0; i < WARMUP; i++) for (const c of cases) timeOnce(c);
    const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    for (let i = 0; i < RUNS; i++) for (const c of cases) times.get(c.name)!.push(timeOnce(c));
    const floor = quantile(times.get('node -e 0')!, 0.5);
    process.stdout.write(`runs: ${RUNS} per command (after ${WARMUP} warm-up), alternating\n`);
    process.stdout.write(
      `${'command'.padEnd(44)} ${'median'.padStart(8)} ${'p90'.padStart(8)} ${'- node -e 0'.padStart(12)}\n`,
    );
    for (const c of cases) {
      const xs = times.get(c.name)!;
      const med = quantile(xs, 0.5);
      const row = `${c.name.padEnd(44)} ${med.toFixed(0).padStart(6)} ms ${quantile(xs, 0.9).toFixed(0).padStart(5)} ms ${(med - floor).toFixed(0).padStart(9)} ms`;
      process.stdout.write(`${row}\n`);
      process.stdout.write(`FIGURE cli_startup_ms{command="${c.name}"} ${med.toFixed(1)}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
