/**
 * The controller's HTTP server on node:http: a handful of exact routes (http-server.ts, webhook.ts,
 * registry-hook.ts), answered as fastify answered them before (the same status codes, JSON bodies,
 * `application/json; charset=utf-8`, 404 and 413 bodies, HEAD for every GET route, the 72 s
 * keep-alive). fastify and what it loads (ajv, fast-json-stringify, find-my-way, avvio, ~1.1 MB of
 * source) cost an idle controller ~5 MiB for five routes.
 *
 * `inject` runs a request through the same path without a socket (the tests' way in).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';

/** The largest request body read (the webhooks' limit): a longer one gets 413 and reaches no route. */
export const BODY_LIMIT = 5 * 1024 * 1024;

export interface HttpRequest {
  method: string;
  /** The path, without the query. */
  path: string;
  /** Query parameters; a repeated one is an array, as fastify's parser gave it. */
  query: Record<string, string | string[] | undefined>;
  headers: IncomingHttpHeaders;
  /** The raw body (empty when there is none). */
  body: Buffer;
  /** The peer's address. */
  ip: string | undefined;
}

export interface HttpReply {
  status: number;
  /** A string is sent as it is (with `contentType`), anything else as JSON. */
  body: unknown;
  contentType?: string;
}

export type Route = (req: HttpRequest) => Promise<HttpReply> | HttpReply;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** fastify's error bodies, key order included. */
function error(status: number, name: string, message: string, code?: string): Answer {
  const body =
    status === 404
      ? { message, error: name, statusCode: status }
      : { statusCode: status, ...(code ? { code } : {}), error: name, message };
  return { status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(body) };
}

export class BodyTooLarge extends Error {}

function parseQuery(search: string): HttpRequest['query'] {
  const out: HttpRequest['query'] = {};
  for (const [k, v] of new URLSearchParams(search)) {
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

export class HttpRouter {
  readonly #routes = new Map<string, Route>();
  #server: Server | undefined;

  get(path: string, route: Route): void {
    this.#routes.set(`GET ${path}`, route);
  }

  post(path: string, route: Route): void {
    this.#routes.set(`POST ${path}`, route);
  }

  /** The answer to one request whose body was read. */
  async answer(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer, ip?: string) {
    const q = url.indexOf('?');
    const path = decodePath(q < 0 ? url : url.slice(0, q));
    const head = method === 'HEAD';
    const route = this.#routes.get(`${head ? 'GET' : method} ${path}`);
    if (!route) return error(404, 'Not Found', `Route ${method}:${url} not found`);
    try {
      const reply: HttpReply = await route({
        method,
        path,
        query: parseQuery(q < 0 ? '' : url.slice(q + 1)),
        headers,
        body,
        ip,
      });
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      const contentType =
        reply.contentType ?? (typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : JSON_TYPE);
      return { status: reply.status, headers: { 'content-type': contentType }, body: text };
    } catch (e) {
      // a route that threw, or a reply that cannot be serialised
      return error(500, 'Internal Server Error', (e as Error).message ?? String(e));
    }
  }

  /** A request without a socket: the tests' `app.inject(...)`. */
  async inject(o: {
    method: string;
    url: string;
    payload?: string | Buffer | object;
    headers?: Record<string, string>;
    remoteAddress?: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as light-my-request's json()
  }): Promise<{ statusCode: number; headers: Record<string, string>; body: string; json(): any }> {
    const body =
      o.payload === undefined
        ? Buffer.alloc(0)
        : Buffer.isBuffer(o.payload)
          ? o.payload
          : Buffer.from(typeof o.payload === 'string' ? o.payload : JSON.stringify(o.payload));
    const headers: IncomingHttpHeaders = {};
    for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = v;
    const a =
      body.length > BODY_LIMIT
        ? tooLarge()
        : await this.answer(o.method.toUpperCase(), o.url, headers, body, o.remoteAddress ?? '127.0.0.1');
    return { statusCode: a.status, headers: a.headers, body: a.body, json: () => JSON.parse(a.body) };
  }

  /**
   * Listens on host:port (rejects when it cannot, e.g. EADDRINUSE). A request whose headers and
   * body have not all arrived within `requestTimeoutMs` (default 30 s; the webhooks' bodies are at
   * most 5 MiB) is answered 408 and its connection closed: a client that trickles bytes holds no
   * connection for ever.
   */
  listen(o: { host: string; port: number; requestTimeoutMs?: number }): Promise<void> {
    const requestTimeout = o.requestTimeoutMs ?? 30_000;
    const server = createServer(
      {
        // idle keep-alive connections live 72 s (fastify's default); a request gets requestTimeout,
        // checked at a quarter of it (Node's default check runs only every 30 s)
        keepAliveTimeout: 72_000,
        requestTimeout,
        headersTimeout: Math.min(requestTimeout, 60_000),
        connectionsCheckingInterval: Math.max(50, Math.min(Math.floor(requestTimeout / 4), 30_000)),
      },
      (req, res) => {
        void readBody(req)
          .then(
            async (body) => {
              const a = await this.answer(
                req.method ?? 'GET',
                req.url ?? '/',
                req.headers,
                body,
                req.socket.remoteAddress,
              );
              res.writeHead(a.status, { ...a.headers, 'content-length': String(Buffer.byteLength(a.body)) });
              res.end(req.method === 'HEAD' ? undefined : a.body);
            },
            (e: unknown) => {
              if (res.headersSent || res.destroyed) return; // Node answered it (408) or the client left
              const a =
                e instanceof BodyTooLarge ? tooLarge() : error(400, 'Bad Request', (e as Error).message);
              res.writeHead(a.status, { ...a.headers, connection: 'close' });
              res.end(a.body);
            },
          )
          // nothing a client sends may end the process with an unhandled rejection
          .catch(() => res.destroy());
      },
    );
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** The port it listens on (port 0 picks one), or undefined before listen. */
  port(): number | undefined {
    const a = this.#server?.address();
    return typeof a === 'object' && a ? a.port : undefined;
  }

  /** Stops accepting, closes idle connections, and resolves when the open ones are done. */
  close(): Promise<void> {
    const server = this.#server;
    if (!server?.listening) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }
}

/** `%xx` escapes decoded, as find-my-way matched them (`/metr%69cs` is /metrics); a bad one stays. */
function decodePath(path: string): string {
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function tooLarge(): Answer {
  return error(413, 'Payload Too Large', 'Request body is too large', 'FST_ERR_CTP_BODY_TOO_LARGE');
}

/** The request's body, refused past BODY_LIMIT (by its content-length at once, or while it streams). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > BODY_LIMIT) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    // cut off before its end (the request timeout, or the client left): settled, not left pending
    req.on('close', () => {
      if (!req.complete) reject(new Error('request closed before its end'));
    });
  });
}
