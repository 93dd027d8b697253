import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Compare-and-delete / compare-and-expire: only the holder's token may release or extend.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/** How often a held lock is renewed: a third of its TTL (two more tries before it expires), at least 10 ms. */
export function renewEveryMs(ttlMs: number): number {
  return Math.max(10, Math.floor(ttlMs / 3));
}

export interface HeldLock {
  readonly token: string;
  /** Aborted when a renewal finds the lock gone or taken (e.g. this process stalled past the TTL). */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/**
 * Per-key mutual exclusion across processes: SET NX PX with a random token, renewed every ttl/3
 * while held, released by compare-and-delete. A process that dies leaves the lock to expire.
 */
export class KeyLocks {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly ttlMs: number,
  ) {}

  redisKey(key: string): string {
    return `${this.keyPrefix}${key}`;
  }

  /** The lock, or undefined when another holder has it. */
  async tryAcquire(key: string): Promise<HeldLock | undefined> {
    const rkey = this.redisKey(key);
    const token = randomUUID();
    const ok = await this.redis.set(rkey, token, 'PX', this.ttlMs, 'NX');
    if (ok !== 'OK') return undefined;
    const lost = new AbortController();
    let stopped = false;
    const renew = async (): Promise<void> => {
      try {
        const extended = await this.redis.eval(EXTEND, 1, rkey, token, String(this.ttlMs));
        if (extended !== 1 && !stopped) lost.abort(new Error(`lock on ${key} lost`));
      } catch {
        // A failed renewal is retried on the next tick; the TTL covers two more tries.
      }
    };
    const timer = setInterval(() => void renew(), renewEveryMs(this.ttlMs));
    timer.unref();
    return {
      token,
      lost: lost.signal,
      release: async () => {
        stopped = true;
        clearInterval(timer);
        await this.redis.eval(RELEASE, 1, rkey, token);
      },
    };
  }
}
