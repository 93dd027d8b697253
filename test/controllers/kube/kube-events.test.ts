// The pure parts of the Kubernetes Events recorder: the token bucket, the limiter (series of
// identical events, per-(object, reason) and global limits), the Event body, names and notes.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  type EventsPort,
  eventBody,
  eventName,
  KubeEventRecorder,
  REPORTING_CONTROLLER,
  regardingOf,
  seriesPatch,
  truncateUtf8,
} from '../../../controllers/kube/kube-events.js';
import {
  EventLimiter,
  fingerprint,
  NOTE_MAX_BYTES,
  TokenBucket,
} from '../../../controllers/kube/event-limiter.js';
import type { CustomObject } from '../../../controllers/kube/cr-resource.js';
import { pollUntil } from '../../integration/helpers/poll.js';
import type { ResourceEvent } from '../../../controllers/ports.js';

const ev = (over: Partial<ResourceEvent> = {}): ResourceEvent => ({
  key: 'SwarmStack/apps/web',
  type: 'Warning',
  reason: 'InvalidCompose',
  action: 'Reconcile',
  note: 'services.app: bad',
  ...over,
});

describe('TokenBucket', () => {
  it.each([
    // capacity, per ms, takes at [ms], expected results
    ['starts full', 3, 0.001, [0, 0, 0, 0], [true, true, true, false]],
    ['refills over time', 1, 0.001, [0, 500, 1000, 1999, 2000], [true, false, true, false, true]],
    ['never above capacity', 2, 0.001, [0, 0, 100_000, 100_000, 100_000], [true, true, true, true, false]],
    ['time going backwards refills nothing', 1, 0.001, [1000, 0, 500], [true, false, false]],
  ] as const)('%s', (_what, capacity, perMs, at, expected) => {
    const b = new TokenBucket(capacity, perMs, at[0]);
    expect(at.map((t) => b.take(t))).toEqual(expected);
  });
});

describe('EventLimiter', () => {
  const limits = {
    burst: 3,
    refillPerSec: 1,
    perObjectBurst: 2,
    perObjectRefillMs: 10_000,
    seriesWindowMs: 60_000,
  };
  type Step = [ms: number, event: Partial<ResourceEvent>, op: string];
  it.each<[string, Step[]]>([
    [
      'an identical event within the window is a repeat of the same series',
      [
        [0, {}, 'create:1'],
        [10, {}, 'repeat:2'],
        [59_000, {}, 'repeat:3'],
      ],
    ],
    [
      'the window slides with each repeat; after it an identical event is a new series',
      [
        [0, {}, 'create:1'],
        [50_000, {}, 'repeat:2'],
        [100_000, {}, 'repeat:3'],
        [170_000, {}, 'create:1'],
      ],
    ],
    [
      'a different note is a new Event, limited per (object, reason)',
      [
        [0, { note: 'a' }, 'create:1'],
        [1, { note: 'b' }, 'create:1'],
        [2, { note: 'c' }, 'drop:object'],
        [3, { note: 'd', reason: 'Applied', type: 'Normal' }, 'create:1'],
        [10_002, { note: 'e' }, 'create:1'],
      ],
    ],
    [
      'repeats are never limited',
      [
        [0, { note: 'a' }, 'create:1'],
        [1, { note: 'b' }, 'create:1'],
        [2, { note: 'a' }, 'repeat:2'],
        [3, { note: 'b' }, 'repeat:2'],
        [4, { note: 'a' }, 'repeat:3'],
      ],
    ],
    [
      'the global cap bounds new Events across objects, refilled per second',
      [
        [0, { key: 'SwarmStack/a/1' }, 'create:1'],
        [0, { key: 'SwarmStack/a/2' }, 'create:1'],
        [0, { key: 'SwarmStack/a/3' }, 'create:1'],
        [0, { key: 'SwarmStack/a/4' }, 'drop:global'],
        [999, { key: 'SwarmStack/a/4' }, 'drop:global'],
        [1000, { key: 'SwarmStack/a/4' }, 'create:1'],
      ],
    ],
    [
      'a drop by the global cap spends no per-object token',
      [
        [0, { key: 'SwarmStack/a/1' }, 'create:1'],
        [0, { key: 'SwarmStack/a/2' }, 'create:1'],
        [0, { key: 'SwarmStack/a/3' }, 'create:1'],
        [0, { key: 'SwarmStack/a/4', note: 'x' }, 'drop:global'],
        [0, { key: 'SwarmStack/a/4', note: 'y' }, 'drop:global'],
        [2000, { key: 'SwarmStack/a/4', note: 'x' }, 'create:1'],
        [2000, { key: 'SwarmStack/a/4', note: 'y' }, 'create:1'],
      ],
    ],
  ])('%s', (_what, steps) => {
    const l = new EventLimiter(limits);
    const got = steps.map(([ms, e]) => {
      const d = l.decide(ev(e), ms);
      return d.op === 'drop' ? `drop:${d.limit}` : `${d.op}:${d.series.count}`;
    });
    expect(got).toEqual(steps.map((s) => s[2]));
  });

  it('50 identical errors make one Event whose series counts them all', () => {
    const l = new EventLimiter();
    const ops = Array.from({ length: 50 }, (_, i) => l.decide(ev(), i * 100));
    expect(ops.filter((d) => d.op === 'create')).toHaveLength(1);
    const last = ops.at(-1)!;
    expect(last.op === 'repeat' && last.series.count).toBe(50);
  });

  it('a forgotten series (its Event is gone) makes the next identical event a create', () => {
    const l = new EventLimiter();
    const first = l.decide(ev(), 0);
    if (first.op !== 'create') throw new Error('expected create');
    l.forget(first.series);
    expect(l.decide(ev(), 1).op).toBe('create');
  });

  it('remembers at most maxTracked series', () => {
    const l = new EventLimiter({ maxTracked: 5, burst: 100, perObjectBurst: 100 });
    for (let i = 0; i < 20; i++) l.decide(ev({ note: `n${i}` }), i);
    expect(l.tracked).toBeLessThanOrEqual(5);
  });

  it('the fingerprint separates every field', () => {
    const base = fingerprint(ev());
    for (const over of [
      { key: 'SwarmStack/apps/other' },
      { type: 'Normal' as const },
      { reason: 'Other' },
      { action: 'Delete' },
      { note: 'other' },
    ])
      expect(fingerprint(ev(over))).not.toBe(base);
  });
});

