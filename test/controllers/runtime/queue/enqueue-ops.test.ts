import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addNow,
  JOB_NAME,
  jobOptions,
  scheduleAfter,
  type JobData,
  type JobResult,
} from '../../../../controllers/runtime/queue/enqueue-ops.js';
import { pollUntil } from '../../../integration/helpers/poll.js';
import { redisForFile, type TestRedis } from '../../../support/redis-server.js';

let server: TestRedis;
let redis: Redis;
let queue: Queue<JobData, JobResult>;
let worker: Worker<JobData, JobResult> | undefined;
const NAME = 'ops';
const KEY = 'Stack/ns/a';

redisForFile((r, s) => {
  redis = r;
  server = s;
});
beforeEach(async () => {
  queue = new Queue<JobData, JobResult>(NAME, { connection: redis, prefix: 't' });
});
afterEach(async () => {
  await worker?.close(true);
  worker = undefined;
  await queue.close();
});

const poll = <T>(what: string, check: () => Promise<T | undefined> | T | undefined) =>
  pollUntil(what, 3000, check, 10);

/** The one job of KEY: its state, delay and data. */
async function theJob(): Promise<{ state: string; delay: number; data: JobData; id: string } | undefined> {
  const id = await queue.getDeduplicationJobId(KEY);
  const job = id ? await queue.getJob(id) : undefined;
  if (!job?.id) return undefined;
  return { state: await job.getState(), delay: job.delay, data: job.data, id: job.id };
}

async function counts() {
  return queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
}

describe('jobOptions', () => {
  it.each([
    [0, {}],
    [-5, {}],
    [250, { delay: 250 }],
  ])(
    'delay %d ms: one job per key (a later enqueue replaces a delayed one, parks behind an active one)',
    (d, delay) => {
      expect(jobOptions(KEY, d)).toEqual({
        ...delay,
        deduplication: { id: KEY, keepLastIfActive: true, replace: true },
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
      });
    },
  );
});

describe('addNow and scheduleAfter on a real Redis', { timeout: 20_000 }, () => {
  it('addNow: one waiting job per key, carrying `via` when the resync asked', async () => {
    await addNow(queue, KEY, 'resync');
    expect(await theJob()).toMatchObject({ state: 'waiting', data: { key: KEY, via: 'resync' } });
    await addNow(queue, KEY);
    await addNow(queue, KEY);
    await addNow(queue, 'Stack/ns/b');
    expect(await counts()).toEqual({ waiting: 2, prioritized: 0, active: 0, delayed: 0 });
    const b = await queue.getJob((await queue.getDeduplicationJobId('Stack/ns/b')) ?? '');
    expect(b?.name).toBe(JOB_NAME);
    expect(b?.data).toEqual({ key: 'Stack/ns/b' });
  });

  it('addNow replaces a delayed job: the key runs now', async () => {
    await scheduleAfter(queue, redis, KEY, 60_000);
    expect(await theJob()).toMatchObject({ state: 'delayed', delay: 60_000, data: { key: KEY } });
    await addNow(queue, KEY);
    expect(await theJob()).toMatchObject({ state: 'waiting' });
    expect(await counts()).toEqual({ waiting: 1, prioritized: 0, active: 0, delayed: 0 });
  });

  it('scheduleAfter: the earliest request wins', async () => {
    await scheduleAfter(queue, redis, KEY, 60_000);
    const first = await theJob();
    // A later request leaves the sooner one.
    await scheduleAfter(queue, redis, KEY, 120_000);
    expect(await theJob()).toEqual(first);
    // A sooner request replaces the later one.
    await scheduleAfter(queue, redis, KEY, 30_000);
    expect(await theJob()).toMatchObject({ state: 'delayed', delay: 30_000 });
    expect(await counts()).toMatchObject({ delayed: 1, waiting: 0 });
  });

  it.each([
    ['waiting', {}],
    ['prioritized', { priority: 1 }],
  ])('scheduleAfter leaves a %s job alone: the key already runs sooner', async (state, extra) => {
    await queue.add(JOB_NAME, { key: KEY, via: 'resync' }, { ...jobOptions(KEY, 0), ...extra });
    const before = await theJob();
    expect(before?.state).toBe(state);
    await scheduleAfter(queue, redis, KEY, 60_000);
    expect(await theJob()).toEqual(before);
    expect(await counts()).toMatchObject({ delayed: 0 });
  });

  /** A worker that holds KEY's first run until `release()`; `runs` counts the runs started. */
  async function holdFirstRun() {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const runs: JobData[] = [];
    worker = new Worker<JobData, JobResult>(
      NAME,
      async (job: Job<JobData, JobResult>) => {
        runs.push(job.data);
        if (runs.length === 1) await gate;
        return { kind: 'success' };
      },
      { connection: { host: '127.0.0.1', port: server.port, maxRetriesPerRequest: null }, prefix: 't' },
    );
    await addNow(queue, KEY);
    await poll('the first run to start', () => (runs.length === 1 ? true : undefined));
    return { runs, release };
  }

  it('scheduleAfter while the key runs parks a delayed run behind it', async () => {
    const { runs, release } = await holdFirstRun();
    await scheduleAfter(queue, redis, KEY, 60_000);
    release();
    await poll('the parked run to be delayed', async () =>
      (await counts()).delayed === 1 ? true : undefined,
    );
    expect(await theJob()).toMatchObject({ state: 'delayed', delay: 60_000 });
    expect(runs).toHaveLength(1);
  });

  it('scheduleAfter does not delay a run already parked behind the active one', async () => {
    const { runs, release } = await holdFirstRun();
    await addNow(queue, KEY, 'resync');
    await scheduleAfter(queue, redis, KEY, 60_000);
    release();
    await poll('the parked run to start', () => (runs.length === 2 ? true : undefined));
    expect(runs[1]).toEqual({ key: KEY, via: 'resync' });
    expect(await counts()).toMatchObject({ delayed: 0 });
  });
});
