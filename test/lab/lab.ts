// Test helper around test/lab/lab: start/stop the lab and read its KEY=VALUE variables.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Path of the lab script (bash, needs root). */
export const LAB_SCRIPT = fileURLToPath(new URL('./lab', import.meta.url));

export type LabNodeRole = 'manager' | 'worker' | 'none';

export interface LabNode {
  /** 1-based node index (n1, n2, ...). */
  index: number;
  /** unix:///.../n<i>/docker.sock */
  dockerHost: string;
  /** Node address on the lab bridge, e.g. 10.77.0.11. */
  addr: string;
  netns: string;
  hostname: string;
  /** `none` for nodes added with `lab add-node` (not joined to the swarm). */
  role: LabNodeRole;
}

/** Everything `lab up` prints. Plain data: it crosses vitest's provide/inject boundary. */
export interface LabEnv {
  name: string;
  state: string;
  subnet: string;
  /** unix:///.../n1/docker.sock (the first manager). */
  dockerHost: string;
  redisUrl: string;
  nodes: LabNode[];
  /** host:port of the lab registry, when started with --registry. */
  registry?: string;
  /** Registry reference of the test volume plugin, when started with --plugin. */
  pluginRef?: string;
  /** The raw KEY=VALUE lines, for process.env of child processes. */
  vars: Record<string, string>;
}

export interface LabTarget {
  /** LAB_NAME (default `sk`). */
  name?: string;
  /** LAB_ROOT (default /var/lib/swarmkeeper-lab). */
  root?: string;
  /** LAB_SUBNET, e.g. `10.79.0` (default 10.77.0 for `sk`). */
  subnet?: string;
}

export interface LabUpOptions extends LabTarget {
  nodes?: number;
  managers?: number;
  registry?: boolean;
  plugin?: boolean;
}

const DEFAULT_ROOT = '/var/lib/swarmkeeper-lab';

/** Parses the KEY=VALUE lines of `lab up` / `lab env` / $STATE/env. */
export function parseLabEnv(text: string): LabEnv {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) vars[m[1]] = m[2];
  }
  const need = (key: string): string => {
    const v = vars[key];
    if (v === undefined) throw new Error(`lab output has no ${key}= line:\n${text}`);
    return v;
  };
  const nodes = need('LAB_NODES')
    .split(',')
    .filter((n) => n !== '')
    .map((n): LabNode => {
      const index = Number(n.replace(/^n/, ''));
      const p = `NODE_${index}_`;
      const role = need(`${p}ROLE`);
      if (role !== 'manager' && role !== 'worker' && role !== 'none') {
        throw new Error(`lab output: ${p}ROLE=${role} is not manager|worker|none`);
      }
      return {
        index,
        dockerHost: need(`${p}DOCKER_HOST`),
        addr: need(`${p}ADDR`),
        netns: need(`${p}NETNS`),
        hostname: need(`${p}HOSTNAME`),
        role,
      };
    });
  const env: LabEnv = {
    name: need('LAB_NAME'),
    state: need('LAB_STATE'),
    subnet: need('LAB_SUBNET'),
    dockerHost: need('DOCKER_HOST'),
    redisUrl: need('REDIS_URL'),
    nodes,
    vars,
  };
  if (vars.REGISTRY !== undefined) env.registry = vars.REGISTRY;
  if (vars.PLUGIN_REF !== undefined) env.pluginRef = vars.PLUGIN_REF;
  return env;
}

/** Socket path of a `unix://` DOCKER_HOST, for dockerode's `socketPath`. */
export function socketPath(dockerHost: string): string {
  if (!dockerHost.startsWith('unix://')) throw new Error(`not a unix:// docker host: ${dockerHost}`);
  return dockerHost.slice('unix://'.length);
}

function targetEnv(t: LabTarget): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (t.name !== undefined && t.name !== process.env.LAB_NAME) {
    // The inherited LAB_SUBNET belongs to the lab the globalSetup exported (another name): a second
    // lab must pick its own subnet.
    delete env.LAB_SUBNET;
  }
  if (t.name !== undefined) env.LAB_NAME = t.name;
  if (t.root !== undefined) env.LAB_ROOT = t.root;
  if (t.subnet !== undefined) env.LAB_SUBNET = t.subnet;
  return env;
}

/** Lines of a failed lab command's stderr quoted in the error, so CI logs that keep only the tail show why. */
const STDERR_TAIL_LINES = 30;

/** Runs `test/lab/lab ARGS`; diagnostics go to our stderr (and their tail into a failure's message), stdout is returned. */
export function runLab(args: string[], target: LabTarget = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(LAB_SCRIPT, args, { env: targetEnv(target), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let tail: string[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      process.stderr.write(b);
      tail = tail
        .concat(
          b
            .toString('utf8')
            .split('\n')
            .filter((l) => l !== ''),
        )
        .slice(-STDERR_TAIL_LINES);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(
            `lab ${args.join(' ')} failed (${signal ?? `exit ${code}`}); its stderr ended with:\n${tail.join('\n')}`,
          ),
        );
    });
  });
}

/** `lab up`: idempotent for a lab of the same shape. */
export async function labUp(opts: LabUpOptions = {}): Promise<LabEnv> {
  const args = ['up', '--nodes', String(opts.nodes ?? 1), '--managers', String(opts.managers ?? 1)];
  if (opts.registry === true) args.push('--registry');
  if (opts.plugin === true) args.push('--plugin');
  try {
    return parseLabEnv(await runLab(args, opts));
  } catch (err) {
    // A failed `up` has torn itself down; one more try, so a one-off failure of the machine (a package
    // mirror, a port taken in between) does not fail a whole suite. The first failure stays in the log.
    process.stderr.write(`[lab.ts] ${(err as Error).message}\n[lab.ts] trying lab up once more\n`);
    return parseLabEnv(await runLab(args, opts));
  }
}

/** `lab down`: idempotent. */
export async function labDown(target: LabTarget = {}): Promise<void> {
  await runLab(['down'], target);
}

/** The variables of a lab that `lab up` recorded, or undefined when there is none. */
export async function readLabEnv(target: LabTarget = {}): Promise<LabEnv | undefined> {
  const name = target.name ?? process.env.LAB_NAME ?? 'sk';
  const root = target.root ?? process.env.LAB_ROOT ?? DEFAULT_ROOT;
  try {
    return parseLabEnv(await readFile(`${root}/${name}/env`, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** `lab add-node`: a new dockerd (own netns, busybox image) that is NOT joined to the swarm. */
export async function labAddNode(target: LabTarget = {}): Promise<LabNode> {
  await runLab(['add-node'], target);
  const env = await readLabEnv(target);
  const node = env?.nodes.at(-1);
  if (node === undefined) throw new Error('lab add-node: no node recorded');
  return node;
}

/** `lab redis-restart`: same port, data is lost (no persistence). */
export async function labRedisRestart(target: LabTarget = {}): Promise<void> {
  await runLab(['redis-restart'], target);
}

/** `lab registry-stop` / `lab registry-start`: the registry unreachable, then back with the same storage. */
export async function labRegistry(action: 'stop' | 'start', target: LabTarget = {}): Promise<void> {
  await runLab([`registry-${action}`], target);
}

/** `lab dockerd-restart I`: TERM node I's dockerd and start it again (same socket, netns, data). */
export async function labDockerdRestart(index: number, target: LabTarget = {}): Promise<void> {
  await runLab(['dockerd-restart', String(index)], target);
}
