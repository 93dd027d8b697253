import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../../controllers/runtime/queue/index.js';
import { startRedis } from '../../../support/redis-server.js';
import { gate, poll, WARN, type LogRecord } from './work-queue-harness.js';

describe('WorkQueue.close when Redis is gone', { timeout: 20_000 }, () => {
  it('ends within a bounded time, aborting a reconcile that ignores its signal', async () => {
    const server = await startRedis();
    const logs: LogRecord[] = [];
    const stuck = gate();
    let signal: AbortSignal | undefined;
    const q = new WorkQueue({
      connection: { url: server.url },
      name: 'gone',
      prefix: 't',
      concurrency: 1,
      logger: pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) }),
      reconcile: async (_key, ctx) => {
        signal = ctx.signal;
        await stuck.wait;
      },
    });
    try {
      await q.start();
      await q.enqueue('S/ns/a');
      await poll('the run', () => signal);
      await server.stop();
      const t0 = performance.now();
      await q.close(300);
      const elapsed = performance.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(299);
      expect(elapsed).toBeLessThan(3300);
      expect((signal?.reason as Error).message).toBe('work queue closing');
      expect(logs.filter((l) => l.level === WARN).map((l) => l.msg)).toEqual([
        'close deadline passed; aborting active reconciles',
        'the worker did not close in time (Redis unreachable?); forcing it',
      ]);
      // The lost connection itself is logged as an error.
      expect(logs.find((l) => l.msg === 'queue connection error')).toMatchObject({ level: 50 });
    } finally {
      stuck.open();
      await server.stop();
    }
  });
});
