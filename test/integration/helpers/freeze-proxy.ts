/**
 * A byte-level proxy (TCP or unix socket) in front of Redis or dockerd that can make its target
 * unreachable the two ways networks fail: `freeze()` (every connection, open or new, stays open and
 * silent: a blackhole, requests never answered) and `close()` (connections reset, the address
 * refuses). Stops only its own sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FreezeProxy {
  /** `host:port` for TCP, or the socket path. */
  readonly address: string;
  freeze(): void;
  close(): Promise<void>;
}

export async function startFreezeProxy(
  target: { port: number; host?: string } | { path: string },
  listen: 'tcp' | 'unix',
): Promise<FreezeProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    track(client);
    if (frozen) {
      client.pause(); // accepted, never answered
      return;
    }
    const upstream =
      'path' in target ? connect(target.path) : connect(target.port, target.host ?? '127.0.0.1');
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  let dir: string | undefined;
  let address: string;
  if (listen === 'unix') {
    dir = mkdtempSync(join(tmpdir(), 'sk-freeze-'));
    address = join(dir, 'proxy.sock');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address, resolve);
    });
  } else {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const a = server.address();
    address = `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  }
  return {
    address,
    freeze: () => {
      frozen = true;
      // open connections stop carrying bytes both ways, and stay open
      for (const s of sockets) {
        s.unpipe();
        s.pause();
      }
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
