/**
 * The limits of Kubernetes Events (kube-events.ts): client-go's correlator in small. An Event identical to
 * one of the last few minutes joins its series instead of making a new object; new Events are rate-limited
 * per (object, reason) with a token bucket, and globally. Pure but for the clock the caller passes in.
 */
import type { ResourceEvent } from '../ports.js';

/** The API server rejects a note longer than this many bytes. */
export const NOTE_MAX_BYTES = 1024;
/** reportingInstance, action and reason are limited to this many characters. */
export const FIELD_MAX = 128;

export interface EventLimits {
  /** Global token bucket for new Event objects: capacity... */
  burst: number;
  /** ...and refill rate, tokens per second. */
  refillPerSec: number;
  /** Per (object, reason) token bucket for new Event objects: capacity... */
  perObjectBurst: number;
  /** ...and one token back every this many milliseconds. */
  perObjectRefillMs: number;
  /** An identical event within this long after the last one counts into the same series. */
  seriesWindowMs: number;
  /** A series' count is patched at most this often. */
  seriesFlushMs: number;
  /** Series and per-object buckets remembered at most (the oldest are forgotten first). */
  maxTracked: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = {
  burst: 25,
  refillPerSec: 1,
  perObjectBurst: 10,
  perObjectRefillMs: 30_000,
  seriesWindowMs: 5 * 60_000,
  seriesFlushMs: 10_000,
  maxTracked: 4096,
};

/** A token bucket: `capacity` tokens, refilled continuously at `perMs` tokens per millisecond. */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly capacity: number,
    readonly perMs: number,
    nowMs: number,
  ) {
    this.#tokens = capacity;
    this.#at = nowMs;
  }

  /** Tokens available at `nowMs` (fractional). */
  tokens(nowMs: number): number {
    const elapsed = Math.max(0, nowMs - this.#at);
    return Math.min(this.capacity, this.#tokens + elapsed * this.perMs);
  }

  /** Takes one token if there is one. */
  take(nowMs: number): boolean {
    const t = this.tokens(nowMs);
    this.#at = Math.max(this.#at, nowMs);
    this.#tokens = t;
    if (t < 1) return false;
    this.#tokens = t - 1;
    return true;
  }
}

/** One Event object and how often it was observed. */
export interface EventSeries {
  readonly fingerprint: string;
  /** Occurrences so far (the Event's series.count once it is above 1). */
  count: number;
  firstMs: number;
  lastMs: number;
  /** The count last written to the API server, and when. */
  written: number;
  writtenMs: number;
  /** metadata.name of the Event object. */
  name?: string;
  /** True once the create succeeded (a patch before that would find nothing). */
  created: boolean;
  timer?: NodeJS.Timeout;
}

export type EventDecision =
  | { op: 'create'; series: EventSeries }
  | { op: 'repeat'; series: EventSeries }
  | { op: 'drop'; limit: 'global' | 'object' };

/** What makes two events "the same" (client-go's isomorphic key, without the source). */
export function fingerprint(e: ResourceEvent): string {
  return [e.key, e.type, e.reason, e.action, e.note].join('\u0000');
}

/**
 * Decides for each event: a new Event object, a repeat of a recent identical one (its series
 * count goes up), or dropped by the per-(object, reason) or the global limit. Pure: time is given.
 */
export class EventLimiter {
  readonly limits: EventLimits;
  readonly #series = new Map<string, EventSeries>();
  readonly #perObject = new Map<string, TokenBucket>();
  #global: TokenBucket | undefined;
  #sweptAt = 0;

  constructor(limits: Partial<EventLimits> = {}) {
    this.limits = { ...DEFAULT_EVENT_LIMITS, ...limits };
  }

  get tracked(): number {
    return this.#series.size;
  }

  decide(e: ResourceEvent, nowMs: number): EventDecision {
    const l = this.limits;
    this.#sweep(nowMs);
    const fp = fingerprint(e);
    const known = this.#series.get(fp);
    if (known && nowMs - known.lastMs <= l.seriesWindowMs) {
      known.count++;
      known.lastMs = Math.max(known.lastMs, nowMs);
      return { op: 'repeat', series: known };
    }
    const global = (this.#global ??= new TokenBucket(l.burst, l.refillPerSec / 1000, nowMs));
    const objKey = `${e.key}\u0000${e.reason}`;
    let obj = this.#perObject.get(objKey);
    if (!obj) {
      obj = new TokenBucket(l.perObjectBurst, 1 / l.perObjectRefillMs, nowMs);
      this.#perObject.set(objKey, obj);
    }
    // check both before taking either: a token is spent only on an Event that is written
    if (obj.tokens(nowMs) < 1) return { op: 'drop', limit: 'object' };
    if (global.tokens(nowMs) < 1) return { op: 'drop', limit: 'global' };
    obj.take(nowMs);
    global.take(nowMs);
    if (known) this.forget(known);
    const series: EventSeries = {
      fingerprint: fp,
      count: 1,
      firstMs: nowMs,
      lastMs: nowMs,
      written: 1,
      writtenMs: nowMs,
      created: false,
    };
    this.#series.set(fp, series);
    this.#cap();
    return { op: 'create', series };
  }

  /** The Event object of a series is gone (or never made it): the next identical event creates one. */
  forget(series: EventSeries): void {
    if (this.#series.get(series.fingerprint) === series) this.#series.delete(series.fingerprint);
    clearTimeout(series.timer);
    series.timer = undefined;
  }

  /** Forgets expired series and refilled buckets, at most once per second. */
  #sweep(nowMs: number): void {
    if (nowMs - this.#sweptAt < 1000) return;
    this.#sweptAt = nowMs;
    for (const s of this.#series.values())
      if (nowMs - s.lastMs > this.limits.seriesWindowMs && !s.timer) this.#series.delete(s.fingerprint);
    for (const [k, b] of this.#perObject) if (b.tokens(nowMs) >= b.capacity) this.#perObject.delete(k);
  }

  #cap(): void {
    const max = this.limits.maxTracked;
    for (const s of this.#series.values()) {
      if (this.#series.size <= max) break;
      this.forget(s);
    }
    for (const k of this.#perObject.keys()) {
      if (this.#perObject.size <= max) break;
      this.#perObject.delete(k);
    }
  }
}
