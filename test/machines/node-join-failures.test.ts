import { describe, expect, it } from 'vitest';
import {
  after,
  CONVERGED,
  done,
  fail,
  failures,
  INACTIVE,
  manager,
  MANAGER_ELSEWHERE,
  polls,
  view,
  WORKER_HERE,
} from './node-harness.js';
import { join, FRESH, MANAGER_CONVERGED, toJoin, joined, adopted, type Case } from './node-join-steps.js';

const cases: Case[] = [
  {
    name: 'node daemon unreachable',
    steps: failures(3, fail('connect', 'connect ENOENT /lab/n2/docker.sock')),
    outcome: 'Failed',
    reason: 'Unreachable',
    message:
      "node unix:///lab/n2/docker.sock: connect to the node's Docker API failed after 3 attempts: connect ENOENT /lab/n2/docker.sock",
  },
  {
    name: 'ping times out on every attempt',
    steps: failures(3, after('stepTimeout')),
    outcome: 'Failed',
    reason: 'Unreachable',
    message: /failed after 3 attempts: timed out after 30000 ms$/,
  },
  {
    name: 'retried ping succeeds',
    steps: [
      fail('connect', 'EAGAIN'),
      after('backoff'),
      done('connect'),
      done('inspect', WORKER_HERE),
      done('nodeState', CONVERGED),
    ],
    outcome: 'Ready',
    reason: 'Ready',
    message: /ready worker/,
  },
  {
    name: 'inspect: the controller daemon is no manager (not retryable)',
    steps: [
      done('connect'),
      fail('inspect', "the controller's Docker daemon (DOCKER_HOST) is not a swarm manager", false),
    ],
    outcome: 'Failed',
    reason: 'InspectFailed',
    message: /failed after 1 attempt: the controller's Docker daemon/,
  },
  {
    name: 'inspect times out',
    steps: [done('connect'), ...failures(3, after('stepTimeout'))],
    outcome: 'Failed',
    reason: 'InspectFailed',
    message: /inspect the node failed after 3 attempts: timed out/,
  },
  {
    name: 'leaving the other swarm fails',
    input: { force: true },
    steps: [
      done('connect'),
      done('inspect', MANAGER_ELSEWHERE),
      ...failures(3, fail('leave', 'context deadline exceeded')),
    ],
    outcome: 'Failed',
    reason: 'LeaveFailed',
    message: 'node n2: leave the other swarm failed after 3 attempts: context deadline exceeded',
  },
  {
    name: 'manager addresses cannot be read',
    steps: [done('connect'), done('inspect', INACTIVE), ...failures(3, fail('joinTarget', 'EOF'))],
    outcome: 'Failed',
    reason: 'JoinFailed',
    message: 'node n2: read the manager addresses failed after 3 attempts: EOF',
  },
  {
    name: 'join fails on every attempt',
    steps: [...toJoin, ...failures(3, fail('join', 'could not connect to prospective new cluster member'))],
    outcome: 'Failed',
    reason: 'JoinFailed',
    message:
      'node n2: join the swarm failed after 3 attempts: could not connect to prospective new cluster member',
  },
  {
    name: 'join refused (not retryable)',
    steps: [...toJoin, fail('join', 'invalid join token (HTTP 400)', false)],
    outcome: 'Failed',
    reason: 'JoinFailed',
    message: /join the swarm failed after 1 attempt: invalid join token/,
  },
  {
    name: 'join times out on every attempt (90 s each)',
    steps: [...toJoin, ...failures(3, after('stepTimeout'))],
    outcome: 'Failed',
    reason: 'JoinFailed',
    message: /join the swarm failed after 3 attempts: timed out after 90000 ms$/,
  },
  {
    name: 'retried join succeeds',
    steps: [
      ...toJoin,
      fail('join', 'EOF'),
      after('backoff'),
      done('join', { nodeId: 'N2' }),
      done('nodeState', CONVERGED),
    ],
    outcome: 'Ready',
    reason: 'Joined',
    message: /joined/,
  },
  {
    name: 'never ready after joining',
    steps: [
      ...joined,
      ...polls([done('nodeState', view({ state: 'down' })), done('nodeState', view({ state: 'down' }))]),
      after('readyTimeout'),
    ],
    outcome: 'Failed',
    reason: 'NotReady',
    message: 'node n2 was not ready within 90000 ms (state down, 2 checks)',
  },
  {
    name: 'manager unreachable while waiting for ready: the last error is in the message',
    steps: [
      ...joined,
      fail('nodeState', 'connect ECONNREFUSED'),
      after('pollInterval'),
      fail('nodeState', 'connect ECONNREFUSED'),
      after('readyTimeout'),
    ],
    outcome: 'Failed',
    reason: 'NotReady',
    message: /was not ready within 90000 ms \(.*2 checks\); last error: connect ECONNREFUSED$/,
  },
  {
    name: 'a new manager that never becomes reachable',
    input: { desired: { role: 'manager' } },
    steps: [
      ...joined,
      done('nodeState', view({ role: 'manager', reachability: 'unreachable' })),
      after('readyTimeout'),
    ],
    outcome: 'Failed',
    reason: 'NotReady',
    message: /was not ready and reachable within 90000 ms/,
  },
  {
    name: 'owned by another resource: stalled, nothing changed',
    steps: [
      ...adopted,
      done(
        'nodeState',
        view({
          labels: { 'swarmkeeper.io/owner': 'SwarmNode/default/other', 'swarmkeeper.io/instance': 'test' },
        }),
      ),
    ],
    outcome: 'Stalled',
    reason: 'OwnershipConflict',
    message:
      'node n2 is owned by SwarmNode/default/other (instance test), not by SwarmNode/default/n2 (instance test)',
  },
  {
    name: 'demotion with 3 reachable managers: allowed',
    steps: [
      ...adopted,
      done('nodeState', { ...MANAGER_CONVERGED }),
      done('managers', [manager('N1'), manager('N2'), manager('N3')]),
      done('update', CONVERGED),
      done('nodeState', CONVERGED),
    ],
    outcome: 'Ready',
    reason: 'Ready',
    message: /is a ready worker/,
    visited: ['connect', 'inspect', 'waitReady', 'quorum', 'update', 'waitReady', 'ready'],
  },
  {
    name: 'demotion of one of 2 managers: refused with the reason',
    steps: [
      ...adopted,
      done('nodeState', MANAGER_CONVERGED),
      done('managers', [manager('N1'), manager('N2')]),
    ],
    outcome: 'Stalled',
    reason: 'QuorumWouldBeLost',
    message:
      /^refusing to demote manager n2: the swarm would lose its Raft majority: 1 reachable manager of 2 would remain/,
  },
  {
    name: 'managers cannot be listed',
    steps: [...adopted, done('nodeState', MANAGER_CONVERGED), ...failures(3, fail('managers', 'EOF'))],
    outcome: 'Failed',
    reason: 'InspectFailed',
    message: 'node n2: list the managers failed after 3 attempts: EOF',
  },
  {
    name: 'update fails on every attempt',
    steps: [
      ...joined,
      done('nodeState', FRESH),
      ...failures(3, fail('update', 'update out of sequence 5 times in a row')),
    ],
    outcome: 'Failed',
    reason: 'UpdateFailed',
    message: 'node n2: update the node failed after 3 attempts: update out of sequence 5 times in a row',
  },
  {
    name: 'update times out on every attempt',
    steps: [...joined, done('nodeState', FRESH), ...failures(3, after('stepTimeout'))],
    outcome: 'Failed',
    reason: 'UpdateFailed',
    message: /timed out after 30000 ms$/,
  },
  {
    name: 'a spec that does not stick (someone reverts it): bounded rounds',
    steps: [
      ...joined,
      done('nodeState', FRESH),
      done('update', FRESH),
      done('nodeState', FRESH),
      done('update', FRESH),
      done('nodeState', FRESH),
      done('update', FRESH),
      done('nodeState', FRESH),
    ],
    outcome: 'Failed',
    reason: 'UpdateFailed',
    message: /did not converge after 3 updates/,
  },
  {
    name: 'availability active on a drained node: undrained by an update',
    input: { desired: { role: 'worker', availability: 'active', labels: { zone: 'a' } } },
    steps: [
      ...adopted,
      done('nodeState', view({ ...CONVERGED, availability: 'drain' })),
      done('update', CONVERGED),
      done('nodeState', CONVERGED),
    ],
    outcome: 'Ready',
    reason: 'Ready',
    message: 'node n2 is a ready worker of the swarm (ID N2)',
  },
  {
    name: 'availability drain is left to the drain machine',
    input: { desired: { role: 'worker', availability: 'drain', labels: { zone: 'a' } } },
    steps: [...adopted, done('nodeState', CONVERGED)],
    outcome: 'Ready',
    reason: 'Ready',
    message: /ready worker/,
    visited: ['connect', 'inspect', 'waitReady', 'ready'],
  },
];

describe('node join machine (pure transitions)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const run = join(c.steps, c.input);
    expect(run.snapshot.status).toBe('done');
    expect(run.snapshot.output).toMatchObject({ outcome: c.outcome, reason: c.reason });
    if (typeof c.message === 'string') expect(run.snapshot.output?.message).toBe(c.message);
    else expect(run.snapshot.output?.message).toMatch(c.message);
    if (c.visited) expect(run.visited).toEqual(c.visited);
  });
});
