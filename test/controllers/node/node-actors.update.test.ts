// The SwarmNode actors' swarm-wide calls on the manager (node state, managers, node update, node
// removal) against a scripted manager: the update is a read-modify-write carrying the version read
// and the whole spec, read again on `update out of sequence`; failures keep their retry policy.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StepError } from '../../../machines/step-policy.js';
import type { UpdateInput } from '../../../machines/node.types.js';
import type { FakeRequest } from '../../support/fake-docker.js';
import { engines, err, ok, sequence, signal } from './engine-routes.js';

async function failure(p: Promise<unknown>): Promise<{ message: string; retryable: boolean }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(StepError);
    return { message: (e as StepError).message, retryable: (e as StepError).retryable };
  }
  throw new Error('expected a failure');
}

const SPEC = { Name: 'n1', Role: 'worker', Availability: 'active', Labels: { zone: 'a', keep: 'yes' } };
const node = (version: number, spec: Record<string, unknown> = SPEC) => ({
  ID: 'N1',
  Version: { Index: version },
  Spec: spec,
  Description: { Hostname: 'n1' },
  Status: { State: 'ready' },
});
const updates = (reqs: FakeRequest[]) => reqs.filter((r) => r.method === 'POST');

describe('nodeState', () => {
  it('the node as the manager sees it', async () => {
    const e = engines({}, { 'GET /nodes/N1': ok(node(7)) });
    expect(await e.ops.nodeState({ input: { nodeId: 'N1' }, signal })).toMatchObject({
      id: 'N1',
      version: 7,
      hostname: 'n1',
      role: 'worker',
      labels: { zone: 'a', keep: 'yes' },
      state: 'ready',
    });
  });

  it('a node the manager does not list is null', async () => {
    const e = engines({}, {});
    expect(await e.ops.nodeState({ input: { nodeId: 'N/1' }, signal })).toBeNull();
    expect(e.managerRequests[0]?.path).toBe('/nodes/N%2F1');
  });
});

describe('managers', () => {
  it('lists the managers with their reachability, by hostname or else ID', async () => {
    const e = engines(
      {},
      {
        'GET /nodes': ok([
          { ID: 'M1', Description: { Hostname: 'm1' }, ManagerStatus: { Reachability: 'reachable' } },
          { ID: 'M2', ManagerStatus: { Reachability: 'unreachable' } },
          { ID: 'M3', Description: {}, ManagerStatus: null },
        ]),
      },
    );
    expect(await e.ops.managers({ input: {}, signal })).toEqual([
      { id: 'M1', hostname: 'm1', reachable: true },
      { id: 'M2', hostname: 'M2', reachable: false },
      { id: 'M3', hostname: 'M3', reachable: false },
    ]);
    expect(e.managerRequests[0]?.query).toEqual({ filters: JSON.stringify({ role: ['manager'] }) });
  });

  it('a failed list is a step failure', async () => {
    const e = engines({}, { 'GET /nodes': err(500, 'x') });
    expect(await failure(e.ops.managers({ input: {}, signal }))).toEqual({
      message: 'list the managers: x (HTTP 500)',
      retryable: true,
    });
  });
});

