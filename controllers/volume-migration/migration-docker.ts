/**
 * The Docker calls of the volume migration's actors, as step failures (StepError, retryable unless
 * said otherwise): services on a manager (inspect, update with the change re-applied on `update out
 * of sequence`, their tasks) and a node's volumes.
 */
import type Docker from 'dockerode';
import { StepError } from '../../machines/step-policy.js';
import type { EngineServiceSpec } from '../../machines/volume-migration.services.js';
import type { ConsumerRecord } from '../../machines/volume-migration.types.js';
import { dockerMessage, isOutOfSequence, statusCodeOf } from '../docker/docker-errors.js';
import { delay } from '../docker/operations.js';
import { dockerRequest } from '../docker/request.js';
import { inspectVolume as inspectDockerVolume } from '../docker/volumes.js';

export function fail(op: string, e: unknown, retryable = true): never {
  if (e instanceof StepError) throw e;
  const status = statusCodeOf(e);
  const msg = status === undefined && e instanceof Error ? e.message : dockerMessage(e);
  throw new StepError(`${op}: ${msg}${status === undefined ? '' : ` (HTTP ${status})`}`, {
    retryable,
    cause: e,
  });
}

export async function call<T>(op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    fail(op, e);
  }
}

export interface EngineService {
  ID: string;
  Version: { Index: number };
  Spec: EngineServiceSpec;
}

export interface EngineTask {
  ID: string;
  DesiredState?: string;
  NodeID?: string;
  Status?: { State?: string; Err?: string };
}

export const TERMINAL_TASK_STATES = new Set([
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'remove',
  'orphaned',
]);

/** The volume on that daemon, undefined when there is none. */
export async function inspectVolume(docker: Docker, name: string, signal: AbortSignal) {
  return call(`inspect volume ${name}`, () => inspectDockerVolume(docker, name, signal));
}

export async function inspectService(
  manager: Docker,
  id: string,
  signal: AbortSignal,
): Promise<EngineService | undefined> {
  try {
    return await dockerRequest<EngineService>(manager, {
      method: 'GET',
      path: `/services/${encodeURIComponent(id)}`,
      signal,
    });
  } catch (e) {
    if (statusCodeOf(e) === 404) return undefined;
    fail(`inspect service ${id}`, e);
  }
}

/**
 * Applies `change` to the service's current spec and updates it with the current version; on
 * `update out of sequence` reads the service again and applies the change to what it is now.
 * Returns false when the service is gone (nothing to do) and true otherwise.
 */
export async function mutateService(
  manager: Docker,
  record: Pick<ConsumerRecord, 'id' | 'service'>,
  change: (spec: EngineServiceSpec) => EngineServiceSpec | undefined,
  signal: AbortSignal,
  retries = 5,
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const svc = await inspectService(manager, record.id, signal);
    if (svc === undefined) return false;
    const next = change(svc.Spec);
    if (next === undefined) return true;
    try {
      await dockerRequest(manager, {
        method: 'POST',
        path: `/services/${encodeURIComponent(svc.ID)}/update`,
        query: { version: svc.Version.Index },
        body: next,
        signal,
      });
      return true;
    } catch (e) {
      if (!isOutOfSequence(e) || attempt >= retries) fail(`update service ${record.service}`, e);
      await delay(50 * (attempt + 1), signal);
    }
  }
}

export async function tasksOf(
  manager: Docker,
  serviceId: string,
  signal: AbortSignal,
): Promise<EngineTask[]> {
  return call('list tasks', () =>
    dockerRequest<EngineTask[]>(manager, {
      method: 'GET',
      path: '/tasks',
      query: { filters: JSON.stringify({ service: [serviceId] }) },
      signal,
    }),
  );
}
