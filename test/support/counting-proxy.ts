/**
 * A counting HTTP proxy on its own unix socket in front of a Docker unix socket: tests point a
 * client at `socketPath` and then assert how many Docker API calls (and writes) were made.
 * Responses are piped, so streams (events, logs, attach without upgrade) pass through.
 * Upgrade/hijack is not supported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CountingProxy {
  /** The proxy's socket; use `unix://${socketPath}` as DOCKER_HOST. */
  readonly socketPath: string;
  /** `METHOD /path` (no query, API version prefix stripped) -> count. */
  counts(): Record<string, number>;
  /** Total requests. */
  total(): number;
  /** Requests that are not GET or HEAD. */
  writes(): number;
  /** `METHOD /path?query` of every request since the last reset, in order (query decoded). */
  requests(): string[];
  reset(): void;
  close(): Promise<void>;
}

export function stripVersion(path: string): string {
  return path.split('?')[0]!.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
}

export async function startCountingProxy(targetSocket: string): Promise<CountingProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'sk-proxy-'));
  const socketPath = join(dir, 'docker.sock');
  let counts = new Map<string, number>();
  let requests: string[] = [];

  const server = http.createServer((req, res) => {
    const key = `${req.method} ${stripVersion(req.url ?? '/')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const url = (req.url ?? '/').replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
    requests.push(`${req.method} ${decodeURIComponent(url)}`);
    const upstream = http.request(
      { socketPath: targetSocket, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.flushHeaders();
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `counting proxy: ${err.message}` }));
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });

  const writes = (): number => {
    let n = 0;
    for (const [key, c] of counts) if (!key.startsWith('GET ') && !key.startsWith('HEAD ')) n += c;
    return n;
  };

  return {
    socketPath,
    counts: () => Object.fromEntries(counts),
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    writes,
    requests: () => [...requests],
    reset: () => {
      counts = new Map();
      requests = [];
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
