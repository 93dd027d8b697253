// The migration's Docker calls as step failures (message, HTTP status, retryable), service updates
// retried only on `update out of sequence`, and consumer discovery's exact refusals and records.
import { describe, expect, it } from 'vitest';
import {
  call,
  fail,
  inspectService,
  mutateService,
  tasksOf,
} from '../../../controllers/volume-migration/migration-docker.js';
import { StepError } from '../../../machines/step-policy.js';
import { LABEL_INSTANCE, LABEL_OWNER } from '../../../reconciler/model/ownership.js';
import {
  SOURCE,
  fakeDocker,
  mount,
  ops,
  signal,
  svc,
  volumeExists,
  type Req,
} from './migration-actors-harness.js';

const httpErr = (statusCode: number, message: string) => ({ statusCode, json: { message } });
const thrown = (f: () => unknown): StepError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(StepError);
    return e as StepError;
  }
  throw new Error('did not throw');
};

describe('fail', () => {
  it.each<[unknown, boolean | undefined, string, boolean]>([
    [httpErr(500, 'boom'), undefined, 'op: boom (HTTP 500)', true],
    [httpErr(409, 'conflict'), false, 'op: conflict (HTTP 409)', false],
    [new Error('socket hang up'), undefined, 'op: socket hang up', true],
  ])('%j (retryable %s) → %s', (e, retryable, message, want) => {
    const err = thrown(() => (retryable === undefined ? fail('op', e) : fail('op', e, retryable)));
    expect(err.message).toBe(message);
    expect(err.retryable).toBe(want);
    expect(err.cause).toBe(e);
  });
  it('a StepError passes through unchanged', () => {
    const own = new StepError('mine', { retryable: false });
    expect(thrown(() => fail('op', own))).toBe(own);
  });
  it('call wraps a rejection, passes a result', async () => {
    await expect(call('op', async () => 3)).resolves.toBe(3);
    await expect(call('op', () => Promise.reject(httpErr(503, 'down')))).rejects.toMatchObject({
      message: 'op: down (HTTP 503)',
    });
  });
});

describe('services and tasks', () => {
  const rec = { id: 's1', service: 'web' };
  const oos = () => {
    throw httpErr(500, 'rpc error: code = Unknown desc = update out of sequence');
  };

  it('inspectService: a missing service is undefined, another failure names it', async () => {
    const log: Req[] = [];
    const m = fakeDocker(
      {
        'GET /services/s2': () => {
          throw httpErr(500, 'raft');
        },
      },
      log,
    );
    expect(await inspectService(m, 's1', signal)).toBeUndefined();
    await expect(inspectService(m, 's2', signal)).rejects.toMatchObject({
      message: 'inspect service s2: raft (HTTP 500)',
    });
  });

  it('mutateService: false for a gone service, true for no change (nothing posted)', async () => {
    const log: Req[] = [];
    const m = fakeDocker({ 'GET /services/s1': () => svc('s1', 'web') }, log);
    expect(await mutateService(m, { id: 'gone', service: 'x' }, (s) => s, signal)).toBe(false);
    expect(await mutateService(m, rec, () => undefined, signal)).toBe(true);
    expect(log.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('mutateService gives up after `retries` out-of-sequence updates with the last error', async () => {
    const log: Req[] = [];
    const m = fakeDocker(
      { 'GET /services/s1': () => svc('s1', 'web'), 'POST /services/s1/update': oos },
      log,
    );
    await expect(mutateService(m, rec, (s) => ({ ...s }), signal, 2)).rejects.toMatchObject({
      message: 'update service web: rpc error: code = Unknown desc = update out of sequence (HTTP 500)',
      retryable: true,
    });
    expect(log.filter((r) => r.method === 'POST')).toHaveLength(3);
  });

  it('mutateService does not retry another failure', async () => {
    const log: Req[] = [];
    const m = fakeDocker(
      {
        'GET /services/s1': () => svc('s1', 'web'),
        'POST /services/s1/update': () => {
          throw httpErr(400, 'invalid mount');
        },
      },
      log,
    );
    await expect(mutateService(m, rec, (s) => ({ ...s }), signal)).rejects.toMatchObject({
      message: 'update service web: invalid mount (HTTP 400)',
    });
    expect(log.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('tasksOf filters by service; a failure says list tasks', async () => {
    const log: Req[] = [];
    const ok = fakeDocker({ 'GET /tasks': () => [{ ID: 't1' }] }, log);
    expect(await tasksOf(ok, 's1', signal)).toEqual([{ ID: 't1' }]);
    expect(log[0]?.query).toEqual({ filters: JSON.stringify({ service: ['s1'] }) });
    await expect(tasksOf(fakeDocker({}, []), 's1', signal)).rejects.toMatchObject({
      message: expect.stringMatching(/^list tasks: /),
    });
  });
});

describe('discover', () => {
  const labelled = (owner: string, instance: string) => {
    const s = svc('S1', 'web');
    return { ...s, Spec: { ...s.Spec, Labels: { [LABEL_OWNER]: owner, [LABEL_INSTANCE]: instance } } };
  };

  it('a consumer owned by a stack that is not corrected (or another instance) is taken', async () => {
    for (const corrected of [undefined, { instance: 'other', owners: ['SwarmStack/default/app'] }]) {
      const { ops: o } = ops({
        manager: { 'GET /services': () => [labelled('SwarmStack/default/app', 'test')] },
        source: volumeExists,
      });
      const got = await o.discover({
        input: { source: SOURCE, ...(corrected ? { corrected } : {}) },
        signal,
      });
      expect(got.map((c) => c.service)).toEqual(['web']);
    }
  });

  it('a corrected consumer is refused with the whole advice', async () => {
    const { ops: o } = ops({
      manager: { 'GET /services': () => [labelled('SwarmStack/default/app', 'test')] },
      source: volumeExists,
    });
    const input = { source: SOURCE, corrected: { instance: 'test', owners: ['SwarmStack/default/app'] } };
    await expect(o.discover({ input, signal })).rejects.toMatchObject({
      message:
        'consumer web is managed by SwarmStack/default/app with driftPolicy correct: swarmkeeper would scale it ' +
        'back up during the copy and put the source mount back; point its spec at the target volume ' +
        'instead, or set driftPolicy: detect on it for the migration',
      retryable: false,
    });
  });

  it('spec.consumers by name or ID; one not mounting the source is refused; records only source mounts', async () => {
    const both = svc('S1', 'web', { mounts: [mount('data'), mount('other')] });
    const api = svc('S2', 'api', { mounts: [mount('other')] });
    const { ops: o } = ops({ manager: { 'GET /services': () => [both, api] }, source: volumeExists });
    const got = await o.discover({ input: { source: SOURCE, consumers: ['S1'] }, signal });
    expect(got).toEqual([
      { service: 'web', id: 'S1', replicas: 3, mounts: [mount('data')], constraints: [] },
    ]);
    await expect(o.discover({ input: { source: SOURCE, consumers: ['api'] }, signal })).rejects.toMatchObject(
      {
        message: 'spec.consumers: service api does not mount volume data',
        retryable: false,
      },
    );
  });

  it('the services list failing is a retryable step failure', async () => {
    const { ops: o } = ops({
      manager: {
        'GET /services': () => {
          throw httpErr(503, 'no leader');
        },
      },
      source: volumeExists,
    });
    await expect(o.discover({ input: { source: SOURCE }, signal })).rejects.toMatchObject({
      message: 'list services: no leader (HTTP 503)',
      retryable: true,
    });
  });
});
