/**
 * `swarmkeeper run` as a child process for the controller integration tests: spawn, read its pino
 * JSON log lines (stderr), poll its HTTP endpoints, stop it (SIGTERM) or kill it (SIGKILL) by pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pollUntil } from './poll.js';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));

export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

export interface RunOptions {
  instanceId: string;
  sources: string[];
  redisUrl: string;
  logLevel?: 'debug' | 'info';
  /** More `run` flags, e.g. ['--lease-ttl', '3s']. */
  args?: string[];
  /** A label for assertion messages (e.g. 'a', 'b'). */
  label?: string;
  /** Extra environment, e.g. DOCKER_HOST of a proxy. */
  env?: NodeJS.ProcessEnv;
}

/** A free loopback TCP port (asked from the kernel, then released). */
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

/** Polls `check` until it returns something other than undefined (every 100 ms by default). */
export function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined> | T | undefined,
  intervalMs = 100,
): Promise<T> {
  return pollUntil(what, timeoutMs, check, intervalMs);
}

export class ControllerProcess {
  readonly logs: LogLine[] = [];
  /** Non-JSON stderr/stdout lines (stack traces etc.), for failure messages. */
  readonly raw: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #child: ChildProcess;

  private constructor(
    child: ChildProcess,
    readonly port: number,
    readonly label: string,
  ) {
    this.#child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const reader = (stream: NodeJS.ReadableStream | null) => {
      let buf = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buf += chunk;
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines) this.#line(line);
      });
    };
    reader(child.stderr);
    reader(child.stdout);
  }

  static async start(opts: RunOptions): Promise<ControllerProcess> {
    if (!existsSync(`${REPO}dist/controllers/cli/main.js`))
      throw new Error('dist/ is missing: run `npm run build` first');
    const port = await freePort();
    const args = [
      'bin/swarmkeeper.js',
      '--instance-id',
      opts.instanceId,
      '--log-level',
      opts.logLevel ?? 'info',
      'run',
      ...opts.sources.flatMap((s) => ['--source', `dir=${s}`]),
      '--redis-url',
      opts.redisUrl,
      '--listen',
      `127.0.0.1:${port}`,
      ...(opts.args ?? []),
    ];
    const child = spawn(process.execPath, args, {
      cwd: REPO,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error('swarmkeeper run did not start');
    RUNNING.add(child);
    child.once('exit', () => RUNNING.delete(child));
    return new ControllerProcess(child, port, opts.label ?? String(child.pid));
  }

  get pid(): number {
    return this.#child.pid!;
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  #line(line: string): void {
    if (!line.trim()) return;
    try {
      const v = JSON.parse(line) as LogLine;
      if (typeof v === 'object' && v !== null && typeof v.msg === 'string') {
        this.logs.push(v);
        return;
      }
    } catch {
      // not JSON
    }
    this.raw.push(line);
  }

  /** Log lines with this message (and, optionally, matching fields). */
  find(msg: string, fields: Record<string, unknown> = {}, since = 0): LogLine[] {
    return this.logs.filter(
      (l) => l.msg === msg && l.time >= since && Object.entries(fields).every(([k, v]) => l[k] === v),
    );
  }

  waitForLog(
    msg: string,
    fields: Record<string, unknown> = {},
    timeoutMs = 30_000,
    since = 0,
  ): Promise<LogLine> {
    return waitFor(`${this.label}: log '${msg}' ${JSON.stringify(fields)}\n${this.tail()}`, timeoutMs, () => {
      if (!this.alive && this.find(msg, fields, since).length === 0)
        throw new Error(`process ${this.label} exited\n${this.tail()}`);
      return this.find(msg, fields, since)[0];
    });
  }

  /** The last log lines, for assertion messages. */
  tail(n = 25): string {
    const lines = [...this.logs.slice(-n).map((l) => JSON.stringify(l)), ...this.raw.slice(-10)];
    return `--- ${this.label} (pid ${this.pid}) last lines:\n${lines.join('\n')}`;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async get(path: string): Promise<{ status: number; body: string }> {
    const r = await fetch(this.url(path), { signal: AbortSignal.timeout(5000) });
    return { status: r.status, body: await r.text() };
  }

  async metrics(): Promise<Sample[]> {
    const r = await this.get('/metrics');
    if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
    return parseMetrics(r.body);
  }

  /** Resolves once /readyz answers 200. */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    await waitFor(`${this.label}: /readyz 200\n${this.tail()}`, timeoutMs, async () => {
      if (!this.alive) throw new Error(`process ${this.label} exited\n${this.tail()}`);
      return (await this.get('/readyz')).status === 200 ? true : undefined;
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (this.alive) process.kill(this.pid, sig);
  }

  /** SIGKILL by pid; resolves when the process is gone. */
  async kill9(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
}

/** Every child still running, so afterAll can kill them by pid. */
const RUNNING = new Set<ChildProcess>();

/** SIGKILLs every controller process this test file started that is still running. */
export async function killAll(): Promise<void> {
  const left = [...RUNNING];
  for (const c of left) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
  await Promise.all(
    left.map((c) =>
      c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)),
    ),
  );
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format -> samples (comments skipped). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of the samples of one metric whose labels include `labels`. */
export function metricSum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}