describe('update', () => {
  it('sends the whole spec read, changed, with the version read; returns the node read after', async () => {
    const e = engines(
      {},
      {
        'GET /nodes/N1': sequence(ok(node(4)), ok(node(5, { ...SPEC, Role: 'manager' }))),
        'POST /nodes/N1/update': ok(),
      },
    );
    const v = await e.ops.update({
      input: {
        nodeId: 'N1',
        role: 'manager',
        availability: 'drain',
        labels: { set: { rack: '2' }, remove: ['zone'] },
      },
      signal,
    });
    expect(updates(e.managerRequests)).toEqual([
      {
        method: 'POST',
        path: '/nodes/N1/update',
        query: { version: 4 },
        body: { Name: 'n1', Role: 'manager', Availability: 'drain', Labels: { keep: 'yes', rack: '2' } },
      },
    ]);
    expect(v).toMatchObject({ version: 5, role: 'manager' });
  });

  it.each([
    ['role only', { role: 'manager' }, { ...SPEC, Role: 'manager' }],
    ['availability only', { availability: 'pause' }, { ...SPEC, Availability: 'pause' }],
    [
      'labels only',
      { labels: { set: { zone: 'b' }, remove: [] } },
      { ...SPEC, Labels: { zone: 'b', keep: 'yes' } },
    ],
  ] as [string, Omit<UpdateInput, 'nodeId'>, object][])(
    '%s: the rest of the spec is kept',
    async (_, change, body) => {
      const e = engines({}, { 'GET /nodes/N1': ok(node(4)), 'POST /nodes/N1/update': ok() });
      await e.ops.update({ input: { nodeId: 'N1', ...change }, signal });
      expect(updates(e.managerRequests).map((r) => r.body)).toEqual([body]);
    },
  );

  it('labels are added to a spec that has none', async () => {
    const e = engines(
      {},
      { 'GET /nodes/N1': ok(node(1, { Role: 'worker' })), 'POST /nodes/N1/update': ok() },
    );
    await e.ops.update({ input: { nodeId: 'N1', labels: { set: { a: '1' }, remove: [] } }, signal });
    expect(updates(e.managerRequests).map((r) => r.body)).toEqual([{ Role: 'worker', Labels: { a: '1' } }]);
  });

  it('a node without a version is updated at version 0', async () => {
    const e = engines({}, { 'GET /nodes/N1': ok({ ID: 'N1', Spec: SPEC }), 'POST /nodes/N1/update': ok() });
    await e.ops.update({ input: { nodeId: 'N1', availability: 'drain' }, signal });
    expect(updates(e.managerRequests)[0]?.query).toEqual({ version: 0 });
  });

  it('a change that changes nothing sends nothing and returns the node read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            role: fc.constantFrom('worker' as const),
            availability: fc.constantFrom('active' as const),
            labels: fc.subarray(['zone', 'keep']).map((ks) => ({
              set: Object.fromEntries(ks.map((k) => [k, SPEC.Labels[k as 'zone' | 'keep']])),
              remove: ['absent'],
            })),
          },
          { requiredKeys: [] },
        ),
        async (change) => {
          const e = engines({}, { 'GET /nodes/N1': ok(node(9)) });
          const v = await e.ops.update({ input: { nodeId: 'N1', ...change }, signal });
          expect(updates(e.managerRequests)).toEqual([]);
          expect(v.version).toBe(9);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('a node without a spec is updated when a change is asked', async () => {
    const e = engines(
      {},
      { 'GET /nodes/N1': ok({ ID: 'N1', Version: { Index: 2 } }), 'POST /nodes/N1/update': ok() },
    );
    await e.ops.update({ input: { nodeId: 'N1', availability: 'active' }, signal });
    expect(updates(e.managerRequests).map((r) => r.body)).toEqual([{ Availability: 'active' }]);
  });

  it('a node without a spec and no change asked: nothing is sent', async () => {
    const e = engines({}, { 'GET /nodes/N1': ok({ ID: 'N1', Version: { Index: 2 } }) });
    expect(await e.ops.update({ input: { nodeId: 'N1' }, signal })).toMatchObject({ id: 'N1', version: 2 });
    expect(updates(e.managerRequests)).toEqual([]);
  });

  it('update out of sequence: reads again and applies the change to the new spec and version', async () => {
    const newer = { ...SPEC, Labels: { zone: 'a', keep: 'yes', other: 'x' } };
    const e = engines(
      {},
      {
        'GET /nodes/N1': sequence(ok(node(4)), ok(node(6, newer)), ok(node(7))),
        'POST /nodes/N1/update': sequence(err(500, 'rpc error: update out of sequence'), ok()),
      },
    );
    await e.ops.update({ input: { nodeId: 'N1', availability: 'drain' }, signal });
    expect(updates(e.managerRequests).map((r) => [r.query.version, r.body])).toEqual([
      [4, { ...SPEC, Availability: 'drain' }],
      [6, { ...newer, Availability: 'drain' }],
    ]);
  });

  it('gives up (retryable) after 5 updates out of sequence in a row', async () => {
    const e = engines(
      {},
      { 'GET /nodes/N1': ok(node(4)), 'POST /nodes/N1/update': err(409, 'update out of sequence') },
    );
    expect(await failure(e.ops.update({ input: { nodeId: 'N1', availability: 'drain' }, signal }))).toEqual({
      message: 'update node N1: update out of sequence 5 times in a row',
      retryable: true,
    });
    expect(updates(e.managerRequests)).toHaveLength(5);
  });

  it.each([
    [400, 'invalid spec', false],
    [503, 'no leader', true],
  ])('a failed update (HTTP %i) is not retried in place', async (status, msg, retryable) => {
    const e = engines({}, { 'GET /nodes/N1': ok(node(4)), 'POST /nodes/N1/update': err(status, msg) });
    expect(await failure(e.ops.update({ input: { nodeId: 'N1', availability: 'drain' }, signal }))).toEqual({
      message: `update node N1: ${msg} (HTTP ${status})`,
      retryable,
    });
    expect(updates(e.managerRequests)).toHaveLength(1);
  });

  it('a node not in the swarm is refused for good', async () => {
    const e = engines({}, {});
    expect(await failure(e.ops.update({ input: { nodeId: 'N1', availability: 'drain' }, signal }))).toEqual({
      message: 'node N1 is not in the swarm',
      retryable: false,
    });
  });

  it('a node gone right after the update is a retryable failure', async () => {
    const e = engines(
      {},
      { 'GET /nodes/N1': sequence(ok(node(4)), err(404, 'gone')), 'POST /nodes/N1/update': ok() },
    );
    expect(await failure(e.ops.update({ input: { nodeId: 'N1', availability: 'drain' }, signal }))).toEqual({
      message: 'node N1 left the swarm during the update',
      retryable: true,
    });
  });
});

describe('removeNode', () => {
  it.each([false, true])('deletes the node (force %s)', async (force) => {
    const e = engines({}, { 'DELETE /nodes/N1': ok() });
    await e.ops.removeNode({ input: { nodeId: 'N1', force }, signal });
    expect(e.managerRequests).toEqual([
      { method: 'DELETE', path: '/nodes/N1', query: { force }, body: undefined },
    ]);
  });

  it('a node already gone is removed', async () => {
    const e = engines({}, { 'DELETE /nodes/N1': err(404, 'no such node') });
    await expect(
      e.ops.removeNode({ input: { nodeId: 'N1', force: false }, signal }),
    ).resolves.toBeUndefined();
  });

  it.each([
    [false, 'remove node N1: node is not down (HTTP 400)', false],
    [true, 'remove node N1 (force): node is not down (HTTP 400)', false],
  ])('a refused removal (force %s) names the operation', async (force, message, retryable) => {
    const e = engines({}, { 'DELETE /nodes/N1': err(400, 'node is not down') });
    expect(await failure(e.ops.removeNode({ input: { nodeId: 'N1', force }, signal }))).toEqual({
      message,
      retryable,
    });
  });
});
