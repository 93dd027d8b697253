import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { KeysProvider } from './types.js';

/**
 * Periodic resync (controller-runtime's SyncPeriod): every interval, one process of those sharing
 * the queue (whoever wins SET NX on the interval's key) enqueues every key of the provider.
 * The others skip: deduplication would coalesce their adds anyway, this only saves the work.
 * With `pass`, the elected process hands it the keys (reconciled in process, resync-pass.ts)
 * instead of enqueueing each; an unelected run (start-up, reconnects: every replica) enqueues.
 */
export class Resync {
  private provider: KeysProvider | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly leaderKey: string,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly enqueue: (key: string) => Promise<void>,
    private readonly pass?: (keys: string[]) => Promise<void>,
  ) {}

  setProvider(provider: KeysProvider): void {
    this.provider = provider;
  }

  start(): void {
    if (this.timer || !this.provider) return;
    this.timer = setInterval(() => {
      this.runOnce(true).catch((err: unknown) => this.log.error({ err }, 'resync failed'));
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Enqueues every key; with `elect`, only if this process wins this interval. Returns the count. */
  async runOnce(elect: boolean): Promise<number> {
    if (!this.provider) return 0;
    if (elect) {
      const ttl = Math.max(1, Math.floor(this.intervalMs * 0.8));
      const won = await this.redis.set(this.leaderKey, randomUUID(), 'PX', ttl, 'NX');
      if (won !== 'OK') return 0;
    }
    const keys = await this.provider();
    if (elect && this.pass) await this.pass(keys);
    else for (const key of keys) await this.enqueue(key);
    this.log.debug({ keys: keys.length }, 'resync enqueued');
    return keys.length;
  }
}
