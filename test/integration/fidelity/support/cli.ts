/** Runs the Debian 20.10 docker client and the swarmkeeper CLI as child processes (DOCKER_HOST from env). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../..', import.meta.url));
export const DOCKER = process.env.SK_DOCKER_CLI ?? '/usr/bin/docker';
/**
 * The client whose `docker stack deploy` is the reference: CLI 28 (the Debian 20.10 client refuses
 * `deploy.mode: replicated-job`/`global-job` and leaves untagged images as they are). It negotiates
 * down to the lab daemon's API 1.41.
 */
export const STACK_CLI = process.env.SK_STACK_CLI ?? '/usr/local/bin/docker';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd ?? REPO, env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** docker <args>; throws with stderr on a non-zero exit unless `allowFail`. */
export async function docker(args: string[], allowFail = false): Promise<RunResult> {
  const r = await run(DOCKER, args);
  if (r.code !== 0 && !allowFail)
    throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r;
}

/**
 * The environment both CLIs run with: docker and `swarmkeeper apply` both interpolate `${VAR}` from
 * their shell, so a variable the test runner happens to set (NODE_ENV=test under vitest) must reach
 * neither, or a `${NODE_ENV:-production}` would differ from what an operator's shell gives.
 */
function cliEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY'];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
}

/**
 * `docker stack deploy --resolve-image <mode> -c <file> <ns>` with the reference client. The corpus
 * compares `never` with swarmkeeper's `never` (its images are on registries the lab cannot reach);
 * image-pinning.test.ts compares the default (`always`) of both against the lab registry.
 */
export async function stackDeploy(
  file: string,
  ns: string,
  resolveImage: 'always' | 'changed' | 'never' = 'never',
): Promise<RunResult> {
  const args = ['stack', 'deploy', '--resolve-image', resolveImage, '-c', file, ns];
  const r = await run(STACK_CLI, args, { env: cliEnv() });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r;
}

export async function dockerJSON<T>(args: string[]): Promise<T> {
  return JSON.parse((await docker(args)).stdout) as T;
}

/** Object ids of one type carrying a label filter (`docker <type> ls -q --filter label=...`). */
export async function idsByLabel(
  type: 'service' | 'network' | 'config' | 'secret' | 'volume',
  label: string,
): Promise<string[]> {
  const r = await docker([type, 'ls', '-q', '--filter', `label=${label}`]);
  return r.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `node bin/swarmkeeper.js --instance-id <id> <args>` from the repository root. */
export function swarmkeeper(instanceId: string, args: string[]): Promise<RunResult> {
  return run(process.execPath, ['bin/swarmkeeper.js', '--instance-id', instanceId, ...args], {
    env: cliEnv(),
  });
}

export { pollUntil } from '../../helpers/poll.js';
