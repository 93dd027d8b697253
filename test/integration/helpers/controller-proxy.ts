/**
 * A slow-writes HTTP proxy on its own unix socket in front of the lab's Docker socket: requests whose
 * `METHOD /path` matches are forwarded one at a time, each after `delayMs`. A request whose client
 * went away while it waited (a SIGKILLed controller) is dropped, never forwarded. Everything else,
 * including the events stream, is piped through untouched. Used to make "mid-apply" observable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SlowProxy {
  /** Use `unix://${socketPath}` as DOCKER_HOST. */
  readonly socketPath: string;
  /** Slowed requests forwarded, and dropped because their client had gone. */
  stats(): { forwarded: number; dropped: number };
  close(): Promise<void>;
}

export async function startSlowProxy(
  targetSocket: string,
  slow: RegExp,
  delayMs: number,
): Promise<SlowProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'sk-slow-'));
  const socketPath = join(dir, 'docker.sock');
  let gate: Promise<void> = Promise.resolve();
  let forwarded = 0;
  let dropped = 0;

  const forward = (req: http.IncomingMessage, res: http.ServerResponse): void => {
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
      res.end(JSON.stringify({ message: `slow proxy: ${err.message}` }));
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
    if (!slow.test(`${req.method} ${path}`)) return forward(req, res);
    let gone = false;
    res.on('close', () => {
      gone = true;
    });
    const turn = gate.then(() => new Promise<void>((r) => setTimeout(r, delayMs)));
    gate = turn;
    void turn.then(() => {
      if (gone || req.socket.destroyed) {
        dropped += 1;
        return;
      }
      forwarded += 1;
      forward(req, res);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    socketPath,
    stats: () => ({ forwarded, dropped }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
