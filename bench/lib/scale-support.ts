/**
 * Helpers of bench/scale.ts: the generated stacks, Docker's own reference timings (direct creates,
 * the list calls a pass makes, an out-of-band update), Redis memory, the controller's peak RSS and
 * (its pass log lines: passesLogged in common.ts).
 */
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { Redis } from 'ioredis';
import { dockerRequest } from '../../controllers/docker/request.js';
import { LABEL_INSTANCE, inBatches, inspectService, percentile, updateService } from './common.js';

export const CONSTRAINT = 'node.labels.skbench == never';

/** A stack of `services` services at replicas 0 (dnsrr, a constraint no node satisfies). */
export function stackFile(name: string, services: number): string {
  const lines = [`name: ${name}`, 'services:'];
  for (let s = 1; s <= services; s++)
    lines.push(
      `  svc${s}:`,
      '    image: local/busybox:1',
      '    command: ["sleep", "1000000"]',
      `    environment: { STACK: ${name}, SERVICE: "${s}" }`,
      '    deploy:',
      '      replicas: 0',
      '      endpoint_mode: dnsrr',
      `      placement: { constraints: ["${CONSTRAINT}"] }`,
    );
  return `${lines.join('\n')}\n`;
}

export async function redisUsedMemory(url: string): Promise<number> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return Number(/used_memory:(\d+)/.exec(await r.info('memory'))?.[1] ?? NaN);
  } finally {
    r.disconnect();
  }
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** VmHWM (peak RSS) and VmRSS of a process in MiB, from /proc/<pid>/status. */
export function memOf(pid: number): { peak: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1]);
  return { peak: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
}

/** Median, p95 and max of a sample, in whole ms. */
export function stats(samples: number[]): { p50: number; p95: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n);
  return { p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), max: r(s[s.length - 1] ?? NaN) };
}

/** Times `fn` `runs` times in a row. */
export async function timeCalls(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Docker's own creation rate: `n` services of the same shape as the stacks' (no network),
 * created straight through `POST /services/create`, `concurrency` at a time, labelled with
 * `instanceId` so that removeOwned finds them. Returns the wall time.
 */
export async function directCreates(
  docker: Docker,
  instanceId: string,
  n: number,
  concurrency: number,
): Promise<number> {
  const names = Array.from({ length: n }, (_, i) => `${instanceId}_ref${i}`);
  const t0 = performance.now();
  await inBatches(names, concurrency, async (name) => {
    await dockerRequest(docker, {
      method: 'POST',
      path: '/services/create',
      body: {
        Name: name,
        Labels: { [LABEL_INSTANCE]: instanceId },
        TaskTemplate: {
          ContainerSpec: {
            Image: 'local/busybox:1',
            Command: ['sleep', '1000000'],
            Env: [`SERVICE=${name}`],
          },
          Placement: { Constraints: [CONSTRAINT] },
        },
        Mode: { Replicated: { Replicas: 0 } },
        EndpointSpec: { Mode: 'dnsrr' },
      },
    });
  });
  return performance.now() - t0;
}

export interface DriftSample {
  /** Out-of-band update returned -> the Spec shows replicas 0 again. */
  back?: number;
  /** Docker's own time for the out-of-band `POST /services/{id}/update`. */
  update: number;
}

/**
 * One out-of-band `--replicas` change of service `name` (desired 0) and the time until the
 * controller put it back, polled every `pollMs` (undefined after `timeoutMs`).
 */
export async function driftOnce(
  docker: Docker,
  name: string,
  replicas: number,
  pollMs: number,
  timeoutMs: number,
): Promise<DriftSample> {
  const { sent: u0, returned: t0 } = await updateService(docker, name, (spec) => {
    spec.Mode = { Replicated: { Replicas: replicas } };
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await inspectService(docker, name)).Spec.Mode?.Replicated?.Replicas === 0)
      return { back: performance.now() - t0, update: t0 - u0 };
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return { update: t0 - u0 };
}
