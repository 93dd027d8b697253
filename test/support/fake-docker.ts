/**
 * A dockerode client whose modem answers from a handler instead of a socket, for unit tests
 * of the Docker adapter. Records every request (method, path without version, query, body, headers).
 */
import Docker from 'dockerode';

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  registryAuth?: string;
}

export type FakeReply = { status: number; json?: unknown };
export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

export function fakeDocker(handler: FakeHandler): { docker: Docker; requests: FakeRequest[] } {
  const docker = new Docker({ socketPath: '/nonexistent/docker.sock', host: undefined, version: 'v1.41' });
  const requests: FakeRequest[] = [];
  const modem = docker.modem as unknown as {
    dial: (o: Record<string, unknown>, cb: (e: unknown, d: unknown) => void) => void;
  };
  modem.dial = (o, cb) => {
    const opts = (o.options ?? {}) as { _query?: Record<string, unknown>; _body?: unknown } & Record<
      string,
      unknown
    >;
    const rawPath = String(o.path);
    const hasQuery = rawPath.includes('?');
    const query = hasQuery ? (opts._query ?? opts) : {};
    const body = o.method === 'POST' ? (opts._body ?? opts) : undefined;
    const auth = (o.authconfig as { key?: string } | undefined)?.key;
    const req: FakeRequest = {
      method: String(o.method),
      path: rawPath.replace(/\?$/, ''),
      query: { ...query },
      body,
    };
    if (auth) req.registryAuth = auth;
    requests.push(req);
    const statusCodes = o.statusCodes as Record<number, unknown>;
    Promise.resolve()
      .then(() => handler(req))
      .then(
        (reply) => {
          if (statusCodes[reply.status] === true) return cb(null, reply.json);
          const message = (reply.json as { message?: string } | undefined)?.message ?? '';
          const err = Object.assign(new Error(`(HTTP code ${reply.status}) unexpected - ${message} `), {
            statusCode: reply.status,
            json: reply.json,
          });
          cb(err, null);
        },
        (e: unknown) => cb(e, null),
      );
  };
  return { docker, requests };
}
