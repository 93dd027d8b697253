/**
 * `swarmkeeper run` as a real child process (bin/swarmkeeper.js, the compiled dist/), with its
 * /metrics scraped over HTTP and its RSS read from /proc/<pid>/status. Stopped by its pid only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pollUntil } from './common.js';

export interface ChildOptions {
  instanceId: string;
  sourceDir: string;
  redisUrl: string;
  /** DOCKER_HOST for the child (e.g. the counting proxy's socket). */
  dockerHost: string;
  resync?: string;
  concurrency?: number;
  logFile: string;
  logLevel?: string;
  /** The CLI to run (default this checkout's bin/swarmkeeper.js), e.g. a previous build's. */
  bin?: string;
  /** More `run` options, e.g. `--no-idle-gc`. */
  args?: readonly string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Parses Prometheus text: `name{labels}` -> value (labels kept verbatim, sorted as exported). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** Sum of every series of `name` whose labels contain all of `match` (e.g. `result="success"`). */
export function sumMetric(m: Map<string, number>, name: string, ...match: string[]): number {
  let total = 0;
  for (const [k, v] of m) {
    const base = k.split('{')[0];
    if (base === name && match.every((s) => k.includes(s))) total += v;
  }
  return total;
}

export class ControllerChild {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly command: string;
  #exited: Promise<number | null>;

  private constructor(proc: ChildProcess, port: number, command: string) {
    this.proc = proc;
    this.port = port;
    this.command = command;
    this.#exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  static async start(o: ChildOptions): Promise<ControllerChild> {
    const port = await freePort();
    const args = [
      o.bin ?? join(process.cwd(), 'bin/swarmkeeper.js'),
      '--instance-id',
      o.instanceId,
      '--log-level',
      o.logLevel ?? 'info',
      'run',
      '--source',
      `dir=${o.sourceDir}`,
      '--redis-url',
      o.redisUrl,
      '--listen',
      `127.0.0.1:${port}`,
      '--resync',
      o.resync ?? '10m',
      '--concurrency',
      String(o.concurrency ?? 4),
      ...(o.args ?? []),
    ];
    const fd = openSync(o.logFile, 'a');
    // BENCH_NODE_ARGS: node flags for the controller child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
    const nodeArgs = (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    const proc = spawn(process.execPath, [...nodeArgs, ...args], {
      env: { ...process.env, DOCKER_HOST: o.dockerHost },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const child = new ControllerChild(
      proc,
      port,
      `node ${args.map((a) => a.replace(process.cwd() + '/', '')).join(' ')}`,
    );
    await pollUntil(
      'the controller /metrics endpoint',
      async () => {
        if (proc.exitCode !== null)
          throw new Error(`controller exited with ${proc.exitCode}; see ${o.logFile}`);
        return (await child.metrics().catch(() => undefined)) ? true : undefined;
      },
      { timeoutMs: 30_000, everyMs: 100 },
    );
    return child;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  async metrics(): Promise<Map<string, number>> {
    const res = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    if (!res.ok) throw new Error(`/metrics: HTTP ${res.status}`);
    return parseMetrics(await res.text());
  }

  /** Successful reconciles so far (all kinds). */
  async successes(): Promise<number> {
    return sumMetric(await this.metrics(), 'swarmkeeper_reconcile_total', 'result="success"');
  }

  /** VmRSS of the child in MiB, from /proc/<pid>/status. */
  /** CPU time (user + system) the child used so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  }

  rssMiB(): number {
    return this.#status('VmRSS');
  }

  /** VmHWM of the child in MiB: the highest RSS it had so far. */
  peakRssMiB(): number {
    return this.#status('VmHWM');
  }

  #status(field: 'VmRSS' | 'VmHWM'): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN);
    return kb / 1024;
  }

  /** SIGTERM by pid, wait up to `graceMs`, then SIGKILL by pid. Returns the exit code. */
  async stop(graceMs = 20_000): Promise<number | null> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.proc.exitCode;
    this.proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), graceMs);
    });
    const first = await Promise.race([this.#exited, timedOut]);
    clearTimeout(timer);
    if (first !== 'timeout') return first;
    this.proc.kill('SIGKILL');
    return this.#exited;
  }
}
