/**
 * A throwaway redis-server for unit tests: started on a free loopback port without persistence,
 * ready once it answers PING (polled with a deadline), stopped by its own pid.
 */
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM to this server's pid (SIGKILL if it has not exited within 5 s); resolves once it exited. */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** One PING over a fresh socket: true on +PONG. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

export async function startRedis(deadlineMs = 10_000): Promise<TestRedis> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${REDIS_SERVER} did not start`);
  const stop = async (): Promise<void> => {
    if (exitCode !== undefined) return;
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => exitCode === undefined && process.kill(pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + deadlineMs;
  while (!(await pings(port))) {
    if (exitCode !== undefined) throw new Error(`redis-server on port ${port} exited with ${exitCode}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} not ready within ${deadlineMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid, stop };
}

/**
 * One server and one client for a test file, emptied before each test: registers the vitest hooks and
 * hands both to `use` once started (in beforeAll).
 */
export function redisForFile(use: (redis: Redis, server: TestRedis) => void): void {
  let server: TestRedis | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: null });
    use(redis, server);
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });
  beforeEach(async () => {
    await redis?.flushall();
  });
}
