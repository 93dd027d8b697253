// The migration actors at both ends: ensureTarget's exact refusals and failures (ownership, a target
// in use, creation), restoreMounts putting the recorded mounts back, and removeSource's checks of
// the containers that still use the source volume before it is removed.
import { describe, expect, it } from 'vitest';
import type { ConsumerRecord, MigrationTarget } from '../../../machines/volume-migration.types.js';
import {
  SOURCE,
  TARGET,
  mount,
  svc,
  ops,
  signal,
  volumeExists,
  type Req,
} from './migration-actors-harness.js';

const fail = (statusCode: number, message: string) => () => {
  throw { statusCode, json: { message } };
};
const posts = (log: Req[]) => log.filter((r) => r.method !== 'GET');

describe('ensureTarget', () => {
  it('refuses an existing unlabelled volume for an inline target, with the whole advice', async () => {
    const { ops: o } = ops({ target: { 'GET /volumes/data2': () => ({ Name: 'data2', Driver: 'local' }) } });
    await expect(o.ensureTarget({ input: { target: TARGET }, signal })).rejects.toMatchObject({
      message:
        'spec.target.spec: volume data2 already exists on node n2 and is not owned by SwarmVolumeMigration/default/m; ' +
        'name another volume, or refer to it with spec.target.volumeRef',
      retryable: false,
    });
  });

  it('a target in use: the whole refusal text', async () => {
    const { ops: o } = ops({
      manager: { 'GET /services': () => [svc('S2', 'web', { mounts: [mount('data2')] })] },
      target: {
        'GET /volumes/data2': () => ({ Name: 'data2', Driver: 'swlvol', Labels: TARGET.create?.labels }),
      },
    });
    await expect(o.ensureTarget({ input: { target: TARGET }, signal })).rejects.toMatchObject({
      message:
        'spec.target.spec: volume data2 on node n2 is already mounted by service(s) web: a migration never copies ' +
        'over a volume in use. If an earlier migration to it completed, delete this SwarmVolumeMigration; ' +
        'otherwise stop those services or name another target',
    });
  });

  it('the services lookup failing is a retryable step failure', async () => {
    const { ops: o } = ops({
      manager: { 'GET /services': fail(503, 'manager unavailable') },
      target: {
        'GET /volumes/data2': () => ({ Name: 'data2', Driver: 'swlvol', Labels: TARGET.create?.labels }),
      },
    });
    await expect(o.ensureTarget({ input: { target: TARGET }, signal })).rejects.toMatchObject({
      message: 'look up the services that mount volume data2: manager unavailable (HTTP 503)',
      retryable: true,
    });
  });

  it('creates with the local driver and the driver options when none is named', async () => {
    const target: MigrationTarget = {
      ...TARGET,
      create: { driverOpts: { size: '1G' }, labels: { a: 'b' } },
    };
    const { ops: o, log } = ops({ target: { 'POST /volumes/create': () => ({}) } });
    expect(await o.ensureTarget({ input: { target }, signal })).toEqual({
      exists: true,
      created: true,
      driver: 'local',
    });
    expect(posts(log.target)[0]?.body).toEqual({
      Name: 'data2',
      Driver: 'local',
      DriverOpts: { size: '1G' },
      Labels: { a: 'b' },
    });
  });

  it('a failed create names the volume, driver and node', async () => {
    const { ops: o } = ops({ target: { 'POST /volumes/create': fail(500, 'plugin not found') } });
    await expect(o.ensureTarget({ input: { target: TARGET }, signal })).rejects.toMatchObject({
      message: 'create volume data2 (driver swlvol) on node n2: plugin not found (HTTP 500)',
      retryable: true,
    });
  });
});

describe('restoreMounts', () => {
  it('puts the recorded source mount and constraints back on a switched consumer', async () => {
    const WEB: ConsumerRecord = {
      service: 'web',
      id: 's1',
      replicas: 3,
      mounts: [mount('data')],
      constraints: ['node.hostname==n1'],
    };
    const switched = svc('s1', 'web', { constraints: ['node.hostname==n2'], mounts: [mount('data2')] });
    const { ops: o, log } = ops({
      manager: { 'GET /services/s1': () => switched, 'POST /services/s1/update': () => ({}) },
    });
    await o.restoreMounts({ input: { consumers: [WEB], source: SOURCE, target: TARGET }, signal });
    const updates = posts(log.manager);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.body).toMatchObject({
      TaskTemplate: {
        ContainerSpec: { Mounts: [mount('data')] },
        Placement: { Constraints: ['node.hostname==n1'] },
      },
    });
  });
});

describe('removeSource', () => {
  const WEB: ConsumerRecord = { service: 'web', id: 's1', replicas: 1, mounts: [], constraints: [] };
  const input = { source: SOURCE, consumers: [WEB] };

  it('a source volume already gone: nothing else is asked', async () => {
    const { ops: o, log } = ops({});
    await o.removeSource({ input, signal });
    expect(log.source.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /volumes/data']);
  });

  it('lists every container (stopped too) that uses the volume, then removes it', async () => {
    const { ops: o, log } = ops({
      source: { ...volumeExists, 'GET /containers/json': () => [], 'DELETE /volumes/data': () => '' },
    });
    await o.removeSource({ input, signal });
    const list = log.source.find((r) => r.path === '/containers/json');
    expect(list?.query).toEqual({ all: true, filters: JSON.stringify({ volume: ['data'] }) });
    expect(log.source.at(-1)).toMatchObject({ method: 'DELETE', path: '/volumes/data' });
  });

  it('blocks on a running consumer task, another service, an unlabelled container; names them', async () => {
    const { ops: o, log } = ops({
      source: {
        ...volumeExists,
        'GET /containers/json': () => [
          {
            Id: 'c1',
            State: 'running',
            Names: ['/web.1.x'],
            Labels: { 'com.docker.swarm.service.id': 's1' },
          },
          {
            Id: 'c2',
            State: 'exited',
            Names: ['/other.1.y'],
            Labels: { 'com.docker.swarm.service.id': 's9' },
          },
          { Id: '0123456789abcdef', State: 'exited' },
          { Id: 'c4', State: 'exited', Names: ['plain'], Labels: {} },
        ],
      },
    });
    await expect(o.removeSource({ input, signal })).rejects.toMatchObject({
      message: 'volume data on node n1 is in use by web.1.x, other.1.y, 0123456789ab, plain',
      retryable: true,
    });
    expect(posts(log.source)).toEqual([]);
  });

  it.each([
    ['GET /containers/json', 'list containers using volume data on node n1: daemon error (HTTP 500)'],
    ['DELETE /volumes/data', 'remove volume data on node n1: daemon error (HTTP 500)'],
  ])('%s failing is a retryable step failure', async (route, message) => {
    const { ops: o } = ops({
      source: {
        ...volumeExists,
        'GET /containers/json': () => [],
        'DELETE /volumes/data': () => '',
        [route]: fail(500, 'daemon error'),
      },
    });
    await expect(o.removeSource({ input, signal })).rejects.toMatchObject({ message, retryable: true });
  });
});
