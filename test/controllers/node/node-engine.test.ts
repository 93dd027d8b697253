// The Engine's answers as the SwarmNode machines see them (node view, swarm info), Docker failures as
// step failures (retry policy, HTTP status, join token cut out), and the actors wrapped for xstate.
import { type AnyActorLogic, createActor, toPromise } from 'xstate';
import { describe, expect, it } from 'vitest';
import { dockerNodeActors, nodeActorsFrom, type NodeOps } from '../../../controllers/node/node-actors.js';
import { fail, swarmInfo, toNodeView } from '../../../controllers/node/node-engine.js';
import { StepError } from '../../../machines/step-policy.js';
import { daemon, ok } from './engine-routes.js';

describe('toNodeView', () => {
  it('a full node answer', () => {
    expect(
      toNodeView({
        ID: 'N1',
        Version: { Index: 12 },
        Spec: { Name: 'spec-name', Labels: { a: '1' }, Role: 'manager', Availability: 'drain' },
        Description: { Hostname: 'n1', Engine: { EngineVersion: '24.0.7' } },
        Status: { State: 'ready', Addr: '10.0.0.5' },
        ManagerStatus: { Leader: true, Reachability: 'reachable' },
      }),
    ).toEqual({
      id: 'N1',
      version: 12,
      hostname: 'n1',
      role: 'manager',
      availability: 'drain',
      labels: { a: '1' },
      state: 'ready',
      engineVersion: '24.0.7',
      addr: '10.0.0.5',
      reachability: 'reachable',
      leader: true,
    });
  });

  it.each([
    ['a bare node: defaults, no optional fields', { ID: 'N1' }, {}],
    ['hostname from the spec name', { ID: 'N1', Spec: { Name: 'sn' } }, { hostname: 'sn' }],
    ['an unknown role is a worker', { ID: 'N1', Spec: { Role: 'boss' } }, {}],
    ['a follower manager has no leader flag', { ID: 'N1', ManagerStatus: { Leader: false } }, {}],
    ['no manager status', { ID: 'N1', ManagerStatus: null }, {}],
    ['an engine without a version', { ID: 'N1', Description: { Engine: {} } }, {}],
    ['a status without an address', { ID: 'N1', Status: {} }, {}],
  ])('%s', (_, n, over) => {
    expect(toNodeView(n)).toStrictEqual({
      id: 'N1',
      version: 0,
      hostname: 'N1',
      role: 'worker',
      availability: 'active',
      labels: {},
      state: 'unknown',
      ...over,
    });
  });
});

describe('swarmInfo', () => {
  it('a manager in a swarm', () => {
    expect(
      swarmInfo({
        Name: 'n1',
        ServerVersion: '24.0.7',
        Swarm: {
          NodeID: 'N1',
          LocalNodeState: 'active',
          ControlAvailable: true,
          Cluster: { ID: 'C1' },
          Error: 'e',
        },
      }),
    ).toStrictEqual({
      localState: 'active',
      nodeId: 'N1',
      controlAvailable: true,
      hostname: 'n1',
      engineVersion: '24.0.7',
      clusterId: 'C1',
      error: 'e',
    });
  });

  it.each([
    ['no Swarm section', {}],
    [
      'an empty state, cluster ID and error',
      { Swarm: { LocalNodeState: '', Cluster: { ID: '' }, Error: '' } },
    ],
    ['a null cluster', { Swarm: { Cluster: null, ControlAvailable: false } }],
  ])('%s: inactive, no optional fields', (_, i) => {
    expect(swarmInfo(i)).toStrictEqual({
      localState: 'inactive',
      nodeId: '',
      controlAvailable: false,
      hostname: '',
      engineVersion: '',
    });
  });
});

function thrown(f: () => unknown): StepError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(StepError);
    return e as StepError;
  }
  throw new Error('expected a failure');
}

describe('fail', () => {
  const http = (statusCode: number, message: string) =>
    Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message}`), {
      statusCode,
      json: { message },
    });

  it.each([
    ['HTTP 400: not retryable', http(400, 'bad addr'), undefined, 'op: bad addr (HTTP 400)', false],
    ['HTTP 500: retryable', http(500, 'boom'), undefined, 'op: boom (HTTP 500)', true],
    [
      'no HTTP status: retryable, no suffix',
      new Error('connect ECONNREFUSED'),
      undefined,
      'op: connect ECONNREFUSED',
      true,
    ],
    [
      'the secret cut out everywhere',
      http(400, 'tok s3cr3t and s3cr3t'),
      's3cr3t',
      'op: tok [redacted] and [redacted] (HTTP 400)',
      false,
    ],
    ['an empty secret cuts nothing', http(500, 'a b'), '', 'op: a b (HTTP 500)', true],
  ])('%s', (_, e, secret, message, retryable) => {
    const s = thrown(() => fail('op', e, secret));
    expect({ message: s.message, retryable: s.retryable }).toEqual({ message, retryable });
  });

  it('a step failure passes through unchanged', () => {
    const original = new StepError('as is', { retryable: false });
    expect(thrown(() => fail('op', original))).toBe(original);
  });
});

describe('nodeActorsFrom', () => {
  it('every op becomes the machine actor of the same name, with its input', async () => {
    const seen: string[] = [];
    const op =
      (name: string, out: unknown) =>
      async ({ input }: { input: unknown }) => {
        seen.push(`${name} ${JSON.stringify(input)}`);
        return out;
      };
    const names = [
      'connect',
      'inspect',
      'joinTarget',
      'join',
      'nodeState',
      'managers',
      'update',
      'drainStatus',
      'leave',
      'removeNode',
    ];
    const ops = Object.fromEntries(names.map((n) => [n, op(n, `${n}-out`)])) as unknown as NodeOps;
    const actors = nodeActorsFrom(ops);
    expect(Object.keys(actors).sort()).toEqual([...names].sort());
    for (const n of names) {
      const a = createActor(actors[n as keyof typeof actors] as AnyActorLogic, { input: { of: n } }).start();
      expect(await toPromise(a)).toBe(`${n}-out`);
    }
    expect(seen).toEqual(names.map((n) => `${n} {"of":"${n}"}`));
  });

  it('dockerNodeActors runs the Engine calls', async () => {
    const node = daemon({ 'GET /_ping': ok('OK') });
    const manager = daemon({});
    const actors = dockerNodeActors({ node: node.docker, manager: manager.docker });
    await toPromise(createActor(actors.connect, { input: {} }).start());
    expect(node.requests.map((r) => r.path)).toEqual(['/_ping']);
  });
});