describe('truncateUtf8', () => {
  it.each([
    ['short text is kept', 'hello', 10, 'hello'],
    ['exactly the limit is kept', 'abcde', 5, 'abcde'],
    ['long ASCII is cut with an ellipsis', 'abcdefghij', 8, 'abcde…'],
    ['never cuts inside a character', 'ééééé', 8, 'éé…'],
  ])('%s', (_what, input, max, expected) => {
    const out = truncateUtf8(input, max);
    expect(out).toBe(expected);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(max);
  });

  it('a 5000-byte note fits the 1 KiB limit', () => {
    expect(Buffer.byteLength(truncateUtf8('x'.repeat(5000), NOTE_MAX_BYTES))).toBeLessThanOrEqual(1024);
  });
});

describe('eventName', () => {
  it.each([
    ['web', 1_700_000_000_000, 0, /^web\.[0-9a-f]+$/],
    ['a'.repeat(253), 1_700_000_000_000, 7, /^a+\.[0-9a-f]+$/],
    // the cut lands right after a dash: the dash goes too (a name part ends alphanumeric)
    ['a'.repeat(235) + '-' + 'b'.repeat(10), 1_700_000_000_000, 1, /^a{235}\.[0-9a-f]{16}$/],
  ])('%s', (name, ms, seq, pattern) => {
    const n = eventName(name, ms, seq);
    expect(n).toMatch(pattern);
    expect(n.length).toBeLessThanOrEqual(253);
  });

  it('differs for two events in the same millisecond', () => {
    expect(eventName('web', 1000, 1)).not.toBe(eventName('web', 1000, 2));
  });
});

