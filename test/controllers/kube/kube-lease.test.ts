// KubeLease against an in-memory Lease API with the API server's optimistic concurrency (409 on a
// stale resourceVersion or an existing name, 404 when absent) and fake timers: a test double, so
// every timing path (renew deadline, takeover right after expiry) runs in milliseconds. The real
// kube-apiserver is exercised by test/integration/kube-ha.test.ts.
import type { V1Lease } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeLease, type LeaseApi, toRecord } from '../../../controllers/kube/kube-lease.js';

class ApiError extends Error {
  constructor(readonly code: number) {
    super(`HTTP ${code}`);
  }
}

/** One Lease object, stored as JSON (as the server returns it: times are strings). */
class FakeLeaseApi {
  lease: V1Lease | undefined;
  rv = 0;
  writes = 0;
  /** Per holder: make its calls fail (500) or hang. */
  readonly broken = new Map<string, 'fail' | 'hang'>();

  for(holder: string): LeaseApi {
    const guard = async () => {
      const b = this.broken.get(holder);
      if (b === 'fail') throw new ApiError(500);
      if (b === 'hang') await new Promise(() => undefined);
    };
    const clone = (l: V1Lease) => JSON.parse(JSON.stringify(l)) as V1Lease;
    return {
      readNamespacedLease: async () => {
        await guard();
        if (!this.lease) throw new ApiError(404);
        return clone(this.lease);
      },
      createNamespacedLease: async ({ body }) => {
        await guard();
        if (this.lease) throw new ApiError(409);
        return this.#store(body);
      },
      replaceNamespacedLease: async ({ body }) => {
        await guard();
        if (!this.lease) throw new ApiError(404);
        if (body.metadata?.resourceVersion !== this.lease.metadata?.resourceVersion) throw new ApiError(409);
        return this.#store(body);
      },
    };
  }

  #store(body: V1Lease): V1Lease {
    this.writes++;
    const l = JSON.parse(JSON.stringify(body)) as V1Lease;
    l.metadata = { ...l.metadata, resourceVersion: String(++this.rv) };
    this.lease = l;
    return JSON.parse(JSON.stringify(l)) as V1Lease;
  }

  get holder(): string | undefined {
    return this.lease?.spec?.holderIdentity;
  }
}

const DURATION = 3000; // renew every 1000, deadline 2000, candidates retry every 1000

function candidate(api: FakeLeaseApi, holder: string) {
  const events: string[] = [];
  const lease = new KubeLease({
    api: api.for(holder),
    name: 'swarmkeeper-informers',
    namespace: 'default',
    holder,
    durationMs: DURATION,
    onAcquired: () => events.push('acquired'),
    onLost: () => events.push('lost'),
  });
  return { lease, events };
}

let api: FakeLeaseApi;
beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
  api = new FakeLeaseApi();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('KubeLease', () => {
  it('creates the Lease, renews it every third of the duration; the other replica waits', async () => {
    const a = candidate(api, 'a');
    const b = candidate(api, 'b');
    await a.lease.start();
    await b.lease.start();
    expect(a.lease.isLeader).toBe(true);
    expect(b.lease.isLeader).toBe(false);
    expect(api.lease?.spec).toMatchObject({
      holderIdentity: 'a',
      leaseDurationSeconds: 3,
      leaseTransitions: 0,
    });
    expect(api.lease?.spec?.renewTime).toMatch(/^2026-01-01T00:00:00\.000000Z$/);
    const writes = api.writes;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.writes - writes).toBe(10); // one renewal per second
    expect(toRecord(api.lease!).renewTimeMs).toBe(Date.now());
    expect(a.events).toEqual(['acquired']);
    expect(b.events).toEqual([]);
    await b.lease.stop();
    await a.lease.stop();
  });

  it('two replicas starting together: exactly one wins (409 for the other)', async () => {
    const a = candidate(api, 'a');
    const b = candidate(api, 'b');
    await Promise.all([a.lease.start(), b.lease.start()]);
    expect([a.lease.isLeader, b.lease.isLeader].filter(Boolean)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect([a.lease.isLeader, b.lease.isLeader].filter(Boolean)).toHaveLength(1);
    await a.lease.stop();
    await b.lease.stop();
  });

  it('stop() releases the Lease: the other replica takes over within one retry period', async () => {
    const a = candidate(api, 'a');
    const b = candidate(api, 'b');
    await a.lease.start();
    await b.lease.start();
    await a.lease.stop();
    expect(a.events).toEqual(['acquired', 'lost']);
    expect(api.holder).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.lease.isLeader).toBe(true);
    expect(api.lease?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await b.lease.stop();
  });

  it('a dead holder: taken over just after renewTime + duration, not before', async () => {
    const a = candidate(api, 'a');
    const b = candidate(api, 'b');
    await a.lease.start();
    await b.lease.start();
    await vi.advanceTimersByTimeAsync(500);
    api.broken.set('a', 'hang'); // "kill -9": no more renewals from a
    const lastRenew = toRecord(api.lease!).renewTimeMs!;
    await vi.advanceTimersByTimeAsync(lastRenew + DURATION - Date.now());
    expect(b.lease.isLeader).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(b.lease.isLeader).toBe(true);
    expect(api.lease?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    // a stepped down on its own at its renew deadline, before b could take over
    expect(a.lease.isLeader).toBe(false);
    await b.lease.stop();
  });

  it('a leader that cannot renew steps down at its renew deadline (2/3 of the duration)', async () => {
    const a = candidate(api, 'a');
    await a.lease.start();
    const acquired = Date.now();
    api.broken.set('a', 'fail');
    await vi.advanceTimersByTimeAsync(1999);
    expect(a.lease.isLeader).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.lease.isLeader).toBe(false);
    expect(Date.now() - acquired).toBe(2000);
    // the API comes back: its own unexpired record is renewed, and it leads again
    api.broken.delete('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.lease.isLeader).toBe(true);
    expect(a.events).toEqual(['acquired', 'lost', 'acquired']);
    await a.lease.stop();
  });

  it('a Lease taken over behind its back (409 on renew): the old leader steps down', async () => {
    const a = candidate(api, 'a');
    await a.lease.start();
    // someone else writes itself as the holder
    api.lease!.spec!.holderIdentity = 'intruder';
    api.lease!.metadata!.resourceVersion = String(++api.rv);
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.lease.isLeader).toBe(false);
    expect(a.events).toEqual(['acquired', 'lost']);
    expect(api.holder).toBe('intruder');
    await a.lease.stop();
    expect(api.holder).toBe('intruder'); // never released what it does not hold
  });
});
