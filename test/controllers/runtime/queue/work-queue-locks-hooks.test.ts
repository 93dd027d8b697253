import { describe, expect, it } from 'vitest';
import { skError } from '../../../../reconciler/errors.js';
import { ERROR, gate, poll, useQueueHarness, WARN } from './work-queue-harness.js';

const h = useQueueHarness();
const K = 'Stack/ns/a';
const lockKey = (name: string, key = K) => `t:${name}:sk:lock:${key}`;
const outcomes = (ends: { outcome: { kind: string; requeueAfterMs?: number } }[]) =>
  ends.map((e) => [e.outcome.kind, e.outcome.requeueAfterMs]);

describe('WorkQueue: what one reconcile sees and how it ends', { timeout: 20_000 }, () => {
  it('a waiting error that keeps the backoff leaves the failure count for the next failure', async () => {
    // a deploy hook run again after a failure: waiting for that run is no success
    const { q, runs, ends } = h.queue(
      'keeps',
      async (key) => {
        const n = runs.filter((r) => r.key === key).length;
        if (n === 1 || n === 3) throw new Error('hook failed');
        if (n === 2)
          throw skError('HOOK_RUNNING', 'hook runs again', { requeueAfterMs: 30, keepsBackoff: true });
      },
      { backoff: { baseMs: 10 } },
    );
    await q.start();
    await q.enqueue(K);
    await poll('the key to end in success', () =>
      ends.at(-1)?.outcome.kind === 'success' ? true : undefined,
    );
    expect(outcomes(ends)).toEqual([
      ['backoff', 10],
      ['waiting', 30],
      ['backoff', 20],
      ['success', undefined],
    ]);
    expect(runs.map((r) => r.ctx.attempt)).toEqual([0, 1, 1, 2]);
  });

  it('a key locked by another holder is retried after busyRetryMs (250 ms by default)', async () => {
    const { q, runs, logs } = h.queue('busy');
    await q.start();
    await h.redis.set(lockKey('busy'), 'someone-else', 'PX', 150);
    const t0 = performance.now();
    await q.enqueue(K);
    await poll('the run', () => (runs.length === 1 ? true : undefined));
    expect((runs[0]?.t ?? 0) - t0).toBeGreaterThanOrEqual(249);
    expect(logs.find((l) => l.msg === 'key locked by another worker; requeueing')).toMatchObject({ key: K });
  });

  it('a lost key lock aborts the reconcile, which is requeued at once and not counted as a failure', async () => {
    const { q, runs, ends } = h.queue(
      'lost',
      async (_key, { signal }) => {
        if (runs.length > 1) return;
        await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
        throw signal.reason;
      },
      { lockTtlMs: 150, busyRetryMs: 20 },
    );
    await q.start();
    await q.enqueue(K);
    await poll('the run', () => (runs.length === 1 ? true : undefined));
    await h.redis.set(lockKey('lost'), 'someone-else', 'PX', 200);
    await poll('the rerun to end', () => (ends.length === 2 ? true : undefined));
    expect(runs[0]?.ctx.signal.aborted).toBe(true);
    expect(outcomes(ends)).toEqual([
      ['aborted', 0],
      ['success', undefined],
    ]);
    expect((ends[0]?.outcome.error as Error).message).toBe(`lock on ${K} lost`);
    expect(runs.map((r) => r.ctx.attempt)).toEqual([0, 0]);
  });

  it('a key lock that cannot be released is logged, and the run still ends', async () => {
    const { q, ends, logs } = h.queue('release', async (key) => {
      // Redis refuses the compare-and-delete (WRONGTYPE): the key briefly holds a hash.
      await h.redis.del(lockKey('release', key));
      await h.redis.hset(lockKey('release', key), 'f', 'v');
    });
    await q.start();
    await q.enqueue(K);
    await poll('the end', () => (ends.length === 1 ? true : undefined));
    expect(ends[0]?.outcome.kind).toBe('success');
    const line = logs.find((l) => l.msg === 'releasing key lock failed');
    expect(line).toMatchObject({ level: WARN, key: K });
    expect((line?.['err'] as { message: string }).message).toMatch(/WRONGTYPE/);
  });

  it('hooks that throw are logged and change nothing', async () => {
    const g = gate();
    const { q, runs, logs } = h.queue(
      'hooks',
      async () => {
        if (runs.length === 1) throw new Error('flaky');
        if (runs.length === 2) throw skError('COMPOSE_INVALID', 'bad');
        g.open();
      },
      {
        backoff: { baseMs: 10 },
        hooks: {
          onEnd: () => {
            throw new Error('onEnd broke');
          },
          onTerminal: () => {
            throw new Error('onTerminal broke');
          },
        },
      },
    );
    await q.start();
    await q.enqueue(K);
    // The backoff requeue still happens after onEnd threw; onTerminal is still called after it.
    await poll('the terminal end', () =>
      logs.filter((l) => l.msg === 'work queue hook threw').length === 3 ? true : undefined,
    );
    await q.enqueue(K);
    await g.wait;
    expect(runs).toHaveLength(3);
    const threw = await poll('the last onEnd', () => {
      const all = logs.filter((l) => l.msg === 'work queue hook threw');
      return all.length === 4 ? all : undefined;
    });
    expect(threw.map((l) => [l.level, (l['err'] as { message: string }).message])).toEqual([
      [WARN, 'onEnd broke'],
      [WARN, 'onEnd broke'],
      [WARN, 'onTerminal broke'],
      [WARN, 'onEnd broke'],
    ]);
  });

  it('hooks are optional: a queue without onEnd or onTerminal ends its runs quietly', async () => {
    const { q, runs, logs } = h.queue(
      'nohooks',
      async () => {
        if (runs.length === 1) throw skError('COMPOSE_INVALID', 'bad');
      },
      { hooks: {} },
    );
    await q.start();
    await q.enqueue(K);
    await poll('the terminal end', () =>
      logs.some((l) => l.msg === 'reconcile failed terminally; not retried') ? true : undefined,
    );
    await q.enqueue(K);
    await poll('the second end', () =>
      logs.filter((l) => l.msg === 'reconcile end').length === 2 ? true : undefined,
    );
    expect(logs.filter((l) => l.msg === 'work queue hook threw')).toEqual([]);
  });

  it('a job whose processing fails (Redis refuses the failure count) is logged and left to the resync', async () => {
    const { q, logs } = h.queue('failed');
    await h.redis.set('t:failed:sk:failures', 'not a hash');
    await q.start();
    await q.enqueue(K);
    const line = await poll('the failure to be logged', () =>
      logs.find((l) => l.msg === 'reconcile job failed; waiting for resync'),
    );
    expect(line).toMatchObject({ level: ERROR, key: K });
    expect((line['err'] as { message?: string }).message).toMatch(/WRONGTYPE/); // logged as an Error object
  });
});