describe('regardingOf and eventBody', () => {
  const obj: CustomObject = {
    apiVersion: 'swarmkeeper.io/v1alpha1',
    kind: 'SwarmStack',
    metadata: { name: 'web', namespace: 'apps', uid: 'u-1', resourceVersion: '42' },
  };

  it.each([
    ['a custom resource in the cache', 'SwarmStack/apps/web', obj, true],
    ['a custom resource not in the cache', 'SwarmStack/apps/web', undefined, false],
    ['a key of another kind of thing', 'Source/dir:examples', obj, false],
    ['an unknown kind', 'Deployment/apps/web', obj, false],
  ])('%s', (_what, key, o, found) => {
    expect(regardingOf(key, o) !== undefined).toBe(found);
  });

  it('builds an events.k8s.io/v1 Event about the custom resource', () => {
    const regarding = regardingOf('SwarmStack/apps/web', obj)!;
    const body = eventBody({
      event: ev({ note: 'n'.repeat(3000) }),
      regarding,
      name: 'web.1',
      now: new Date('2026-01-02T03:04:05.678Z'),
      instance: 'host/123',
    });
    const json = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    expect(json).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'web.1', namespace: 'apps' },
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: 'host/123',
      action: 'Reconcile',
      reason: 'InvalidCompose',
      type: 'Warning',
      regarding: {
        apiVersion: 'swarmkeeper.io/v1alpha1',
        kind: 'SwarmStack',
        name: 'web',
        namespace: 'apps',
        uid: 'u-1',
        resourceVersion: '42',
      },
    });
    // MicroTime: RFC 3339 with 6 fractional digits, as the API server parses it
    expect(json['eventTime']).toBe('2026-01-02T03:04:05.678000Z');
    expect(Buffer.byteLength(json['note'] as string)).toBeLessThanOrEqual(1024);
    expect(json).not.toHaveProperty('series');
  });

  it('the series patch carries the count and a MicroTime', () => {
    expect(JSON.parse(JSON.stringify(seriesPatch(7, new Date('2026-01-02T03:04:05.000Z'))))).toEqual({
      series: { count: 7, lastObservedTime: '2026-01-02T03:04:05.000000Z' },
    });
  });
});

describe('KubeEventRecorder', () => {
  // A fake EventsPort stands in for the API server here: this tests the wiring of the limiter to
  // creates and series patches; test/integration/kube-secrets-events.test.ts runs it for real.
  function fake(fail?: (op: string) => unknown) {
    const calls: { op: string; name?: string; body: unknown }[] = [];
    const api: EventsPort = {
      create: async (_ns, body) => {
        calls.push({ op: 'create', name: body.metadata?.name, body });
        if (fail?.('create')) throw fail('create');
        return body;
      },
      patch: async (_ns, name, body) => {
        calls.push({ op: 'patch', name, body });
        if (fail?.('patch')) throw fail('patch');
        return body;
      },
    };
    return { api, calls };
  }
  const cache = {
    object: (key: string): CustomObject | undefined =>
      key === 'SwarmStack/apps/web'
        ? { metadata: { name: 'web', namespace: 'apps', uid: 'u' }, kind: 'SwarmStack' }
        : undefined,
  };
  const logger = pino({ level: 'silent' });

  it('creates once, then patches the series count; ignores keys that are not cached custom resources', async () => {
    const { api, calls } = fake();
    const rec = new KubeEventRecorder({ api, cache, logger, limits: { seriesFlushMs: 20 } });
    rec.record(ev({ key: 'SwarmStack/apps/unknown' }));
    rec.record(ev({ key: 'Source/dir:x' }));
    for (let i = 0; i < 10; i++) rec.record(ev());
    await pollUntil('series patched to 10', 5000, () =>
      calls.some((c) => c.op === 'patch' && JSON.stringify(c.body).includes('"count":10')) ? true : undefined,
    );
    expect(calls.filter((c) => c.op === 'create')).toHaveLength(1);
    const patches = calls.filter((c) => c.op === 'patch');
    expect(patches.every((p) => p.name === calls[0]!.name)).toBe(true);
    expect(rec.stats).toMatchObject({ created: 1, repeated: 9 });
  });

  it('never throws; a failed create is forgotten so the next identical event creates again', async () => {
    const { api, calls } = fake((op) =>
      op === 'create' ? Object.assign(new Error('boom'), { code: 500 }) : undefined,
    );
    const rec = new KubeEventRecorder({ api, cache, logger });
    expect(() => rec.record(ev())).not.toThrow();
    await pollUntil('failure counted', 5000, () => (rec.stats.failed === 1 ? true : undefined));
    rec.record(ev());
    await pollUntil('second create', 5000, () =>
      calls.filter((c) => c.op === 'create').length === 2 ? true : undefined,
    );
  });
});
