/**
 * Shared bench helpers: environment, machine description, percentiles, polling with a deadline,
 * figure lines, and cleanup of the Swarm objects and Redis keys a bench created.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { dockerRequest } from '../../controllers/docker/request.js';

export const LABEL_INSTANCE = 'swarmkeeper.io/instance';

export interface BenchEnv {
  dockerHost: string;
  /** Path of the Docker unix socket (DOCKER_HOST must be unix://). */
  socketPath: string;
  redisUrl: string;
}

export function benchEnv(): BenchEnv {
  const dockerHost = process.env['DOCKER_HOST'] ?? '';
  const redisUrl = process.env['REDIS_URL'] ?? '';
  if (!dockerHost.startsWith('unix://') || !redisUrl) {
    process.stderr.write(
      'bench: set DOCKER_HOST=unix:///path/docker.sock and REDIS_URL=redis://host:port (e.g. from `test/lab/lab up`)\n',
    );
    process.exit(2);
  }
  return { dockerHost, socketPath: dockerHost.slice('unix://'.length), redisUrl };
}

export function dockerFor(socketPath: string): Docker {
  return new Docker({ socketPath, version: 'v1.41' });
}

/** A unique, Docker-name-safe id for this run (`skb` + 6 base-36 chars). */
export function runId(prefix = 'skb'): string {
  return `${prefix}${Math.random().toString(36).slice(2, 8)}`;
}

export function tempDir(name: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `${name}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Prints the command line and the machine, so a figure can be reproduced and compared. */
export async function printHeader(title: string, docker?: Docker): Promise<void> {
  const line = (s: string) => process.stdout.write(`${s}\n`);
  line(`# ${title}`);
  line(
    `command: npx tsx ${process.argv
      .slice(1)
      .map((a) => a.replace(process.cwd() + '/', ''))
      .join(' ')}`,
  );
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  line(
    `machine: nproc ${nprocs()}, ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, node ${process.version}, ${process.platform}/${process.arch}`,
  );
  line(`load: ${loadAverage()} (1/5/15 min; other work on the machine skews every figure)`);
  if (docker) {
    const v = (await docker.version()) as { Version?: string; ApiVersion?: string };
    line(`docker: engine ${v.Version ?? '?'}, API ${v.ApiVersion ?? '?'}`);
  }
}

export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

function nprocs(): string {
  try {
    return execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    return String(cpus().length);
  }
}

/** A figure on its own line; run-all.sh collects the lines that start with `FIGURE `. */
export function figure(text: string): void {
  process.stdout.write(`FIGURE ${text}\n`);
}

export function info(text: string): void {
  process.stdout.write(`  ${text}\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function ms(n: number): string {
  return `${Math.round(n)} ms`;
}

/** Polls `fn` until it returns a non-undefined value or the deadline passes (then throws). */
export async function pollUntil<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  opts: { timeoutMs: number; everyMs?: number },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 50));
  }
}

/** Removes every service, then every network, config and secret labelled with this instance id. */
export async function removeOwned(docker: Docker, instanceId: string): Promise<number> {
  const filters = JSON.stringify({ label: [`${LABEL_INSTANCE}=${instanceId}`] });
  let removed = 0;
  const services = (await docker.listServices({ filters } as never)) as unknown as { ID: string }[];
  await inBatches(services, 16, async (s) => {
    await docker.getService(s.ID).remove();
    removed++;
  });
  // 60 s, plus 50 ms per object at scale (bench/scale.ts: 2,000 networks after 10,000 services)
  const deadline = Date.now() + 60_000 + 50 * services.length;
  for (;;) {
    const nets = (await docker.listNetworks({ filters } as never)) as unknown as { Id: string }[];
    const configs = (await docker.listConfigs({ filters } as never)) as unknown as { ID: string }[];
    const secrets = (await docker.listSecrets({ filters } as never)) as unknown as { ID: string }[];
    if (nets.length + configs.length + secrets.length === 0) return removed;
    const removals = [
      ...nets.map((n) => () => docker.getNetwork(n.Id).remove()),
      ...configs.map((c) => () => docker.getConfig(c.ID).remove()),
      ...secrets.map((c) => () => docker.getSecret(c.ID).remove()),
    ];
    // bounded: at most 16 removals in flight, whatever the number of objects
    await inBatches(removals, 16, async (remove) => {
      await remove().then(
        () => removed++,
        () => undefined,
      );
    });
    // A network stays "in use" until the removed services' tasks are gone.
    if (Date.now() > deadline)
      throw new Error(`cleanup: objects of ${instanceId} still present after the deadline`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function inBatches<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/** Deletes every Redis key matching `pattern` (SCAN, never KEYS). Returns the count. */
export async function deleteRedisKeys(redisUrl: string, pattern: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  let n = 0;
  try {
    let cursor = '0';
    do {
      const [c, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = c;
      if (keys.length > 0) n += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return n;
}

/** A run's cleanup: every Swarm object of the instance (timed, a failure printed), then its Redis keys. */
export async function cleanUpInstance(docker: Docker, id: string, redisUrl: string): Promise<void> {
  const t = performance.now();
  const removed = await removeOwned(docker, id).catch((e: unknown) => {
    info(`cleanup failed: ${(e as Error).message}`);
    return 0;
  });
  info(`cleanup: removed ${removed} Swarm objects in ${ms(performance.now() - t)}`);
  await deleteRedisKeys(redisUrl, `swarmkeeper:${id}:*`);
}

/** A service as `GET /services/{id}` returns it; `S`: the part of its Spec a bench reads or edits. */
export interface ServiceInfo<S = ReplicatedSpec> {
  ID: string;
  Version: { Index: number };
  Spec: S;
}

export type ReplicatedSpec = { Mode?: { Replicated?: { Replicas?: number } } } & Record<string, unknown>;

export function inspectService<S = ReplicatedSpec>(docker: Docker, name: string): Promise<ServiceInfo<S>> {
  return dockerRequest<ServiceInfo<S>>(docker, { method: 'GET', path: `/services/${name}` });
}

/**
 * An out-of-band change as `docker service update` makes it: the service's current spec, edited
 * by `edit`, sent with its version. Returns when the update call was sent and when it returned.
 */
export async function updateService<S = ReplicatedSpec>(
  docker: Docker,
  name: string,
  edit: (spec: S) => void,
): Promise<{ sent: number; returned: number }> {
  const s = await inspectService<S>(docker, name);
  const spec = structuredClone(s.Spec);
  edit(spec);
  const sent = performance.now();
  await dockerRequest(docker, {
    method: 'POST',
    path: `/services/${s.ID}/update`,
    query: { version: s.Version.Index },
    body: spec,
  });
  return { sent, returned: performance.now() };
}

/** What a controller logs at the end of its share of a periodic resync pass. */
export interface PassDone {
  ms: number;
  inProcess: number;
  queued: number;
}

/**
 * The periodic passes a controller logged so far, from its JSON log: `resync share done` (one per
 * replica's share of a pass: a whole pass for a replica alone), or `resync pass done` (the builds
 * before the replicas shared the passes).
 */
export function passesLogged(logFile: string): PassDone[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(
      (l) => l.startsWith('{') && (l.includes('"resync share done"') || l.includes('"resync pass done"')),
    )
    .map((l) => JSON.parse(l) as PassDone);
}
