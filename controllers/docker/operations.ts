/**
 * Single-object Docker operations used by apply: create, update (with `update out of sequence`
 * retries), remove (404 = already gone), each wrapping failures as SK_ERR_DOCKER_API with
 * `<op> <kind> <name>: <docker message>`.
 */
import type Docker from 'dockerode';
import { skError } from '../../reconciler/errors.js';
import type { ServiceSpec } from '../../reconciler/model/engine-types.js';
import type { DesiredObject, ObjectKind } from '../../reconciler/model/objects.js';
import type { Sensitive } from '../../reconciler/model/sensitive.js';
import { jitter } from '../../reconciler/units/backoff.js';
import { isInUse, isNotFound, isOutOfSequence, wrapDockerError } from './docker-errors.js';
import { dockerRequest } from './request.js';

export interface OpContext {
  docker: Docker;
  signal?: AbortSignal;
  registryAuth?: (image: string) => Sensitive<string> | undefined;
  /** Retries after `update out of sequence` (default 5). */
  updateRetries?: number;
  /** Base backoff between update retries in ms (default 50; jittered, grows linearly). */
  retryDelayMs?: number;
  /** How long removing a network waits for tasks that still use it (default 60 s). */
  inUseTimeoutMs?: number;
}

const PATHS: Record<ObjectKind, string> = {
  network: '/networks',
  volume: '/volumes',
  config: '/configs',
  secret: '/secrets',
  service: '/services',
};

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Linear growth, ±50% jitter: update retries after `update out of sequence`. */
const retryDelay = (base: number, attempt: number): number => Math.round(jitter(base * (attempt + 1), 0.5));

/** The request body of a create; a secret's Data is revealed here and nowhere else. */
function createBody(desired: DesiredObject): { path: string; body: unknown } {
  switch (desired.kind) {
    case 'network': {
      const s = desired.spec;
      return { path: '/networks/create', body: { ...s, CheckDuplicate: true } };
    }
    case 'volume':
      return { path: '/volumes/create', body: desired.spec };
    case 'config':
      return { path: '/configs/create', body: desired.spec };
    case 'secret': {
      const { Data, ...rest } = desired.spec;
      return { path: '/secrets/create', body: { ...rest, Data: Data.reveal() } };
    }
    case 'service':
      return { path: '/services/create', body: desired.spec };
  }
}

/** Creates any object; returns its id (the name for volumes). */
export async function createObject(
  ctx: OpContext,
  desired: DesiredObject,
  spec?: ServiceSpec,
): Promise<string> {
  const { path, body } = createBody(desired);
  const image =
    desired.kind === 'service' ? (spec ?? desired.spec).TaskTemplate.ContainerSpec.Image : undefined;
  try {
    const res = await dockerRequest<{ ID?: string; Id?: string; Name?: string }>(ctx.docker, {
      method: 'POST',
      path,
      body: desired.kind === 'service' && spec ? spec : body,
      registryAuth: image ? ctx.registryAuth?.(image) : undefined,
      signal: ctx.signal,
    });
    return res.ID ?? res.Id ?? res.Name ?? desired.name;
  } catch (e) {
    throw wrapDockerError(e, 'create', desired.kind, desired.name);
  }
}

export interface RawServiceInfo {
  ID: string;
  Version: { Index: number };
  Spec: ServiceSpec;
}

export async function inspectService(ctx: OpContext, idOrName: string): Promise<RawServiceInfo> {
  try {
    return await dockerRequest<RawServiceInfo>(ctx.docker, {
      method: 'GET',
      path: `/services/${encodeURIComponent(idOrName)}`,
      signal: ctx.signal,
    });
  } catch (e) {
    throw wrapDockerError(e, 'inspect', 'service', idOrName);
  }
}

/**
 * POST /services/{id}/update?version=N with the full spec. On `update out of sequence`
 * re-reads the service's version and retries (jittered backoff); exhausted -> SK_ERR_UPDATE_CONFLICT.
 */
