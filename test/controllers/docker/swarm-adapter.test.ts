import { describe, expect, it } from 'vitest';
import { DockerSwarmAdapter, routeOf } from '../../../controllers/docker/swarm-adapter.js';
import { fakeDocker } from '../../support/fake-docker.js';

describe('routeOf', () => {
  it.each([
    ['/v1.41/services/abc/update?version=3', '/services/{id}/update'],
    ['/services/create', '/services/create'],
    ['/v1.41/networks', '/networks'],
    ['/v1.41/networks/n1', '/networks/{id}'],
    ['/configs/create?', '/configs/create'],
    ['/_ping', '/_ping'],
    ['/v1.41/events?filters=x', '/events'],
  ])('%s -> %s', (path, route) => {
    expect(routeOf(path)).toBe(route);
  });
});

describe('DockerSwarmAdapter', () => {
  it('reports every API call to onApiCall with a bounded route', async () => {
    const { docker } = fakeDocker((r) => ({
      status: 200,
      json: r.path === '/tasks' ? [{ ID: 't1', ServiceID: 's1' }] : [],
    }));
    const calls: string[] = [];
    const adapter = new DockerSwarmAdapter(docker, { onApiCall: (m, route) => calls.push(`${m} ${route}`) });
    await adapter.observe({ instanceId: 'i1' });
    expect(await adapter.listTasks(['s1'])).toEqual([{ ID: 't1', ServiceID: 's1' }]);
    await adapter.apply({
      owner: 'o',
      blocked: [],
      actions: [{ op: 'remove', kind: 'service', name: 'x', id: 'abc', why: 'pruned' }],
    });
    expect(calls.sort()).toEqual([
      'DELETE /services/{id}',
      'GET /configs',
      'GET /networks',
      'GET /secrets',
      'GET /services',
      'GET /tasks',
    ]);
  });

  it('does not let a throwing hook break API calls', async () => {
    const { docker } = fakeDocker(() => ({ status: 200, json: [] }));
    const adapter = new DockerSwarmAdapter(docker, {
      onApiCall: () => {
        throw new Error('metrics down');
      },
    });
    await expect(adapter.listNodes()).resolves.toEqual([]);
  });
});
