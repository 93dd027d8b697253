/**
 * Upper bounds on what one stack may ask of the Swarm. Swarm itself takes `replicas: 4294967297`
 * (a uint64) and its manager then tries to schedule it; these bounds refuse such input offline.
 * The operator raises them with one option, `--limits replicas=5000,bytes=4t`.
 */
import type { PathSegment, Problems } from '../compose/problems.js';
import type { ComposeProject, ComposeService } from '../compose/types.js';
import { parseDuration } from '../units/duration.js';
import { parseByteSize } from '../units/size.js';

export interface Limits {
  /** deploy.replicas (and job max_concurrent/total_completions when present). */
  replicas: number;
  /** deploy.placement.max_replicas_per_node. */
  replicasPerNode: number;
  /** deploy.update_config/rollback_config.parallelism. */
  parallelism: number;
  /** Services in one stack. */
  services: number;
  /** Published ports of one service. */
  ports: number;
  /** Mounts (volumes) of one service. */
  mounts: number;
  /** Networks one service attaches to. */
  networks: number;
  /** Every ulimit's soft and hard value (-1, unlimited, is always accepted). */
  ulimit: number;
  /** Every byte size: memory limits and reservations, tmpfs sizes. */
  bytes: number;
  /** Every duration, in nanoseconds: healthcheck, stop_grace_period, restart and update delays. */
  durationNs: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  replicas: 1000,
  replicasPerNode: 1000,
  parallelism: 1000,
  services: 500,
  ports: 100,
  mounts: 100,
  networks: 50,
  ulimit: 1_073_741_824,
  bytes: 1024 ** 4,
  durationNs: 8760 * 3600e9,
};

const KEYS: Record<string, keyof Limits> = {
  replicas: 'replicas',
  replicasPerNode: 'replicasPerNode',
  parallelism: 'parallelism',
  services: 'services',
  ports: 'ports',
  mounts: 'mounts',
  networks: 'networks',
  ulimit: 'ulimit',
  bytes: 'bytes',
  duration: 'durationNs',
};

/** The option key of a limit, as the operator writes it (`duration`, not `durationNs`). */
function optionKey(k: keyof Limits): string {
  return k === 'durationNs' ? 'duration' : k;
}

/** `replicas=5000,bytes=4t,duration=87600h` over the defaults; throws naming the bad part. */
export function parseLimits(text: string, base: Readonly<Limits> = DEFAULT_LIMITS): Limits {
  const out: Limits = { ...base };
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const eq = part.indexOf('=');
    const key = KEYS[part.slice(0, eq).trim()];
    const value = part.slice(eq + 1).trim();
    if (eq < 0 || key === undefined)
      throw new Error(
        `--limits ${text}: "${part}" is not KEY=VALUE with KEY one of ${Object.keys(KEYS).join(', ')}`,
      );
    const n =
      key === 'bytes'
        ? parseByteSize(value)
        : key === 'durationNs'
          ? parseDuration(value)
          : /^\d+$/.test(value)
            ? Number(value)
            : undefined;
    if (n === undefined || n < 0 || !(key === 'durationNs' ? Number.isFinite(n) : Number.isSafeInteger(n)))
      throw new Error(
        `--limits ${text}: ${optionKey(key)}=${value}: expected ${key === 'bytes' ? 'a byte size such as 4t' : key === 'durationNs' ? 'a duration such as 87600h' : 'a non-negative integer'}`,
      );
    out[key] = n;
  }
  return out;
}

function show(key: keyof Limits, n: number): string {
  if (key === 'bytes') return `${n} bytes`;
  if (key === 'durationNs')
    return Number.isInteger(n / 3600e9) ? `${n / 3600e9}h` : `${(n / 3600e9).toFixed(1)}h`;
  return String(n);
}

/** Every value of the stack above its bound, as a problem naming the bound and how to raise it. */
export function checkLimits(project: ComposeProject, limits: Readonly<Limits>, problems: Problems): void {
  const over = (path: PathSegment[], key: keyof Limits, value: number, what: string) => {
    if (value <= limits[key]) return;
    const shown = key === 'bytes' || key === 'durationNs' ? show(key, value) : String(value);
    problems.add(
      'LIMIT_EXCEEDED',
      path,
      `${what} ${shown} is above the bound ${show(key, limits[key])} (raise it with --limits ${optionKey(key)}=N)`,
    );
  };
  const services = Object.keys(project.services);
  over(['services'], 'services', services.length, 'the number of services');
  for (const [name, svc] of Object.entries(project.services)) checkService(['services', name], svc, over);
}

type Over = (path: PathSegment[], key: keyof Limits, value: number, what: string) => void;

function checkService(base: PathSegment[], svc: ComposeService, over: Over): void {
  const d = svc.deploy;
  const dd = d as Record<string, unknown> | undefined;
  if (d?.replicas !== undefined) over([...base, 'deploy', 'replicas'], 'replicas', d.replicas, 'replicas');
  for (const job of ['max_concurrent', 'total_completions']) {
    const v = dd?.[job];
    if (typeof v === 'number') over([...base, 'deploy', job], 'replicas', v, job);
  }
  const perNode = d?.placement?.max_replicas_per_node;
  if (perNode !== undefined)
    over(
      [...base, 'deploy', 'placement', 'max_replicas_per_node'],
      'replicasPerNode',
      perNode,
      'max_replicas_per_node',
    );
  for (const u of ['update_config', 'rollback_config'] as const) {
    const c = d?.[u];
    if (c?.parallelism !== undefined)
      over([...base, 'deploy', u, 'parallelism'], 'parallelism', c.parallelism, 'parallelism');
    if (c?.delay !== undefined) over([...base, 'deploy', u, 'delay'], 'durationNs', c.delay, 'the duration');
    if (c?.monitor !== undefined)
      over([...base, 'deploy', u, 'monitor'], 'durationNs', c.monitor, 'the duration');
  }
  for (const f of ['delay', 'window'] as const) {
    const v = d?.restart_policy?.[f];
    if (v !== undefined) over([...base, 'deploy', 'restart_policy', f], 'durationNs', v, 'the duration');
  }
  for (const kind of ['limits', 'reservations'] as const) {
    const mem = d?.resources?.[kind]?.memory;
    if (mem !== undefined) over([...base, 'deploy', 'resources', kind, 'memory'], 'bytes', mem, 'the size');
  }
  for (const f of ['interval', 'timeout', 'start_period'] as const) {
    const v = svc.healthcheck?.[f];
    if (v !== undefined) over([...base, 'healthcheck', f], 'durationNs', v, 'the duration');
  }
  if (svc.stop_grace_period !== undefined)
    over([...base, 'stop_grace_period'], 'durationNs', svc.stop_grace_period, 'the duration');
  over([...base, 'ports'], 'ports', svc.ports?.length ?? 0, 'the number of ports');
  over([...base, 'volumes'], 'mounts', svc.volumes?.length ?? 0, 'the number of mounts');
  over([...base, 'networks'], 'networks', Object.keys(svc.networks ?? {}).length, 'the number of networks');
  svc.volumes?.forEach((v, i) => {
    if (v.type === 'tmpfs' && v.tmpfs?.size !== undefined)
      over([...base, 'volumes', i, 'tmpfs', 'size'], 'bytes', v.tmpfs.size, 'the size');
  });
  for (const [name, u] of Object.entries(svc.ulimits ?? {})) {
    for (const f of ['soft', 'hard'] as const) {
      const v = u[f];
      if (v > 0) over([...base, 'ulimits', name, f], 'ulimit', v, 'the ulimit');
    }
  }
}
