/** Child processes for integration tests: the swarmkeeper CLI (built, from dist/) and the docker client. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
export const DOCKER = process.env['SK_DOCKER_CLI'] ?? '/usr/bin/docker';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: REPO, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The socket path of DOCKER_HOST (unix://...), e.g. to put a counting proxy in front of it. */
export function dockerSocketPath(): string {
  const host = process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
  if (!host.startsWith('unix://'))
    throw new Error(`DOCKER_HOST must be a unix socket for these tests (got ${host})`);
  return host.slice('unix://'.length);
}

/** Throws unless `npm run build` has produced dist/ (the CLI runs from there). */
export function assertBuilt(): void {
  if (!existsSync(`${REPO}dist/controllers/cli/main.js`))
    throw new Error('dist/ is missing: run `npm run build` first');
}

export interface CliOptions {
  instanceId: string;
  /** Socket to talk to instead of DOCKER_HOST (a counting proxy's socketPath). */
  socketPath?: string;
}

/** `node bin/swarmkeeper.js --instance-id <id> <args>` from the repository root. */
export function swarmkeeper(opts: CliOptions, args: string[]): Promise<RunResult> {
  const env = { ...process.env, ...(opts.socketPath ? { DOCKER_HOST: `unix://${opts.socketPath}` } : {}) };
  return run(process.execPath, ['bin/swarmkeeper.js', '--instance-id', opts.instanceId, ...args], env);
}

/** Formats a result for assertion messages. */
export function show(r: RunResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** docker <args>; throws with stderr on a non-zero exit unless `allowFail`. */
export async function docker(args: string[], allowFail = false): Promise<RunResult> {
  const r = await run(DOCKER, args);
  if (r.code !== 0 && !allowFail)
    throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r;
}

export async function dockerJSON<T>(args: string[]): Promise<T> {
  return JSON.parse((await docker(args)).stdout) as T;
}