export async function updateService(
  ctx: OpContext,
  id: string,
  name: string,
  version: number | undefined,
  spec: ServiceSpec,
): Promise<void> {
  const retries = ctx.updateRetries ?? 5;
  let v = version ?? (await inspectService(ctx, id)).Version.Index;
  for (let attempt = 0; ; attempt++) {
    try {
      await dockerRequest(ctx.docker, {
        method: 'POST',
        path: `/services/${encodeURIComponent(id)}/update`,
        query: { version: v },
        body: spec,
        registryAuth: ctx.registryAuth?.(spec.TaskTemplate.ContainerSpec.Image),
        signal: ctx.signal,
      });
      return;
    } catch (e) {
      if (!isOutOfSequence(e)) throw wrapDockerError(e, 'update', 'service', name);
      if (attempt >= retries) {
        throw skError(
          'UPDATE_CONFLICT',
          `update service ${name}: update out of sequence after ${retries} retries (the service keeps changing)`,
          { cause: e },
        );
      }
    }
    await delay(retryDelay(ctx.retryDelayMs ?? 50, attempt), ctx.signal);
    v = (await inspectService(ctx, id)).Version.Index;
  }
}

/**
 * Updates the labels of a config or secret (all the Engine allows to change): Name and Labels, plus
 * a config's unchanged Data; never a secret's Data.
 */
export async function updateLabels(
  ctx: OpContext,
  desired: DesiredObject & { kind: 'config' | 'secret' },
  id: string,
  version: number | undefined,
): Promise<void> {
  const body =
    desired.kind === 'config'
      ? { Name: desired.spec.Name, Labels: desired.spec.Labels ?? {}, Data: desired.spec.Data }
      : { Name: desired.spec.Name, Labels: desired.spec.Labels ?? {} };
  try {
    let v = version;
    if (v === undefined) {
      const info = await dockerRequest<{ Version: { Index: number } }>(ctx.docker, {
        method: 'GET',
        path: `${PATHS[desired.kind]}/${encodeURIComponent(id)}`,
        signal: ctx.signal,
      });
      v = info.Version.Index;
    }
    await dockerRequest(ctx.docker, {
      method: 'POST',
      path: `${PATHS[desired.kind]}/${encodeURIComponent(id)}/update`,
      query: { version: v },
      body,
      signal: ctx.signal,
    });
  } catch (e) {
    throw wrapDockerError(e, 'update', desired.kind, desired.name);
  }
}

/**
 * Removes an object; a missing object counts as removed. Networks still used by tasks that are
 * shutting down (right after their service was removed) are retried until inUseTimeoutMs.
 */
export async function removeObject(
  ctx: OpContext,
  kind: ObjectKind,
  id: string,
  name: string,
): Promise<void> {
  const deadline = Date.now() + (ctx.inUseTimeoutMs ?? 60_000);
  for (let attempt = 0; ; attempt++) {
    try {
      await dockerRequest(ctx.docker, {
        method: 'DELETE',
        path: `${PATHS[kind]}/${encodeURIComponent(id)}`,
        signal: ctx.signal,
      });
      return;
    } catch (e) {
      if (isNotFound(e)) return;
      const retryable = kind === 'network' && isInUse(e) && Date.now() < deadline;
      if (!retryable) throw wrapDockerError(e, 'remove', kind, name);
    }
    await delay(Math.min(1000, 100 * (attempt + 1)), ctx.signal);
  }
}

/**
 * After removing a swarm network, the node keeps a local copy until the tasks that used it are
 * gone, and a create with the same name fails (`already exists`) meanwhile: poll until the old
 * id is not found, within inUseTimeoutMs.
 */
export async function waitNetworkGone(ctx: OpContext, id: string, name: string): Promise<void> {
  const timeout = ctx.inUseTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeout;
  for (let attempt = 0; ; attempt++) {
    try {
      await dockerRequest(ctx.docker, {
        method: 'GET',
        path: `/networks/${encodeURIComponent(id)}`,
        signal: ctx.signal,
      });
    } catch (e) {
      if (isNotFound(e)) return;
      throw wrapDockerError(e, 'inspect', 'network', name);
    }
    if (Date.now() >= deadline) {
      throw skError(
        'DOCKER_API',
        `recreate network ${name}: the old network is still in use after ${timeout / 1000}s`,
      );
    }
    await delay(Math.min(500, 100 * (attempt + 1)), ctx.signal);
  }
}

/** Looks up ids of configs or secrets by exact name with ONE list call. */
export async function idsByName(
  ctx: OpContext,
  kind: 'config' | 'secret',
  names: string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  let list: { ID: string; Spec: { Name: string } }[];
  try {
    list = await dockerRequest(ctx.docker, {
      method: 'GET',
      path: PATHS[kind],
      query: { filters: JSON.stringify({ name: [...new Set(names)] }) },
      signal: ctx.signal,
    });
  } catch (e) {
    throw wrapDockerError(e, 'list', `${kind}s`, names.join(','));
  }
  for (const item of list) if (names.includes(item.Spec.Name)) out.set(item.Spec.Name, item.ID);
  return out;
}
