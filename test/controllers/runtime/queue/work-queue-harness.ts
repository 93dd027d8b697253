/** WorkQueue instances on a throwaway Redis, recording what each reconcile saw and how it ended. */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import {
  WorkQueue,
  type Outcome,
  type ReconcileContext,
  type ReconcileFn,
  type WorkQueueOptions,
} from '../../../../controllers/runtime/queue/index.js';
import { pollUntil } from '../../../integration/helpers/poll.js';
import { startRedis, type TestRedis } from '../../../support/redis-server.js';

export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}
export interface Run {
  key: string;
  ctx: ReconcileContext;
  t: number;
}
export interface Ended {
  key: string;
  id: string;
  outcome: Outcome;
  t: number;
}

export const DEBUG = 20;
export const WARN = 40;
export const ERROR = 50;

/** Starts one Redis for the file; closes every queue after each test. */
export function useQueueHarness() {
  const h = {
    server: undefined as unknown as TestRedis,
    redis: undefined as unknown as Redis,
    queues: [] as WorkQueue[],
    /**
     * A queue named `name` on the harness Redis (prefix `t`), its reconcile wrapped to record runs,
     * its hooks to record starts and ends, its logger to record every line.
     */
    queue(name: string, reconcile: ReconcileFn = async () => {}, extra: Partial<WorkQueueOptions> = {}) {
      const runs: Run[] = [];
      const starts: { key: string; id: string }[] = [];
      const ends: Ended[] = [];
      const terminal: { key: string; err: unknown }[] = [];
      const logs: LogRecord[] = [];
      const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
      const q = new WorkQueue({
        connection: { url: h.server.url },
        name,
        prefix: 't',
        concurrency: 4,
        logger,
        reconcile: (key, ctx) => {
          runs.push({ key, ctx, t: performance.now() });
          return reconcile(key, ctx);
        },
        hooks: {
          onStart: (key, id) => void starts.push({ key, id }),
          onEnd: (key, id, outcome) => void ends.push({ key, id, outcome, t: performance.now() }),
          onTerminal: (key, err) => void terminal.push({ key, err }),
        },
        ...extra,
      });
      h.queues.push(q);
      return { q, runs, starts, ends, terminal, logs };
    },
  };
  beforeAll(async () => {
    h.server = await startRedis();
    h.redis = new Redis(h.server.url, { maxRetriesPerRequest: null });
  }, 20_000);
  beforeEach(async () => {
    await h.redis.flushall();
  });
  afterEach(async () => {
    await Promise.all(h.queues.splice(0).map((q) => q.close(500)));
  }, 20_000);
  afterAll(async () => {
    await h.redis?.quit();
    await h.server?.stop();
  }, 20_000);
  return h;
}

export const poll = <T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 3000) =>
  pollUntil(what, ms, check, 10);

/** A promise and the function that resolves it. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}
