import { afterEach, describe, expect, it, vi } from 'vitest';
import { gate, poll, useQueueHarness } from './work-queue-harness.js';

const h = useQueueHarness();
const KEYS = Array.from({ length: 48 }, (_, i) => `S/ns/s${i}`);
const INTERVAL = 60_000;
const SLOT_START = 29_000_000 * INTERVAL;

afterEach(() => {
  vi.useRealTimers();
});

/** How many times each key was reconciled, over every queue's runs. */
function perKey(runs: { key: string }[][]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of runs.flat()) m.set(r.key, (m.get(r.key) ?? 0) + 1);
  return m;
}

describe('WorkQueue: replicas share the periodic resync pass, shard by shard', { timeout: 20_000 }, () => {
  it.each([2, 3])(
    '%d queues on one Redis: every key reconciled exactly once per slot, each queue a share',
    async (n) => {
      vi.useFakeTimers({ toFake: ['Date'] }); // the slot comes from the clock; nothing else is faked
      // every queue's first reconcile of a slot waits until each queue runs one: none takes all
      let barrier = gate();
      let entered = new Set<number>();
      const queues = Array.from({ length: n }, (_, i) =>
        h.queue(
          'share',
          async () => {
            if (entered.has(i)) return;
            entered.add(i);
            if (entered.size === n) barrier.open();
            await barrier.wait;
          },
          { resyncIntervalMs: INTERVAL },
        ),
      );
      for (const { q } of queues) q.registerResync(() => KEYS);
      for (const slot of [0, 1]) {
        vi.setSystemTime(SLOT_START + slot * INTERVAL + 1234);
        const counts = await Promise.all(queues.map(({ q }) => q.resyncElected()));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(KEYS.length);
        for (const c of counts) expect(c).toBeGreaterThan(0);
        expect(counts).toEqual(queues.map(({ runs }) => runs.filter((r) => r.ctx.via === 'resync').length));
        const once = perKey(queues.map(({ runs }) => runs));
        expect([...once.keys()].sort()).toEqual([...KEYS].sort());
        expect(new Set(once.values())).toEqual(new Set([1]));
        for (const { runs } of queues) runs.length = 0;
        barrier = gate();
        entered = new Set();
      }
      expect(await h.redis.keys('t:share:sk:lock:*')).toEqual([]);
    },
  );

  it('a queue still running its share when the next slot comes skips that slot; the other takes all of it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(SLOT_START + 10);
    const held = gate();
    const a = h.queue('skip', async (key) => (key === KEYS[0] ? held.wait : undefined), {
      resyncIntervalMs: INTERVAL,
    });
    const b = h.queue('skip', async () => {}, { resyncIntervalMs: INTERVAL });
    a.q.registerResync(() => KEYS);
    b.q.registerResync(() => KEYS);
    const first = a.q.resyncElected();
    await poll('a to hold the first key', () => (a.runs.some((r) => r.key === KEYS[0]) ? true : undefined));
    vi.setSystemTime(SLOT_START + INTERVAL + 10);
    expect(await a.q.resyncElected()).toBe(0);
    expect(a.logs.some((l) => l.msg === 'resync pass skipped: the previous pass is still running')).toBe(
      true,
    );
    expect(await b.q.resyncElected()).toBe(KEYS.length);
    held.open();
    expect(await first).toBe(KEYS.length);
    // b ran every key but the one a holds, which it handed to the queue (the lock rule)
    expect(b.runs.map((r) => r.key).sort()).toEqual(KEYS.slice(1).sort());
    const busy = b.logs.filter((l) => l.msg === 'key locked by another worker; requeueing');
    expect(busy.map((l) => l.key)).toEqual([KEYS[0]]);
  });
});
