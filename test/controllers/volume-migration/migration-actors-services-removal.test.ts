// The migration actors' Docker conversations, against a scripted fake of dockerode's modem (every
// request recorded): consumer discovery, ownership of an inline target, `update out of sequence`
// (read again, apply the change to the new spec), waiting for tasks. The copy itself (archive
// streams between two daemons) runs for real in test/integration/volume-migration.test.ts.
import { describe, expect, it } from 'vitest';
import type { ConsumerRecord } from '../../../machines/volume-migration.types.js';
import { SOURCE, TARGET, mount, svc, ops, signal, volumeExists } from './migration-actors-harness.js';

describe('service updates', () => {
  const WEB: ConsumerRecord = {
    service: 'web',
    id: 's1',
    replicas: 3,
    mounts: [mount('data')],
    constraints: ['node.hostname==n1'],
  };

  it('on `update out of sequence` reads the service again and applies the change to the new spec and version', async () => {
    let reads = 0;
    let updates = 0;
    const { ops: o, log } = ops({
      manager: {
        'GET /services/s1': () => {
          reads += 1;
          const s = svc('s1', 'web', { constraints: ['node.hostname==n1'] });
          // someone else changed the service in between: a new label and version
          return reads === 1
            ? s
            : { ...s, Version: { Index: 11 }, Spec: { ...s.Spec, Labels: { changed: 'yes' } } };
        },
        'POST /services/s1/update': () => {
          updates += 1;
          if (updates === 1)
            throw {
              statusCode: 500,
              json: { message: 'rpc error: code = Unknown desc = update out of sequence' },
            };
          return {};
        },
      },
    });
    await o.switch({ input: { consumers: [WEB], source: SOURCE, target: TARGET }, signal });
    const posts = log.manager.filter((r) => r.method === 'POST');
    expect(posts.map((p) => p.query)).toEqual([{ version: 10 }, { version: 11 }]);
    expect(posts[1]?.body).toMatchObject({
      Labels: { changed: 'yes' },
      TaskTemplate: {
        ContainerSpec: { Mounts: [mount('data2')] },
        Placement: { Constraints: ['node.hostname==n2'] },
      },
    });
  });

  it('a service that already has the change is not updated; a deleted one is skipped', async () => {
    const switched = svc('s1', 'web', { constraints: ['node.hostname==n2'], mounts: [mount('data2')] });
    const { ops: o, log } = ops({ manager: { 'GET /services/s1': () => switched } });
    await o.switch({ input: { consumers: [WEB], source: SOURCE, target: TARGET }, signal });
    await o.restoreMounts({
      input: { consumers: [{ ...WEB, id: 'gone' }], source: SOURCE, target: TARGET },
      signal,
    });
    expect(log.manager.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('scale-down sets 0 replicas and waits until no task of the consumer runs', async () => {
    let lists = 0;
    const { ops: o, log } = ops({
      manager: {
        'GET /services/s1': () => svc('s1', 'web'),
        'POST /services/s1/update': () => ({}),
        'GET /tasks': () => {
          lists += 1;
          return [
            { ID: 't1', Status: { State: lists < 3 ? 'running' : 'shutdown' } },
            { ID: 't0', Status: { State: 'failed' } },
          ];
        },
      },
    });
    await o.scaleDown({ input: { consumers: [WEB] }, signal });
    expect(lists).toBe(3);
    expect(log.manager.find((r) => r.method === 'POST')?.body).toMatchObject({
      Mode: { Replicated: { Replicas: 0 } },
    });
    expect(log.manager.find((r) => r.path === '/tasks')?.query).toEqual({
      filters: JSON.stringify({ service: ['s1'] }),
    });
  });

  it('scale-up restores the recorded replicas and, going forward, waits for them to run', async () => {
    let lists = 0;
    const running = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        ID: `t${i}`,
        DesiredState: 'running',
        Status: { State: 'running' },
      }));
    const { ops: o, log } = ops({
      manager: {
        'GET /services/s1': () => ({
          ...svc('s1', 'web'),
          Spec: { ...svc('s1', 'web').Spec, Mode: { Replicated: { Replicas: 0 } } },
        }),
        'POST /services/s1/update': () => ({}),
        'GET /tasks': () => running(++lists),
      },
    });
    await o.scaleUp({ input: { consumers: [WEB], wait: true }, signal });
    expect(lists).toBe(3);
    expect(log.manager.find((r) => r.method === 'POST')?.body).toMatchObject({
      Mode: { Replicated: { Replicas: 3 } },
    });
    lists = 0;
    await o.scaleUp({ input: { consumers: [WEB], wait: false }, signal });
    expect(lists).toBe(0);
  });
});

describe('helpers and removal', () => {
  it('a helper image missing on the node is a precise, non-retryable error; the volume is checked first', async () => {
    const { ops: o, log } = ops({
      source: {
        ...volumeExists,
        'DELETE /containers/skmig-test-measure': () => {
          throw { statusCode: 404, json: { message: 'No such container' } };
        },
        'POST /containers/create': () => {
          throw { statusCode: 404, json: { message: 'No such image: local/busybox:1' } };
        },
      },
    });
    await expect(o.measure({ input: { source: SOURCE }, signal })).rejects.toMatchObject({
      message: expect.stringMatching(/^helper image local\/busybox:1 is not on node n1 \(it is never pulled/),
      retryable: false,
    });
    const create = log.source.find((r) => r.path === '/containers/create');
    expect(create?.query).toEqual({ name: 'skmig-test-measure' });
    expect(create?.body).toMatchObject({
      Image: 'local/busybox:1',
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        Mounts: [{ Type: 'volume', Source: 'data', Target: '/vol', ReadOnly: true }],
      },
    });
    await expect(ops({}).ops.measure({ input: { source: SOURCE }, signal })).rejects.toMatchObject({
      message: 'volume data does not exist on node n1',
      retryable: false,
    });
  });

  it('removeSource removes the consumers’ stopped task containers, then the volume; others block it', async () => {
    const removed: string[] = [];
    const containers = [
      { Id: 'c1', State: 'exited', Names: ['/web.1.x'], Labels: { 'com.docker.swarm.service.id': 's1' } },
    ];
    const { ops: o } = ops({
      source: {
        ...volumeExists,
        'GET /containers/json': () => containers,
        'DELETE /containers/c1': () => removed.push('c1'),
        'DELETE /volumes/data': () => removed.push('data'),
      },
    });
    const WEB: ConsumerRecord = { service: 'web', id: 's1', replicas: 1, mounts: [], constraints: [] };
    await o.removeSource({ input: { source: SOURCE, consumers: [WEB] }, signal });
    expect(removed).toEqual(['c1', 'data']);
    containers.push({ Id: 'c2', State: 'running', Names: ['/backup'], Labels: {} as never });
    removed.length = 0;
    await expect(o.removeSource({ input: { source: SOURCE, consumers: [WEB] }, signal })).rejects.toThrow(
      'volume data on node n1 is in use by backup',
    );
    expect(removed).toEqual(['c1']);
  });
});
