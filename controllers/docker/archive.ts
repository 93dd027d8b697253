/**
 * The Docker archive API as streams: GET /containers/{id}/archive (a tar of a path) and PUT
 * /containers/{id}/archive (extract a streamed tar there), plus a bandwidth limiter for the pipe
 * between two daemons. Nothing is buffered whole.
 */
import type Docker from 'dockerode';
import { Transform, type Readable } from 'node:stream';

interface ModemLike {
  dial(options: Record<string, unknown>, cb: (err: unknown, data: unknown) => void): void;
}

function dial<T>(docker: Docker, options: Record<string, unknown>): Promise<T> {
  const modem = docker.modem as unknown as ModemLike;
  return new Promise<T>((resolve, reject) =>
    modem.dial(options, (err, data) => (err ? reject(err) : resolve(data as T))),
  );
}

/** GET /containers/{id}/archive?path=...: the tar stream. */
export function getArchive(docker: Docker, id: string, path: string, signal: AbortSignal): Promise<Readable> {
  return dial<Readable>(docker, {
    path: `/containers/${encodeURIComponent(id)}/archive?`,
    method: 'GET',
    isStream: true,
    statusCodes: { 200: true },
    options: { _query: { path } },
    abortSignal: signal,
  });
}

/** PUT /containers/{id}/archive?path=...: extracts the (streamed) tar there. */
export function putArchive(
  docker: Docker,
  id: string,
  path: string,
  body: Readable,
  signal: AbortSignal,
): Promise<unknown> {
  return dial(docker, {
    path: `/containers/${encodeURIComponent(id)}/archive?`,
    method: 'PUT',
    file: body,
    statusCodes: { 200: true },
    options: { _query: { path } },
    abortSignal: signal,
  });
}

/** A pass-through that holds chunks back to keep under `bytesPerSecond`. */
export function rateLimiter(bytesPerSecond: number): Transform {
  const started = Date.now();
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      const due = started + (sent / bytesPerSecond) * 1000;
      const wait = due - Date.now();
      if (wait <= 0) return cb(null, chunk);
      timer = setTimeout(() => cb(null, chunk), wait);
    },
    destroy(err, cb) {
      if (timer !== undefined) clearTimeout(timer);
      cb(err);
    },
  });
}
