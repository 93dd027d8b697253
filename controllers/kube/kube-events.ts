/**
 * Kubernetes Events (events.k8s.io/v1) about swarmkeeper's custom resources: what a reconcile
 * applied, corrected, pruned, or why it failed. Like client-go's event broadcaster, an event
 * identical to one recorded in the last few minutes does not make a new Event object: it raises
 * the `series.count` of the existing one (patched at most once per flush interval). New Events are
 * rate-limited per (object, reason) and globally. Recording is fire and forget: it never throws
 * and never waits for the API server; failures are logged without the note text.
 */
import { hostname } from 'node:os';
import {
  type EventsV1Event,
  EventsV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { API_VERSION } from '../../reconciler/api/index.js';
import { type CustomObject, FIELD_MANAGER, parseCrKey } from './cr-resource.js';
import type { ObjectCache } from './kube-status-store.js';
import type { EventRecorder, ResourceEvent } from '../ports.js';

/** events.k8s.io reportingController of every Event swarmkeeper writes. */
export const REPORTING_CONTROLLER = 'swarmkeeper.io/controller';
/** The API server rejects a note longer than this many bytes. */
export const NOTE_MAX_BYTES = 1024;
/** reportingInstance, action and reason are limited to this many characters. */
const FIELD_MAX = 128;

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

/** `s` cut to at most `maxBytes` bytes of UTF-8 (never inside a character), marked with "…". */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const ellipsis = '…';
  let budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  let out = '';
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (n > budget) break;
    budget -= n;
    out += ch;
  }
  return out + ellipsis;
}

const cut = (s: string, max: number): string => (s.length <= max ? s : s.slice(0, max));

/** `<regarding name>.<hex time in ns>` (like client-go), within the 253 characters of a name. */
export function eventName(regardingName: string, nowMs: number, seq: number): string {
  const suffix = (BigInt(Math.trunc(nowMs)) * 1_000_000n + BigInt(seq % 1_000_000)).toString(16);
  const base = regardingName.slice(0, 253 - 1 - suffix.length).replace(/[^a-z0-9]+$/, '');
  return `${base || 'swarmkeeper'}.${suffix}`;
}

/** The object an Event is about (events.k8s.io `regarding`). */
export interface Regarding {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
  resourceVersion?: string;
}

/** The custom object behind a `Kind/namespace/name` key, as an Event's `regarding`; undefined for other keys. */
export function regardingOf(key: string, obj: CustomObject | undefined): Regarding | undefined {
  const k = parseCrKey(key);
  if (!k || !obj) return undefined;
  const m = obj.metadata;
  return {
    apiVersion: API_VERSION,
    kind: k.ref.kind,
    name: k.name,
    namespace: k.namespace,
    ...(m?.uid ? { uid: m.uid } : {}),
    ...(m?.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
  };
}

/** The body of a new Event. */
export function eventBody(args: {
  event: ResourceEvent;
  regarding: Regarding;
  name: string;
  now: Date;
  instance: string;
}): EventsV1Event {
  const { event: e, regarding } = args;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: args.name, namespace: regarding.namespace },
    eventTime: new V1MicroTime(args.now.getTime()),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: cut(args.instance, FIELD_MAX),
    action: cut(e.action, FIELD_MAX),
    reason: cut(e.reason, FIELD_MAX),
    note: truncateUtf8(e.note, NOTE_MAX_BYTES),
    type: e.type,
    regarding: { ...regarding },
  };
}

/** The merge patch that records `count` occurrences of an Event (count >= 2, as the API requires). */
export function seriesPatch(
  count: number,
  last: Date,
): { series: { count: number; lastObservedTime: V1MicroTime } } {
  return { series: { count, lastObservedTime: new V1MicroTime(last.getTime()) } };
}

/** `<hostname>/<pid>`: which replica wrote an Event. */
export function reportingInstance(): string {
  return `${hostname()}/${process.pid}`;
}

/** The part of EventsV1Api the recorder uses (a port, so the recorder is testable without a server). */
export interface EventsPort {
  create(namespace: string, body: EventsV1Event): Promise<unknown>;
  patch(namespace: string, name: string, body: object): Promise<unknown>;
}

