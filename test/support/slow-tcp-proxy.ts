/**
 * A TCP proxy on 127.0.0.1 that holds every reply from the target for `delayMs` before passing it on
 * (requests go through at once). Tests put it in front of a server to make each round trip slow, so
 * that an event lands while a client waits for a reply.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';

export interface SlowTcpProxy {
  readonly port: number;
  close(): Promise<void>;
}

export function startSlowTcpProxy(targetPort: number, delayMs: number): Promise<SlowTcpProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => setTimeout(() => client.destroyed || client.write(d), delayMs));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => setTimeout(() => client.destroy(), delayMs));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}
