import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Lease } from '../ports.js';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface LeaseOptions {
  /** Redis key of the lease, e.g. `swarmkeeper:<instance>:leader:<target>`. */
  key: string;
  /** This replica's identity (hostname + pid + random). */
  holder: string;
  ttlMs?: number;
  renewEveryMs?: number;
  logger?: Logger;
  onAcquired?: () => void;
  onLost?: () => void;
}

/**
 * Leader election with a lease in Redis: SET NX PX to acquire, a compare-and-pexpire script
 * to renew, compare-and-delete to release. A holder that cannot renew before the TTL
 * lapses steps down, so at most one holder acts at a time (up to clock-free TTL semantics).
 */
export class RedisLease implements Lease {
  #timer: NodeJS.Timeout | undefined;
  #leader = false;
  #stopped = false;
  readonly #ttl: number;
  readonly #every: number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: LeaseOptions,
  ) {
    this.#ttl = opts.ttlMs ?? 15_000;
    this.#every = opts.renewEveryMs ?? Math.floor(this.#ttl / 3);
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  start(): void {
    this.#stopped = false;
    void this.#tick();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    try {
      if (this.#leader) {
        const ok = (await this.redis.eval(
          RENEW,
          1,
          this.opts.key,
          this.opts.holder,
          String(this.#ttl),
        )) as number;
        if (ok !== 1) this.#setLeader(false);
      } else {
        const ok = await this.redis.set(this.opts.key, this.opts.holder, 'PX', this.#ttl, 'NX');
        if (ok === 'OK') this.#setLeader(true);
      }
    } catch (e) {
      this.opts.logger?.warn({ err: e }, 'lease renewal failed');
      if (this.#leader) this.#setLeader(false);
    }
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), this.#every);
  }

  #setLeader(v: boolean): void {
    if (this.#leader === v) return;
    this.#leader = v;
    this.opts.logger?.info(
      { lease: this.opts.key, holder: this.opts.holder },
      v ? 'became leader' : 'lost leadership',
    );
    (v ? this.opts.onAcquired : this.opts.onLost)?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#leader) {
      try {
        await this.redis.eval(RELEASE, 1, this.opts.key, this.opts.holder);
      } catch {
        // the lease lapses by TTL
      }
      this.#setLeader(false);
    }
  }
}
