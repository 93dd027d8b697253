/**
 * A Redis Sentinel set on loopback for tests and benches: a primary, a replica and three sentinels,
 * each its own redis-server process (sentinels run as `redis-server CONF --sentinel`, the mode
 * Debian's redis-sentinel package starts), each on a free 127.0.0.1 port with its config in a temp
 * dir, each stopped by its own pid. Every server requires `password`; quorum 2.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, REDIS_SERVER } from './redis-server.js';
import { pollUntil } from '../integration/helpers/poll.js';

export interface SentinelSetOptions {
  /** Master group name (default `skm`). */
  master?: string;
  /** requirepass/masterauth of the data servers and sentinel auth-pass (default: one with an @). */
  password?: string;
  downAfterMs?: number;
  failoverTimeoutMs?: number;
}

export interface RedisProcess {
  readonly role: 'primary' | 'replica' | 'sentinel';
  readonly port: number;
  readonly pid: number;
  readonly alive: boolean;
  /** SIGKILL by pid; resolves once it exited. */
  kill9(): Promise<void>;
  /** SIGTERM by pid (SIGKILL after 5 s); resolves once it exited. */
  stop(): Promise<void>;
}

export interface SentinelSet {
  readonly master: string;
  readonly password: string;
  readonly primary: RedisProcess;
  readonly replica: RedisProcess;
  readonly sentinels: readonly RedisProcess[];
  /** `redis+sentinel://:PASSWORD@127.0.0.1:S1,...,/MASTER` (password percent-encoded). */
  readonly url: string;
  /** The master's port as the first live sentinel reports it. */
  masterPort(): Promise<number | undefined>;
  /** Stops every process still running (by pid) and removes the temp dir. */
  stop(): Promise<void>;
}

function startProcess(role: RedisProcess['role'], port: number, args: string[]): RedisProcess {
  const child: ChildProcess = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${REDIS_SERVER} (${role}) did not start`);
  let exited = false;
  const done = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const signal = async (sig: NodeJS.Signals, killAfterMs?: number): Promise<void> => {
    if (exited) return;
    process.kill(pid, sig);
    const timer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => !exited && process.kill(pid, 'SIGKILL'), killAfterMs);
    await done;
    clearTimeout(timer);
  };
  return {
    role,
    port,
    pid,
    get alive() {
      return !exited;
    },
    kill9: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM', 5000),
  };
}

/** Polls `check` every 50 ms until it returns a value, or throws after `ms` (the last error named). */
const poll = <T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> =>
  pollUntil(what, ms, check, 50);

/** One command on a short-lived client (no retries: a dead server is an error, not a wait). */
async function ask<T>(port: number, password: string | undefined, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({
    host: '127.0.0.1',
    port,
    ...(password ? { password } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

export async function startSentinelSet(opts: SentinelSetOptions = {}): Promise<SentinelSet> {
  const master = opts.master ?? 'skm';
  const password = opts.password ?? 'sk@sentinel-pw';
  const dir = mkdtempSync(join(tmpdir(), 'sk-sentinel-'));
  const procs: RedisProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(procs.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const dataConf = (name: string, port: number, extra: string[]): string => {
      const file = join(dir, `${name}.conf`);
      const lines = [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `dbfilename ${name}.rdb`,
        'save ""',
        'appendonly no',
        `requirepass "${password}"`,
        `masterauth "${password}"`,
        ...extra,
      ];
      writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    };
    const pPort = await freePort();
    const primary = startProcess('primary', pPort, [dataConf('primary', pPort, [])]);
    procs.push(primary);
    await poll('primary answers', 10_000, () => ask(pPort, password, (r) => r.ping()));
    const rPort = await freePort();
    const replica = startProcess('replica', rPort, [
      dataConf('replica', rPort, [`replicaof 127.0.0.1 ${pPort}`]),
    ]);
    procs.push(replica);
    await poll('replica in sync', 15_000, () =>
      ask(rPort, password, async (r) =>
        /master_link_status:up/.test(await r.info('replication')) ? true : undefined,
      ),
    );
    const down = opts.downAfterMs ?? 1000;
    const failover = opts.failoverTimeoutMs ?? 3000;
    const sentinels: RedisProcess[] = [];
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const file = join(dir, `sentinel-${i}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${master} 127.0.0.1 ${pPort} 2`,
          `sentinel auth-pass ${master} "${password}"`,
          `sentinel down-after-milliseconds ${master} ${down}`,
          `sentinel failover-timeout ${master} ${failover}`,
          `sentinel parallel-syncs ${master} 1`,
          '',
        ].join('\n'),
      );
      const s = startProcess('sentinel', port, [file, '--sentinel']);
      procs.push(s);
      sentinels.push(s);
    }
    // Ready: every sentinel knows the replica and the two other sentinels (needed to vote).
    for (const s of sentinels)
      await poll(`sentinel on ${s.port} sees the replica and 2 sentinels`, 30_000, () =>
        ask(s.port, undefined, async (r) => {
          const replicas = (await r.call('SENTINEL', 'REPLICAS', master)) as unknown[];
          const others = (await r.call('SENTINEL', 'SENTINELS', master)) as unknown[];
          return replicas.length === 1 && others.length === 2 ? true : undefined;
        }),
      );
    const masterPort = async (): Promise<number | undefined> => {
      for (const s of sentinels) {
        if (!s.alive) continue;
        try {
          const addr = (await ask(s.port, undefined, (r) =>
            r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', master),
          )) as [string, string] | null;
          if (addr) return Number(addr[1]);
        } catch {
          // the next sentinel
        }
      }
      return undefined;
    };
    return {
      master,
      password,
      primary,
      replica,
      sentinels,
      url: `redis+sentinel://:${encodeURIComponent(password)}@${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${master}`,
      masterPort,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
