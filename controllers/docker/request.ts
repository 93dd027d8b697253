/**
 * One Docker API call through dockerode's modem, with full control of query and body.
 * (dockerode's own create helpers put every top-level option into the query string when the
 * path ends with `?`, which would put a secret's Data into a URL: never use them for writes.)
 */
import type Docker from 'dockerode';
import type { Sensitive } from '../../reconciler/model/sensitive.js';

export interface DockerRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'HEAD';
  path: string;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
  /** X-Registry-Auth value. */
  registryAuth?: Sensitive<string>;
  signal?: AbortSignal;
  /** Status codes that mean success (default 200, 201, 204). */
  ok?: number[];
}

interface ModemLike {
  dial(options: Record<string, unknown>, cb: (err: unknown, data: unknown) => void): void;
}

export function dockerRequest<T = unknown>(docker: Docker, req: DockerRequest): Promise<T> {
  const ok = req.ok ?? [200, 201, 204];
  const statusCodes: Record<number, true> = {};
  for (const c of ok) statusCodes[c] = true;
  const hasQuery = req.query !== undefined && Object.keys(req.query).length > 0;
  const options: Record<string, unknown> = {
    path: hasQuery ? `${req.path}?` : req.path,
    method: req.method,
    statusCodes,
    options: { _query: req.query ?? {}, _body: req.body ?? {} },
  };
  if (req.registryAuth) options.authconfig = { key: req.registryAuth.reveal() };
  if (req.signal) options.abortSignal = req.signal;
  const modem = docker.modem as unknown as ModemLike;
  return new Promise<T>((resolve, reject) => {
    modem.dial(options, (err, data) => (err ? reject(err) : resolve(data as T)));
  });
}
