/**
 * Vitest helpers around test/kube/kube: a real etcd + kube-apiserver on 127.0.0.1.
 *
 *   const env = await kubeUp();            // builds/installs binaries on first use
 *   await kubectl(env, ['get', 'crd']);
 *   await restartApiserver();              // same URL, certs and etcd data
 *   await kubeDown();
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const KUBE_SCRIPT = fileURLToPath(new URL('./kube', import.meta.url));

/** What `kube up` / `kube restart-apiserver` print, plus the raw KEY=VALUE map. */
export interface KubeEnv {
  kubeconfig: string;
  apiserverUrl: string;
  kubectl: string;
  /** Present when the harness started the processes (absent when reusing an outside cluster). */
  apiserverPid?: number;
  etcdPid?: number;
  stateDir?: string;
  version?: string;
  vars: Record<string, string>;
}

export interface KubeOptions {
  /** Harness instance name (`--name`); default: $SK_KUBE_NAME or "default". */
  name?: string;
  /** Extra environment for the script (e.g. SK_KUBE_STATE, KUBE_APISERVER_BIN). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds; the first `up` may build Kubernetes (~10+ min on 2 cores). */
  timeoutMs?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Parses `KEY=VALUE` lines; ignores blank lines, `#` comments and lines without `=`. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    out[key] = line.slice(eq + 1);
  }
  return out;
}

function optionalInt(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Builds a KubeEnv from parsed KEY=VALUE output; throws naming the missing keys. */
export function toKubeEnv(vars: Record<string, string>): KubeEnv {
  const missing = ['KUBECONFIG', 'KUBE_APISERVER_URL', 'KUBECTL'].filter((k) => !vars[k]);
  if (missing.length > 0) {
    throw new Error(
      `kube harness output lacks ${missing.join(', ')}; got keys: ${Object.keys(vars).join(', ')}`,
    );
  }
  return {
    kubeconfig: vars.KUBECONFIG as string,
    apiserverUrl: vars.KUBE_APISERVER_URL as string,
    kubectl: vars.KUBECTL as string,
    apiserverPid: optionalInt(vars.KUBE_APISERVER_PID),
    etcdPid: optionalInt(vars.ETCD_PID),
    stateDir: vars.SK_KUBE_STATE_DIR,
    version: vars.KUBE_VERSION,
    vars,
  };
}

/** Runs a program; resolves with its output and exit code (never rejects on a non-zero exit). */
export function run(
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        killSignal: 'SIGTERM',
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`));
          return;
        }
        resolve({ stdout, stderr, code: err ? Number(err.code) : 0 });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

async function script(command: string[], opts: KubeOptions, defaultTimeoutMs: number): Promise<ExecResult> {
  const args = opts.name ? ['--name', opts.name, ...command] : command;
  const res = await run(KUBE_SCRIPT, args, { env: opts.env, timeoutMs: opts.timeoutMs ?? defaultTimeoutMs });
  if (res.code !== 0) {
    throw new Error(`test/kube/kube ${args.join(' ')} exited ${res.code}:\n${res.stderr.slice(-4000)}`);
  }
  return res;
}

/** Ensures the binaries (building Kubernetes once into the cache) and prints their paths. */
export async function kubeBuild(opts: KubeOptions = {}): Promise<Record<string, string>> {
  return parseKeyValues((await script(['build'], opts, 40 * 60_000)).stdout);
}

/** Starts a fresh etcd + kube-apiserver (or returns the running one) and waits for /readyz. */
export async function kubeUp(opts: KubeOptions = {}): Promise<KubeEnv> {
  return toKubeEnv(parseKeyValues((await script(['up'], opts, 40 * 60_000)).stdout));
}

/** Stops kube-apiserver and etcd (TERM, then KILL). `purge` also deletes the state dir. */
export async function kubeDown(opts: KubeOptions & { purge?: boolean } = {}): Promise<void> {
  await script(opts.purge ? ['down', '--purge'] : ['down'], opts, 120_000);
}

/** Stops and starts kube-apiserver alone (same URL, certs, etcd) and waits for /readyz. */
export async function restartApiserver(opts: KubeOptions = {}): Promise<KubeEnv> {
  return toKubeEnv(parseKeyValues((await script(['restart-apiserver'], opts, 300_000)).stdout));
}

/** `kube status`: ready is true when both processes run and /readyz says ok. */
export async function kubeStatus(
  opts: KubeOptions = {},
): Promise<{ ready: boolean; vars: Record<string, string> }> {
  const args = opts.name ? ['--name', opts.name, 'status'] : ['status'];
  const res = await run(KUBE_SCRIPT, args, { env: opts.env, timeoutMs: opts.timeoutMs ?? 30_000 });
  return { ready: res.code === 0, vars: parseKeyValues(res.stdout) };
}

/**
 * The env of an outside cluster: KUBECONFIG from the environment, kubectl from $KUBECTL,
 * $KUBECTL_BIN or PATH. Used when SK_KUBE_REUSE=1.
 */
export function reusedKubeEnv(env: NodeJS.ProcessEnv = process.env): KubeEnv {
  const kubeconfig = env.KUBECONFIG;
  if (!kubeconfig) throw new Error('SK_KUBE_REUSE=1 needs KUBECONFIG');
  return {
    kubeconfig,
    apiserverUrl: env.KUBE_APISERVER_URL ?? '',
    kubectl: env.KUBECTL ?? env.KUBECTL_BIN ?? 'kubectl',
    vars: { KUBECONFIG: kubeconfig },
  };
}

/** Runs kubectl against the harness (KUBECONFIG set, never the user's config). */
export function kubectl(
  env: KubeEnv,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return run(env.kubectl, args, {
    env: { KUBECONFIG: env.kubeconfig },
    input: opts.input,
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
}

/** Polls `fn` until it returns a non-undefined value or the deadline passes. */
export async function pollUntil<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** GET /readyz through kubectl; resolves with the body ("ok" when ready). */
export async function readyz(env: KubeEnv): Promise<string> {
  const res = await kubectl(env, ['get', '--raw', '/readyz'], { timeoutMs: 15_000 });
  return res.code === 0 ? res.stdout.trim() : `exit ${res.code}: ${res.stderr.trim()}`;
}
