import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { delayToNextSlot, partition, slotOf } from './resync-shards.js';
import type { PassCounts } from './resync-pass.js';
import type { KeysProvider } from './types.js';

/** Shards of a pass: the same on every replica (never from the key count, which replicas may see differently). */
export const RESYNC_SHARDS = 16;

export interface ResyncOptions {
  /** Shards the keys of a pass are cut into (default RESYNC_SHARDS); every replica must agree. */
  readonly shards?: number;
  readonly now?: () => number;
  /** In [0, 1): the tick's jitter. */
  readonly random?: () => number;
}

/**
 * Periodic resync (controller-runtime's SyncPeriod), shared by the processes of one queue.
 * Time is cut into slots of one interval (slot = floor(now / interval)); every process ticks at the
 * start of each slot plus a small random jitter (resync-shards.ts), so they tick together and in an
 * order that varies. The keys are hashed into shards; at its tick a process claims shards one at a
 * time (`SET <base>:<slot>:<shard> NX`) and runs each claimed shard's keys (`pass`: in process,
 * resync-pass.ts; without it, enqueued) before claiming the next, until every shard of the slot is
 * claimed. So N processes share a pass about evenly, a slow one takes fewer shards, and one alone
 * takes them all; every key is resynced once per slot.
 * A shard whose process dies mid-pass is not taken over: its remaining keys wait for the next slot
 * (or the restarted process's start-up resync). A process that stops mid-slot enqueues the rest.
 * A claim lives two intervals, so a tick that runs late (a blocked event loop) still sees it.
 * An unelected run (start-up, reconnects: every process) enqueues every key.
 */
export class Resync {
  private provider: KeysProvider | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<number> | undefined;
  private readonly id = randomUUID();
  private readonly shards: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly keyBase: string,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly enqueue: (key: string) => Promise<void>,
    /** Runs a claimed shard's keys in process; returns how many ran there and how many it queued. */
    private readonly pass?: (keys: string[]) => Promise<PassCounts>,
    opts: ResyncOptions = {},
  ) {
    this.shards = Math.max(1, Math.floor(opts.shards ?? RESYNC_SHARDS));
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  setProvider(provider: KeysProvider): void {
    this.provider = provider;
  }

  start(): void {
    if (this.timer || !this.provider) return;
    this.stopped = false;
    this.arm(true);
  }

  /**
   * No more ticks. A share still running hands the rest of its slot to the queue (see claimAndRun);
   * the promise settles when it has.
   */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    return (this.running ?? Promise.resolve()).then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * The next tick: at the next slot's start plus jitter, re-armed when it fires. The first tick of
   * a process skips a slot that starts within half an interval: the process's start-up resync
   * has just run every key (the other processes take that slot).
   */
  private arm(first = false): void {
    const now = this.now();
    let slot = slotOf(now, this.intervalMs) + 1;
    let delay = delayToNextSlot(now, this.intervalMs, this.random());
    if (first && slot * this.intervalMs - now < this.intervalMs / 2) {
      slot += 1;
      delay += this.intervalMs;
    }
    this.timer = setTimeout(() => {
      this.arm();
      this.runSlot(Math.max(slot, slotOf(this.now(), this.intervalMs))).catch((err: unknown) =>
        this.log.error({ err }, 'resync failed'),
      );
    }, delay);
    this.timer.unref();
  }

  /**
   * Unelected: enqueues every key. Elected: this process's share of the current slot (what the
   * timer runs). Returns the keys it handled.
   */
  async runOnce(elect: boolean): Promise<number> {
    if (!this.provider) return 0;
    if (elect) return this.runSlot(slotOf(this.now(), this.intervalMs));
    const keys = await this.provider({ fresh: true });
    for (const key of keys) await this.enqueue(key);
    this.log.debug({ keys: keys.length }, 'resync enqueued');
    return keys.length;
  }

  /**
   * One slot's share, one at a time: a process still running the previous slot's shards when the
   * next slot comes claims nothing in it (the others take its shards), instead of claiming shards
   * it cannot start.
   */
  private async runSlot(slot: number): Promise<number> {
    if (this.running) {
      this.log.warn({ slot }, 'resync pass skipped: the previous pass is still running');
      return 0;
    }
    const p = this.claimAndRun(slot);
    this.running = p;
    try {
      return await p;
    } finally {
      this.running = undefined;
    }
  }

  private async claimAndRun(slot: number): Promise<number> {
    const t0 = performance.now();
    let shards: string[][] | undefined;
    let claimed = 0;
    let keys = 0;
    const counts: PassCounts = { inProcess: 0, queued: 0 };
    const ttl = Math.max(2, 2 * Math.floor(this.intervalMs));
    for (let s = 0; s < this.shards; s++) {
      const claim = `${this.keyBase}:${slot}:${s}`;
      if ((await this.redis.set(claim, this.id, 'PX', ttl, 'NX')) !== 'OK') continue;
      claimed++;
      // shard 0's claimer starts the pass's fresh view (the others' reads come after its claim)
      shards ??= partition(await this.provider!({ fresh: s === 0 }), this.shards);
      const mine = shards[s]!;
      if (mine.length === 0) continue;
      // once stopping, the shards not yet claimed go to the queue (the other processes' workers
      // run them), as a pass interrupted by close hands on the keys it had not started
      if (this.pass && !this.stopped) {
        const c = await this.pass(mine);
        counts.inProcess += c.inProcess;
        counts.queued += c.queued;
      } else {
        for (const key of mine) await this.enqueue(key);
        counts.queued += mine.length;
      }
      keys += mine.length;
    }
    if (claimed > 0)
      this.log.info(
        { slot, shards: claimed, keys, ...counts, ms: Math.round(performance.now() - t0) },
        'resync share done',
      );
    return keys;
  }
}
