/**
 * Docker API errors (as dockerode/docker-modem reports them) -> SwarmkeeperError.
 * Messages name the operation and object and carry Docker's own message, never request bodies
 * (so never secret data).
 */
import { skError, type SwarmkeeperError } from '../../reconciler/errors.js';

interface ModemError {
  statusCode?: number;
  json?: unknown;
  message?: string;
}

export function statusCodeOf(e: unknown): number | undefined {
  const code = (e as ModemError | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Docker's own message: the JSON body's `message`, else the error message without modem decoration. */
export function dockerMessage(e: unknown): string {
  const json = (e as ModemError | undefined)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim();
  }
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim();
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** 404, or Engine 20.10's HTTP 500 `network <id> not found` (swarm object gone, node-local copy not yet). */
export function isNotFound(e: unknown): boolean {
  const code = statusCodeOf(e);
  return code === 404 || (code !== undefined && /\bnot found\b|\bno such\b/i.test(dockerMessage(e)));
}

export function isOutOfSequence(e: unknown): boolean {
  const code = statusCodeOf(e);
  return (code === 500 || code === 409) && /update out of sequence/i.test(dockerMessage(e));
}

/** `in use` / active endpoints: a network or config still referenced by tasks that are shutting down. */
export function isInUse(e: unknown): boolean {
  return /in use|active endpoints/i.test(dockerMessage(e));
}

export function wrapDockerError(e: unknown, op: string, kind: string, name: string): SwarmkeeperError {
  const status = statusCodeOf(e);
  const suffix = status === undefined ? '' : ` (HTTP ${status})`;
  return skError('DOCKER_API', `${op} ${kind} ${name}: ${dockerMessage(e)}${suffix}`, { cause: e });
}

/** Runs a list call for observe, wrapping failures as `list <what> (observe): ...`. */
export async function listCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw wrapDockerError(e, 'list', what, '(observe)');
  }
}
