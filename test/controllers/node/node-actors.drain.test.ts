// The drain look (drainStatus) against a scripted manager: which tasks still hold the node (replicated
// services only, desired running or not finished yet), and which of those services, or of the ones
// seen before, do not yet run all their replicas elsewhere.
import { describe, expect, it } from 'vitest';
import { StepError } from '../../../machines/step-policy.js';
import type { FakeRequest } from '../../support/fake-docker.js';
import { engines, err, ok } from './engine-routes.js';

const signal = new AbortController().signal;
const SERVICES = [
  { ID: 'S1', Spec: { Name: 'web', Mode: { Replicated: { Replicas: 2 } } } },
  { ID: 'S2', Spec: { Mode: { Replicated: {} } } },
  { ID: 'G1', Spec: { Name: 'agent', Mode: { Global: {} } } },
];
const task = (ServiceID: string | undefined, DesiredState: string, State: string, NodeID = 'N1') => ({
  ID: `${ServiceID}-${DesiredState}-${State}-${NodeID}`,
  ServiceID,
  NodeID,
  DesiredState,
  Status: { State },
});

/** A manager whose node tasks are `onNode` and whose running tasks per service are `running`. */
function manager(onNode: unknown[], running: Record<string, unknown[]>) {
  return engines(
    {},
    {
      'GET /services': ok(SERVICES),
      'GET /tasks': (req: FakeRequest) => {
        const f = JSON.parse(String(req.query.filters)) as Record<string, string[]>;
        if (f.node) return ok(onNode);
        return ok(running[f.service![0]!] ?? []);
      },
    },
  );
}

type Row = [string, unknown[], number, string[]];

describe('drainStatus', () => {
  it.each([
    ['a running task of a replicated service', [task('S1', 'running', 'running')], 1, ['S1']],
    ['a task shut down but not finished yet', [task('S1', 'shutdown', 'running')], 1, ['S1']],
    ['a task desired running that has not started', [task('S1', 'running', 'pending')], 1, ['S1']],
    ['a task desired running whose last run failed', [task('S1', 'running', 'failed')], 1, ['S1']],
    ['a task with no status', [{ ID: 't', ServiceID: 'S1', DesiredState: 'shutdown' }], 1, ['S1']],
    ...['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned'].map((s): Row => [
      `a task ${s} and desired shut down`,
      [task('S1', 'shutdown', s)],
      0,
      [],
    ]),
    ['a task of a global service', [task('G1', 'running', 'running')], 0, []],
    ['a task of an unknown service', [task('X', 'running', 'running')], 0, []],
    ['a task without a service', [task(undefined, 'running', 'running')], 0, []],
  ] as Row[])('%s: counted %#', async (_, onNode, left, services) => {
    const e = manager(onNode, {
      S1: [task('S1', 'running', 'running', 'N2'), task('S1', 'running', 'running', 'N3')],
    });
    const r = await e.ops.drainStatus({ input: { nodeId: 'N1', services: [] }, signal });
    expect(r).toEqual({ tasksLeft: left, services, pending: [] });
  });

  it('lists the tasks of the node, then of each service seen', async () => {
    const e = manager([task('S1', 'running', 'running')], {});
    await e.ops.drainStatus({ input: { nodeId: 'N1', services: [] }, signal });
    expect(e.managerRequests.map((r) => [r.path, r.query])).toEqual(
      expect.arrayContaining([
        ['/tasks', { filters: JSON.stringify({ node: ['N1'] }) }],
        ['/services', {}],
        ['/tasks', { filters: JSON.stringify({ service: ['S1'], 'desired-state': ['running'] }) }],
      ]),
    );
    expect(e.managerRequests).toHaveLength(3);
  });

  it('a service is pending until its replicas run on other nodes', async () => {
    const e = manager(
      [task('S1', 'running', 'running'), task('S1', 'running', 'running'), task('S2', 'shutdown', 'running')],
      {
        S1: [
          task('S1', 'running', 'running', 'N1'),
          task('S1', 'running', 'running', 'N2'),
          task('S1', 'running', 'starting', 'N3'),
        ],
        S2: [],
      },
    );
    expect(await e.ops.drainStatus({ input: { nodeId: 'N1', services: [] }, signal })).toEqual({
      tasksLeft: 3,
      services: ['S1', 'S2'],
      pending: [
        { service: 'web', running: 1, desired: 2 },
        { service: 'S2', running: 0, desired: 1 },
      ],
    });
  });

  it('services seen before are still checked once their tasks left the node; unknown ones are skipped', async () => {
    const e = manager([], { S1: [task('S1', 'running', 'running', 'N2')] });
    expect(
      await e.ops.drainStatus({ input: { nodeId: 'N1', services: ['S1', 'gone', 'G1'] }, signal }),
    ).toEqual({
      tasksLeft: 0,
      services: [],
      pending: [{ service: 'web', running: 1, desired: 2 }],
    });
    expect(e.managerRequests).toHaveLength(3);
  });

  it('a service whose replicas all run elsewhere is not pending', async () => {
    const e = manager([], { S2: [task('S2', 'running', 'running', 'N2')] });
    expect((await e.ops.drainStatus({ input: { nodeId: 'N1', services: ['S2'] }, signal })).pending).toEqual(
      [],
    );
  });

  it.each([
    ['GET /tasks', 'list the tasks on node N1: x (HTTP 500)'],
    ['GET /services', 'list the services: x (HTTP 500)'],
  ])('a failed %s is a step failure', async (route, message) => {
    const e = engines({}, { 'GET /tasks': ok([]), 'GET /services': ok([]), [route]: err(500, 'x') });
    const p = e.ops.drainStatus({ input: { nodeId: 'N1', services: [] }, signal });
    await expect(p).rejects.toBeInstanceOf(StepError);
    await expect(p).rejects.toThrow(message);
  });

  it('a failed service task list names the service', async () => {
    const e = engines(
      {},
      {
        'GET /services': ok(SERVICES),
        'GET /tasks': (req: FakeRequest) =>
          String(req.query.filters).includes('"node"') ? ok([]) : err(500, 'x'),
      },
    );
    await expect(e.ops.drainStatus({ input: { nodeId: 'N1', services: ['S1'] }, signal })).rejects.toThrow(
      'list the tasks of service web: x (HTTP 500)',
    );
  });
});
