/**
 * The lab side of the controller integration tests: the lab's variables from process.env, the
 * docker client for out-of-band changes, fast reads through the Engine API, the status hash in
 * Redis, and cleanup of everything one instance id left behind.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { LAB_SCRIPT } from '../../lab/lab.js';
import { REPO, waitFor } from './controller-process.js';

export const DOCKER_CLI = process.env['SK_DOCKER_CLI'] ?? '/usr/bin/docker';
export const LABEL_INSTANCE = 'swarmkeeper.io/instance';
export const LABEL_OWNER = 'swarmkeeper.io/owner';

export interface LabVars {
  dockerHost: string;
  redisUrl: string;
  labName: string;
}

/** DOCKER_HOST, REDIS_URL and LAB_NAME (set by the integration globalSetup, or by hand for dev runs). */
export function labVars(): LabVars {
  const need = (k: string): string => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set: run under the integration project or export the lab variables`);
    return v;
  };
  return {
    dockerHost: need('DOCKER_HOST'),
    redisUrl: need('REDIS_URL'),
    labName: process.env['LAB_NAME'] ?? 'sk',
  };
}

/** A short unique name part: [a-z0-9], starts with a letter. */
export function uniq(prefix: string): string {
  return `${prefix}${Date.now().toString(36).slice(-5)}${Math.random().toString(36).slice(2, 5)}`;
}

export function engine(): Docker {
  const host = labVars().dockerHost;
  if (!host.startsWith('unix://')) throw new Error(`DOCKER_HOST must be unix:// (got ${host})`);
  return new Docker({ socketPath: host.slice('unix://'.length) });
}

export interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: REPO, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `docker ARGS` against the lab (DOCKER_HOST); throws on a non-zero exit. */
export async function docker(...args: string[]): Promise<string> {
  const r = await exec(DOCKER_CLI, args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** `test/lab/lab ARGS` for the lab named by LAB_NAME. */
export async function lab(...args: string[]): Promise<string> {
  const r = await exec(LAB_SCRIPT, args, { ...process.env, LAB_NAME: labVars().labName });
  if (r.code !== 0) throw new Error(`lab ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

export interface ServiceSpecView {
  id: string;
  /** Version.Index: every update (ours or out of band) raises it. */
  version: number;
  name: string;
  image: string;
  env: string[];
  replicas: number | undefined;
  labels: Record<string, string>;
  /** UpdateStatus.State (absent before the first rolling update), from the same read as the rest. */
  updateState?: string;
}

interface RawService {
  ID: string;
  Version?: { Index?: number };
  UpdateStatus?: { State?: string };
  Spec: {
    Name: string;
    Labels?: Record<string, string>;
    TaskTemplate: { ContainerSpec?: { Image?: string; Env?: string[] } };
    Mode?: { Replicated?: { Replicas?: number } };
  };
}

function view(s: RawService): ServiceSpecView {
  return {
    id: s.ID,
    version: s.Version?.Index ?? 0,
    name: s.Spec.Name,
    image: s.Spec.TaskTemplate.ContainerSpec?.Image ?? '',
    env: s.Spec.TaskTemplate.ContainerSpec?.Env ?? [],
    replicas: s.Spec.Mode?.Replicated?.Replicas,
    labels: s.Spec.Labels ?? {},
    ...(s.UpdateStatus?.State ? { updateState: s.UpdateStatus.State } : {}),
  };
}

/** The spec of one service by exact name, or undefined when there is none. */
export async function serviceSpec(name: string): Promise<ServiceSpecView | undefined> {
  const list = (await engine().listServices({ filters: { name: [name] } })) as unknown as RawService[];
  const s = list.find((x) => x.Spec.Name === name);
  return s ? view(s) : undefined;
}

/** Every service (name + spec) labelled with this owner instance. */
export async function servicesOf(instanceId: string): Promise<ServiceSpecView[]> {
  const list = (await engine().listServices({
    filters: { label: [`${LABEL_INSTANCE}=${instanceId}`] },
  })) as unknown as RawService[];
  return list.map(view);
}

/** Running/desired task counts per service name (GET /services?status=true). */
export async function replicaStatus(
  instanceId: string,
): Promise<Map<string, { running: number; desired: number }>> {
  const list = (await engine().listServices({
    filters: { label: [`${LABEL_INSTANCE}=${instanceId}`] },
    status: true,
  } as never)) as unknown as (RawService & {
    ServiceStatus?: { RunningTasks: number; DesiredTasks: number };
  })[];
  return new Map(
    list.map((s) => [
      s.Spec.Name,
      { running: s.ServiceStatus?.RunningTasks ?? 0, desired: s.ServiceStatus?.DesiredTasks ?? 0 },
    ]),
  );
}

export interface NetworkView {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export async function networksOf(instanceId: string): Promise<NetworkView[]> {
  const list = await engine().listNetworks({ filters: { label: [`${LABEL_INSTANCE}=${instanceId}`] } });
  return list.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }));
}

export async function network(name: string): Promise<NetworkView | undefined> {
  const list = await engine().listNetworks({ filters: { name: [name] } });
  const n = list.find((x) => x.Name === name);
  return n ? { id: n.Id, name: n.Name, labels: n.Labels ?? {} } : undefined;
}

/** Waits until the node is Ready and the swarm answers (e.g. after a dockerd restart). */
export async function waitSwarmReady(timeoutMs = 60_000): Promise<void> {
  await waitFor(
    'swarm node Ready',
    timeoutMs,
    async () => {
      const nodes = await engine().listNodes();
      return nodes.length > 0 && nodes.every((n) => n.Status?.State === 'ready') ? true : undefined;
    },
    250,
  );
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface StoredStatus {
  conditions: Condition[];
  desiredHash?: string;
  services?: { name: string; desiredReplicas: number; runningReplicas: number }[];
  [k: string]: unknown;
}

/** Reads `swarmkeeper:<id>:status` fields. */
export class StatusReader {
  readonly redis: Redis;
  constructor(
    readonly instanceId: string,
    redisUrl = labVars().redisUrl,
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', () => undefined);
  }

  async get(key: string): Promise<StoredStatus | undefined> {
    const v = await this.redis.hget(`swarmkeeper:${this.instanceId}:status`, key);
    return v ? (JSON.parse(v) as StoredStatus) : undefined;
  }

  async condition(key: string, type: string): Promise<Condition | undefined> {
    return (await this.get(key))?.conditions.find((c) => c.type === type);
  }

  /** Deletes every `swarmkeeper:<id>:*` key. */
  async purge(): Promise<number> {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `swarmkeeper:${this.instanceId}:*`,
        'COUNT',
        500,
      );
      cursor = next;
      if (keys.length > 0) n += await this.redis.del(...keys);
    } while (cursor !== '0');
    return n;
  }

  close(): void {
    this.redis.disconnect();
  }
}

/**
 * Removes every Swarm object labelled with the instance id (services first, then networks and
 * configs once their tasks are gone), plus extra services/networks by name.
 */
export async function cleanupSwarm(
  instanceId: string,
  extra: { services?: string[]; networks?: string[] } = {},
): Promise<void> {
  const d = engine();
  const label = { label: [`${LABEL_INSTANCE}=${instanceId}`] };
  const services = [...(await servicesOf(instanceId)).map((s) => s.name), ...(extra.services ?? [])];
  await Promise.all(
    services.map((s) =>
      d
        .getService(s)
        .remove()
        .catch(() => undefined),
    ),
  );
  await waitFor(
    `removal of the objects of ${instanceId}`,
    90_000,
    async () => {
      const nets = [
        ...(await d.listNetworks({ filters: label })).map((n) => n.Name),
        ...(extra.networks ?? []),
      ];
      const configs = (await d.listConfigs({ filters: label })).map((c) => c.ID);
      const present = (await d.listNetworks()).filter((n) => nets.includes(n.Name));
      for (const n of present)
        await d
          .getNetwork(n.Id)
          .remove()
          .catch(() => undefined);
      for (const c of configs)
        await d
          .getConfig(c)
          .remove()
          .catch(() => undefined);
      const left = (await servicesOf(instanceId)).length + present.length + configs.length;
      return left === 0 ? true : undefined;
    },
    500,
  );
}

/** A temp directory for a dir source; `remove()` deletes it. */
export function tempSource(prefix: string): {
  dir: string;
  path: (...p: string[]) => string;
  remove: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    dir,
    path: (...p) => join(dir, ...p),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