export function eventsApi(kubeConfig: KubeConfig): EventsPort {
  const api = kubeConfig.makeApiClient(EventsV1Api);
  return {
    create: (namespace, body) => api.createNamespacedEvent({ namespace, body, fieldManager: FIELD_MANAGER }),
    patch: (namespace, name, body) =>
      api.patchNamespacedEvent(
        { namespace, name, body, fieldManager: FIELD_MANAGER },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
  };
}

export interface KubeEventRecorderOptions {
  /** The API server (or `api` directly). */
  kubeConfig?: KubeConfig;
  api?: EventsPort;
  /** The KubeSource's informer cache: uid and resourceVersion of the object an event is about. */
  cache: ObjectCache;
  logger: Logger;
  limits?: Partial<EventLimits>;
  instance?: string;
  now?: () => number;
}

const httpCode = (e: unknown): number | undefined => {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'number' ? c : undefined;
};

/** EventRecorder writing events.k8s.io/v1 Events about the custom resources of the kube source. */
export class KubeEventRecorder implements EventRecorder {
  readonly limiter: EventLimiter;
  readonly #api: EventsPort;
  readonly #cache: ObjectCache;
  readonly #log: Logger;
  readonly #instance: string;
  readonly #now: () => number;
  #seq = 0;
  /** Counters for tests and metrics: created, repeated, dropped, failed writes. */
  readonly stats = { created: 0, repeated: 0, dropped: 0, failed: 0, patched: 0 };

  constructor(opts: KubeEventRecorderOptions) {
    const api = opts.api ?? (opts.kubeConfig ? eventsApi(opts.kubeConfig) : undefined);
    if (!api) throw new Error('KubeEventRecorder needs kubeConfig or api');
    this.#api = api;
    this.#cache = opts.cache;
    this.#log = opts.logger.child({ component: 'kube-events' });
    this.#instance = opts.instance ?? reportingInstance();
    this.#now = opts.now ?? Date.now;
    this.limiter = new EventLimiter(opts.limits);
  }

  record(e: ResourceEvent): void {
    try {
      const regarding = regardingOf(e.key, parseCrKey(e.key) ? this.#cache.object(e.key) : undefined);
      if (!regarding) return; // not a custom resource of the kube source
      const now = this.#now();
      const d = this.limiter.decide(e, now);
      if (d.op === 'drop') {
        this.stats.dropped++;
        this.#log.debug({ key: e.key, reason: e.reason, limit: d.limit }, 'event dropped by the rate limit');
      } else if (d.op === 'repeat') {
        this.stats.repeated++;
        this.#scheduleFlush(regarding.namespace, d.series);
      } else {
        const name = eventName(regarding.name, now, this.#seq++);
        d.series.name = name;
        const body = eventBody({ event: e, regarding, name, now: new Date(now), instance: this.#instance });
        this.#api.create(regarding.namespace, body).then(
          () => {
            this.stats.created++;
            d.series.created = true;
          },
          (err: unknown) => {
            this.stats.failed++;
            this.limiter.forget(d.series);
            this.#log.warn({ key: e.key, reason: e.reason, code: httpCode(err) }, 'event not recorded');
          },
        );
      }
    } catch (err) {
      this.#log.warn({ key: e.key, reason: e.reason, err: (err as Error).name }, 'event not recorded');
    }
  }

  /** Patches the series count once per flush interval (the first repeat after the create at the earliest). */
  #scheduleFlush(namespace: string, series: EventSeries): void {
    if (series.timer) return;
    const wait = Math.max(0, series.writtenMs + this.limiter.limits.seriesFlushMs - this.#now());
    series.timer = setTimeout(() => {
      series.timer = undefined;
      this.#flush(namespace, series);
    }, wait);
    series.timer.unref?.();
  }

  #flush(namespace: string, series: EventSeries): void {
    if (!series.name || series.count <= series.written) return;
    if (!series.created) {
      // the create is still in flight: try again in a moment
      series.timer = setTimeout(() => {
        series.timer = undefined;
        this.#flush(namespace, series);
      }, 1000);
      series.timer.unref?.();
      return;
    }
    const count = series.count;
    this.#api.patch(namespace, series.name, seriesPatch(count, new Date(series.lastMs))).then(
      () => {
        this.stats.patched++;
        series.written = Math.max(series.written, count);
        series.writtenMs = this.#now();
        if (series.count > series.written) this.#scheduleFlush(namespace, series);
      },
      (err: unknown) => {
        this.stats.failed++;
        // 404: the Event expired or was deleted; the next identical event creates a new one
        this.limiter.forget(series);
        this.#log.debug({ event: series.name, code: httpCode(err) }, 'event series not updated');
      },
    );
  }
}
