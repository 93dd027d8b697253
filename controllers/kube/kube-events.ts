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
import {
  EventLimiter,
  FIELD_MAX,
  NOTE_MAX_BYTES,
  type EventLimits,
  type EventSeries,
} from './event-limiter.js';

/** events.k8s.io reportingController of every Event swarmkeeper writes. */
export const REPORTING_CONTROLLER = 'swarmkeeper.io/controller';
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
