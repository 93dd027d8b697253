// The SwarmNode actors that talk to the node's own daemon (ping, inspect, join target, join, leave)
// against two scripted daemons: which calls go where, with which bodies, and the failures they report
// (message, retry policy; the join token never in a message).
import { describe, expect, it } from 'vitest';
import { StepError } from '../../../machines/step-policy.js';
import { MANAGER_INFO, engines, err, nodeInfo, ok, sequence, signal } from './engine-routes.js';

const none = {} as Record<string, never>;

async function failure(p: Promise<unknown>): Promise<{ message: string; retryable: boolean }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(StepError);
    return { message: (e as StepError).message, retryable: (e as StepError).retryable };
  }
  throw new Error('expected a failure');
}

describe('connect', () => {
  it('pings the node daemon (not the manager)', async () => {
    const e = engines({ 'GET /_ping': ok('OK') }, {});
    await e.ops.connect({ input: none, signal });
    expect(e.nodeRequests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /_ping']);
    expect(e.managerRequests).toEqual([]);
  });

  it.each([
    [500, 'boom', "ping the node's Docker API: boom (HTTP 500)", true],
    [400, 'bad', "ping the node's Docker API: bad (HTTP 400)", false],
  ])('a failed ping (HTTP %i) is a step failure', async (status, msg, message, retryable) => {
    const e = engines({ 'GET /_ping': err(status, msg) }, {});
    expect(await failure(e.ops.connect({ input: none, signal }))).toEqual({ message, retryable });
  });
});

describe('inspect', () => {
  it('an active node the manager lists is known to it', async () => {
    const e = engines(
      { 'GET /info': nodeInfo('active', { NodeID: 'N1', ControlAvailable: false }) },
      { 'GET /info': MANAGER_INFO, 'GET /nodes/N1': ok({ ID: 'N1' }) },
    );
    expect(await e.ops.inspect({ input: none, signal })).toEqual({
      node: {
        localState: 'active',
        nodeId: 'N1',
        controlAvailable: false,
        hostname: 'n1',
        engineVersion: '24.0.7',
      },
      managerClusterId: 'C1',
      knownToManager: true,
    });
  });

  it.each([
    ['a node the manager no longer lists', nodeInfo('active', { NodeID: 'N1' }), 1],
    ['an inactive node (the manager is not asked)', nodeInfo('inactive', { NodeID: 'N1' }), 0],
    ['an active node with no ID (the manager is not asked)', nodeInfo('active'), 0],
  ])('%s is not known to the manager', async (_, info, lookups) => {
    const e = engines({ 'GET /info': info }, { 'GET /info': MANAGER_INFO });
    const r = await e.ops.inspect({ input: none, signal });
    expect(r.knownToManager).toBe(false);
    expect(e.managerRequests.filter((q) => q.path.startsWith('/nodes/'))).toHaveLength(lookups);
  });

  it('a manager without a cluster ID reports an empty one', async () => {
    const e = engines(
      { 'GET /info': nodeInfo('inactive') },
      { 'GET /info': ok({ Swarm: { ControlAvailable: true } }) },
    );
    expect((await e.ops.inspect({ input: none, signal })).managerClusterId).toBe('');
  });

  it.each([
    ['a worker', { Swarm: { ControlAvailable: false, LocalNodeState: 'active' } }],
    ['outside any swarm', { Swarm: { LocalNodeState: 'inactive' } }],
    ['no Swarm section', {}],
  ])('a DOCKER_HOST that is %s is refused for good', async (_, info) => {
    const e = engines({ 'GET /info': nodeInfo('inactive') }, { 'GET /info': ok(info) });
    expect(await failure(e.ops.inspect({ input: none, signal }))).toEqual({
      message:
        "the controller's Docker daemon (DOCKER_HOST) is not a swarm manager: it cannot join or remove nodes",
      retryable: false,
    });
  });

  it('a failed node lookup (not 404) is a step failure naming the node', async () => {
    const e = engines(
      { 'GET /info': nodeInfo('active', { NodeID: 'N1' }) },
      { 'GET /info': MANAGER_INFO, 'GET /nodes/N1': err(503, 'busy') },
    );
    expect(await failure(e.ops.inspect({ input: none, signal }))).toEqual({
      message: 'inspect node N1: busy (HTTP 503)',
      retryable: true,
    });
  });

  it("a failed /info of the node names the node's daemon", async () => {
    const e = engines({ 'GET /info': err(500, 'down') }, { 'GET /info': MANAGER_INFO });
    expect((await failure(e.ops.inspect({ input: none, signal }))).message).toBe(
      "read the node's /info: down (HTTP 500)",
    );
  });

  it("a failed /info of the manager names the manager's daemon", async () => {
    const e = engines({ 'GET /info': nodeInfo('inactive') }, { 'GET /info': err(500, 'down') });
    expect((await failure(e.ops.inspect({ input: none, signal }))).message).toBe(
      "read the manager's /info: down (HTTP 500)",
    );
  });
});

describe('joinTarget', () => {
  it.each([
    [
      'the remote managers, without empty or repeated addresses',
      [{ Addr: '10.0.0.2:2377' }, { Addr: '' }, {}, { Addr: '10.0.0.1:2377' }, { Addr: '10.0.0.2:2377' }],
      '10.0.0.9',
      ['10.0.0.1:2377', '10.0.0.2:2377'],
    ],
    ["the manager's own address when it lists no remote manager", [], '10.0.0.9', ['10.0.0.9:2377']],
    ["the manager's own address when RemoteManagers is null", null, '10.0.0.9', ['10.0.0.9:2377']],
  ])('%s', async (_, remote, nodeAddr, want) => {
    const e = engines(
      {},
      { 'GET /info': ok({ Swarm: { ControlAvailable: true, RemoteManagers: remote, NodeAddr: nodeAddr } }) },
    );
    expect(await e.ops.joinTarget({ input: none, signal })).toEqual(want);
  });

  it('a manager with no address at all is refused for good', async () => {
    const e = engines({}, { 'GET /info': ok({ Swarm: { ControlAvailable: true, RemoteManagers: [] } }) });
    expect(await failure(e.ops.joinTarget({ input: none, signal }))).toEqual({
      message: 'the manager reports no manager address to join through',
      retryable: false,
    });
  });
});

const TOKENS = ok({ JoinTokens: { Worker: 'SWMTKN-worker-secret', Manager: 'SWMTKN-manager-secret' } });
const joined = nodeInfo('active', { NodeID: 'N1' });

describe('join', () => {
  it.each([
    ['worker', 'SWMTKN-worker-secret'],
    ['manager', 'SWMTKN-manager-secret'],
  ] as const)('joins as a %s with its own token, the default listen address', async (role, token) => {
    const e = engines(
      { 'GET /info': sequence(nodeInfo('inactive'), joined), 'POST /swarm/join': ok() },
      { 'GET /swarm': TOKENS },
    );
    expect(await e.ops.join({ input: { role, remoteAddrs: ['10.0.0.1:2377'] }, signal })).toEqual({
      nodeId: 'N1',
    });
    const post = e.nodeRequests.find((r) => r.path === '/swarm/join');
    expect(post?.method).toBe('POST');
    expect(post?.body).toEqual({
      ListenAddr: '0.0.0.0:2377',
      RemoteAddrs: ['10.0.0.1:2377'],
      JoinToken: token,
    });
    expect(e.managerRequests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /swarm']);
  });

  it('sends the advertise and listen addresses given', async () => {
    const e = engines(
      { 'GET /info': sequence(nodeInfo('inactive'), joined), 'POST /swarm/join': ok() },
      { 'GET /swarm': TOKENS },
    );
    await e.ops.join({
      input: {
        role: 'worker',
        remoteAddrs: ['a:2377', 'b:2377'],
        advertiseAddr: '10.0.0.5',
        listenAddr: '0.0.0.0:4000',
      },
      signal,
    });
    expect(e.nodeRequests.find((r) => r.path === '/swarm/join')?.body).toEqual({
      ListenAddr: '0.0.0.0:4000',
      RemoteAddrs: ['a:2377', 'b:2377'],
      JoinToken: 'SWMTKN-worker-secret',
      AdvertiseAddr: '10.0.0.5',
    });
  });

  it('an active node has joined already: nothing is sent', async () => {
    const e = engines({ 'GET /info': joined }, { 'GET /swarm': TOKENS });
    expect(await e.ops.join({ input: { role: 'worker', remoteAddrs: ['a'] }, signal })).toEqual({
      nodeId: 'N1',
    });
    expect(e.nodeRequests.map((r) => r.path)).toEqual(['/info']);
    expect(e.managerRequests).toEqual([]);
  });

  it('a node still joining is retried later, without a new join', async () => {
    const e = engines({ 'GET /info': nodeInfo('pending') }, { 'GET /swarm': TOKENS });
    expect(await failure(e.ops.join({ input: { role: 'worker', remoteAddrs: ['a'] }, signal }))).toEqual({
      message: 'the node is still joining (LocalNodeState pending)',
      retryable: true,
    });
    expect(e.managerRequests).toEqual([]);
  });

  it.each([
    ['worker', { Manager: 'm' }],
    ['manager', { Worker: 'w' }],
    ['worker', undefined],
  ] as const)('no %s token is refused for good', async (role, tokens) => {
    const e = engines({ 'GET /info': nodeInfo('inactive') }, { 'GET /swarm': ok({ JoinTokens: tokens }) });
    expect(await failure(e.ops.join({ input: { role, remoteAddrs: ['a'] }, signal }))).toEqual({
      message: `the manager has no ${role} join token`,
      retryable: false,
    });
    expect(e.nodeRequests.map((r) => r.path)).toEqual(['/info']);
  });

  it('a refused join names the role and addresses, never the token', async () => {
    const e = engines(
      {
        'GET /info': nodeInfo('inactive'),
        'POST /swarm/join': err(400, 'invalid join token SWMTKN-worker-secret, twice SWMTKN-worker-secret'),
      },
      { 'GET /swarm': TOKENS },
    );
    expect(
      await failure(e.ops.join({ input: { role: 'worker', remoteAddrs: ['a:1', 'b:2'] }, signal })),
    ).toEqual({
      message:
        'join the swarm as a worker through a:1, b:2: invalid join token [redacted], twice [redacted] (HTTP 400)',
      retryable: false,
    });
  });

  it('a failed token read is a retryable step failure', async () => {
    const e = engines({ 'GET /info': nodeInfo('inactive') }, { 'GET /swarm': err(503, 'no leader') });
    expect(await failure(e.ops.join({ input: { role: 'worker', remoteAddrs: ['a'] }, signal }))).toEqual({
      message: 'read the join tokens: no leader (HTTP 503)',
      retryable: true,
    });
  });

  it.each([
    [
      'not active',
      nodeInfo('error', { NodeID: 'N1' }),
      'the node reports LocalNodeState error after joining',
    ],
    ['active without an ID', nodeInfo('active'), 'the node reports LocalNodeState active after joining'],
  ])('a node %s after the join is a retryable failure', async (_, after, message) => {
    const e = engines(
      { 'GET /info': sequence(nodeInfo('inactive'), after), 'POST /swarm/join': ok() },
      { 'GET /swarm': TOKENS },
    );
    expect(await failure(e.ops.join({ input: { role: 'worker', remoteAddrs: ['a'] }, signal }))).toEqual({
      message,
      retryable: true,
    });
  });
});

describe('leave', () => {
  it.each([
    ['a worker leaves', { ControlAvailable: false }, false, 'false'],
    ['a manager leaves when forced', { ControlAvailable: true }, true, 'true'],
  ])('%s', async (_, swarm, force, q) => {
    const e = engines(
      { 'GET /info': nodeInfo('active', { NodeID: 'N1', ...swarm }), 'POST /swarm/leave': ok() },
      {},
    );
    await e.ops.leave({ input: { force }, signal });
    const post = e.nodeRequests.find((r) => r.path === '/swarm/leave');
    expect(post?.method).toBe('POST');
    expect(String(post?.query.force)).toBe(q);
    expect(e.managerRequests).toEqual([]);
  });

  it('an inactive node has left already: nothing is sent', async () => {
    const e = engines({ 'GET /info': nodeInfo('inactive') }, {});
    await e.ops.leave({ input: { force: true }, signal });
    expect(e.nodeRequests.map((r) => r.path)).toEqual(['/info']);
  });

  it('a manager not yet demoted does not leave unless forced', async () => {
    const e = engines({ 'GET /info': nodeInfo('active', { NodeID: 'N1', ControlAvailable: true }) }, {});
    expect(await failure(e.ops.leave({ input: { force: false }, signal }))).toEqual({
      message: 'the node is still a manager (its demotion is not committed yet)',
      retryable: true,
    });
    expect(e.nodeRequests.map((r) => r.path)).toEqual(['/info']);
  });

  it.each([
    [false, 'leave the swarm: nope (HTTP 503)'],
    [true, 'leave the swarm (force): nope (HTTP 503)'],
  ])('a failed leave (force %s) names the operation', async (force, message) => {
    const e = engines(
      { 'GET /info': nodeInfo('active', { NodeID: 'N1' }), 'POST /swarm/leave': err(503, 'nope') },
      {},
    );
    expect(await failure(e.ops.leave({ input: { force }, signal }))).toEqual({ message, retryable: true });
  });
});
