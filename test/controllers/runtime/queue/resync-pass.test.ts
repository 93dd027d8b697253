import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runResyncPass, type ResyncPassDeps } from '../../../../controllers/runtime/queue/resync-pass.js';

/** A pass over fakes, recording what ran in process, what was queued and the peak of runs at once. */
async function pass(
  keys: string[],
  opts: {
    concurrency?: number;
    failures?: Record<string, number>;
    runFails?: Set<string>;
    enqueueFails?: Set<string>;
    closeAfter?: number;
  } = {},
) {
  const ran: string[] = [];
  const queued: string[] = [];
  const errors: string[] = [];
  let now = 0;
  let peak = 0;
  const deps: ResyncPassDeps = {
    concurrency: opts.concurrency ?? 2,
    failures: async () =>
      Object.fromEntries(Object.entries(opts.failures ?? {}).map(([k, n]) => [k, String(n)])),
    run: async (key) => {
      now++;
      peak = Math.max(peak, now);
      await Promise.resolve(); // a real reconcile yields: lanes overlap here
      now--;
      if (opts.runFails?.has(key)) throw new Error('redis down');
      ran.push(key);
    },
    enqueue: async (key) => {
      if (opts.enqueueFails?.has(key)) throw new Error('redis down');
      queued.push(key);
    },
    closing: () => opts.closeAfter !== undefined && ran.length >= opts.closeAfter,
    onError: (key) => void errors.push(key),
  };
  const counts = await runResyncPass(keys, deps);
  return { ran, queued, errors, peak, counts };
}

const K = ['S/ns/a', 'S/ns/b', 'S/ns/c', 'S/ns/d'];

describe('runResyncPass', () => {
  it.each<[string, Parameters<typeof pass>[1], string[], string[], string[]]>([
    ['a no-op pass runs every key in process and queues none', {}, K, [], []],
    [
      'a key in backoff goes to the queue, keeping its attempt',
      { failures: { 'S/ns/b': 2 } },
      ['S/ns/a', 'S/ns/c', 'S/ns/d'],
      ['S/ns/b'],
      [],
    ],
    ['a failure count of 0 is no backoff', { failures: { 'S/ns/b': 0 } }, K, [], []],
    [
      'a key whose runner throws (Redis) is handed to the queue',
      { runFails: new Set(['S/ns/c']) },
      ['S/ns/a', 'S/ns/b', 'S/ns/d'],
      ['S/ns/c'],
      [],
    ],
    [
      'a key that can neither run nor be queued is reported',
      { runFails: new Set(['S/ns/c']), enqueueFails: new Set(['S/ns/c']) },
      ['S/ns/a', 'S/ns/b', 'S/ns/d'],
      [],
      ['S/ns/c'],
    ],
    [
      'closing stops the pass: the keys not started go to the queue',
      { concurrency: 1, closeAfter: 2 },
      ['S/ns/a', 'S/ns/b'],
      ['S/ns/c', 'S/ns/d'],
      [],
    ],
  ])('%s', async (_name, opts, ran, queued, errors) => {
    const r = await pass(K, opts);
    expect(r.ran).toEqual(ran);
    expect(r.queued).toEqual(queued);
    expect(r.errors).toEqual(errors);
    expect(r.counts).toEqual({ inProcess: ran.length, queued: queued.length });
  });

  it('an empty pass reads nothing more and runs nothing', async () => {
    const r = await pass([]);
    expect(r).toMatchObject({ ran: [], queued: [], counts: { inProcess: 0, queued: 0 } });
  });

  it('every key is run or queued exactly once, never more than `concurrency` at a time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^S\/ns\/[a-z]{1,4}$/), { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.func(fc.boolean()),
        async (keys, concurrency, inBackoff) => {
          const failures = Object.fromEntries(keys.filter((k) => inBackoff(k)).map((k) => [k, 1]));
          const r = await pass(keys, { concurrency, failures });
          expect([...r.ran, ...r.queued].sort()).toEqual([...keys].sort());
          expect(r.queued.sort()).toEqual(Object.keys(failures).sort());
          expect(r.peak).toBeLessThanOrEqual(concurrency);
        },
      ),
    );
  });
});
