import { describe, expect, it } from 'vitest';
import { nodeJoinMachine } from '../../machines/node-join.machine.js';
import { stepProgress } from '../../machines/node-messages.js';
import {
  after,
  CONVERGED,
  done,
  drive,
  failures,
  input,
  inspection,
  manager,
  MANAGER_ELSEWHERE,
  MANAGER_HERE,
  OWNER_LABELS,
  polls,
  view,
  WORKER_ELSEWHERE,
  WORKER_HERE,
  type Step,
} from './node-harness.js';
import {
  join,
  REMOTE,
  MANAGER_CONVERGED,
  toJoin,
  joined,
  labelled,
  adopted,
  type Case,
} from './node-join-steps.js';

const cases: Case[] = [
  {
    name: 'fresh daemon: joins as a worker, labelled, ready',
    steps: labelled,
    outcome: 'Ready',
    reason: 'Joined',
    message: 'node n2 joined the swarm as a ready worker (ID N2)',
    visited: ['connect', 'inspect', 'joinTarget', 'join', 'waitReady', 'update', 'waitReady', 'ready'],
  },
  {
    name: 'joins as a manager: waits until it is a reachable Raft member',
    input: { desired: { role: 'manager', labels: { zone: 'a' } } },
    steps: [
      ...joined,
      ...polls([
        done('nodeState', view({ role: 'manager', reachability: 'unknown' })),
        done('nodeState', view({ role: 'manager', reachability: 'reachable' })),
      ]),
      done('update', MANAGER_CONVERGED),
      done('nodeState', MANAGER_CONVERGED),
    ],
    outcome: 'Ready',
    reason: 'Joined',
    message: 'node n2 joined the swarm as a ready manager (ID N2)',
  },
  {
    name: 'not yet listed by the manager, then down, then ready',
    steps: [
      ...joined,
      ...polls([
        done('nodeState', null),
        done('nodeState', view({ state: 'down' })),
        done('nodeState', CONVERGED),
      ]),
    ],
    outcome: 'Ready',
    reason: 'Joined',
    message: /joined the swarm as a ready worker/,
  },
  {
    name: 'already a member of this swarm (worker known to the manager): adopted, nothing changed',
    steps: [...adopted, done('nodeState', CONVERGED)],
    outcome: 'Ready',
    reason: 'Ready',
    message: 'node n2 is a ready worker of the swarm (ID N2)',
    visited: ['connect', 'inspect', 'waitReady', 'ready'],
  },
  {
    name: 'a manager of this swarm (same cluster ID): adopted',
    input: { desired: { role: 'manager', labels: { zone: 'a' } } },
    steps: [done('connect'), done('inspect', MANAGER_HERE), done('nodeState', MANAGER_CONVERGED)],
    outcome: 'Ready',
    reason: 'Ready',
    message: 'node n2 is a ready manager of the swarm (ID N2)',
  },
  {
    name: 'adopting an unowned node puts the owner labels on it',
    input: { desired: undefined },
    steps: [
      ...adopted,
      done('nodeState', view()),
      done('update', view({ labels: OWNER_LABELS })),
      done('nodeState', view({ labels: OWNER_LABELS })),
    ],
    outcome: 'Ready',
    reason: 'Ready',
    message: /is a ready worker/,
    visited: ['connect', 'inspect', 'waitReady', 'update', 'waitReady', 'ready'],
  },
  {
    name: 'a manager of another swarm without force: stalled, nothing done',
    steps: [done('connect'), done('inspect', MANAGER_ELSEWHERE)],
    outcome: 'Stalled',
    reason: 'InOtherSwarm',
    message:
      'node n2 is in another swarm (cluster C9); set spec.force: true to make it leave that swarm first',
    visited: ['connect', 'inspect', 'stalled'],
  },
  {
    name: 'a worker of another swarm (unknown to our manager) without force: stalled',
    steps: [done('connect'), done('inspect', WORKER_ELSEWHERE)],
    outcome: 'Stalled',
    reason: 'InOtherSwarm',
    message: /node ID X7 unknown to this swarm's manager/,
  },
  {
    name: 'another swarm with force: leaves it (force) and joins',
    input: { force: true },
    steps: [
      done('connect'),
      done('inspect', MANAGER_ELSEWHERE),
      done('leave'),
      done('joinTarget', REMOTE),
      done('join', { nodeId: 'N2' }),
      done('nodeState', CONVERGED),
    ],
    outcome: 'Ready',
    reason: 'Joined',
    message: /joined the swarm/,
    visited: ['connect', 'inspect', 'leaving', 'joinTarget', 'join', 'waitReady', 'ready'],
  },
  {
    name: 'swarm error state without force: stalled with the error',
    steps: [done('connect'), done('inspect', inspection({ localState: 'error', error: 'raft: bad state' }))],
    outcome: 'Stalled',
    reason: 'SwarmError',
    message: 'node n2 is in swarm state error (raft: bad state); set spec.force: true to make it leave first',
  },
  {
    name: 'swarm error state with force: leaves and joins',
    input: { force: true },
    steps: [
      done('connect'),
      done('inspect', inspection({ localState: 'error' })),
      done('leave'),
      done('joinTarget', REMOTE),
      done('join', { nodeId: 'N2' }),
      done('nodeState', CONVERGED),
    ],
    outcome: 'Ready',
    reason: 'Joined',
    message: /joined/,
  },
  {
    name: 'locked swarm: stalled (force does not unlock)',
    input: { force: true },
    steps: [done('connect'), done('inspect', inspection({ localState: 'locked' }))],
    outcome: 'Stalled',
    reason: 'SwarmLocked',
    message: /swarm is locked/,
  },
  {
    name: 'join pending, then active: looks again after a backoff',
    steps: [
      done('connect'),
      done('inspect', inspection({ localState: 'pending' })),
      after('backoff'),
      done('inspect', WORKER_HERE),
      done('nodeState', CONVERGED),
    ],
    outcome: 'Ready',
    reason: 'Ready',
    message: /ready worker/,
  },
  {
    name: 'join pending on every look',
    steps: [done('connect'), ...failures(3, done('inspect', inspection({ localState: 'pending' })))],
    outcome: 'Failed',
    reason: 'InspectFailed',
    message:
      'node n2: inspect the node failed after 3 attempts: the node is joining a swarm (LocalNodeState pending)',
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

  it('joins with the role, the manager addresses and the addresses of the spec (never a token)', () => {
    const run = join(joined, { desired: { role: 'manager' } });
    expect(run.inputs.find((i) => i.src === 'join')?.input).toEqual({
      role: 'manager',
      remoteAddrs: REMOTE,
      advertiseAddr: '10.0.0.12',
      listenAddr: '10.0.0.12:2377',
    });
    expect(JSON.stringify(run.snapshot.context)).not.toMatch(/SWMTKN/);
  });

  it('an unset role joins as a worker', () => {
    const run = join(joined, { desired: undefined });
    expect(run.inputs.find((i) => i.src === 'join')?.input).toMatchObject({ role: 'worker' });
  });

  it('updates only what differs: labels with the owner labels, role kept', () => {
    const run = join([...joined, done('nodeState', view({ labels: { keep: 'me' } }))]);
    expect(run.inputs.at(-1)).toEqual({
      src: 'update',
      input: {
        nodeId: 'N2',
        labels: {
          set: { ...OWNER_LABELS, zone: 'a', 'swarmkeeper.io/node-labels': 'zone' },
          remove: [],
        },
      },
    });
  });

  it('a demotion is only sent after the quorum check', () => {
    const run = join([
      ...adopted,
      done('nodeState', MANAGER_CONVERGED),
      done('managers', [manager('N1'), manager('N2'), manager('N3')]),
    ]);
    expect(run.invoked).toEqual(['connect', 'inspect', 'nodeState', 'managers', 'update']);
    expect(run.inputs.at(-1)?.input).toEqual({ nodeId: 'N2', role: 'worker' });
  });

  it('adopting a converged node invokes no join, leave or update', () => {
    const run = join([...adopted, done('nodeState', CONVERGED)]);
    expect(run.invoked).toEqual(['connect', 'inspect', 'nodeState']);
  });

  it('progress while waiting for ready', () => {
    const run = join([...joined, done('nodeState', view({ state: 'down' }))]);
    expect(stepProgress(run.snapshot.context)).toBe('waiting for node n2 to be ready (state down)');
  });

  it.each([
    ['connect', [] as Step[]],
    ['join', toJoin],
    ['waitReady', [...joined, done('nodeState', view({ state: 'down' }))]],
  ])('RESUME in %s re-enters the step with fresh attempts', (step, steps) => {
    const mid = join(steps);
    const resumed = drive(nodeJoinMachine, input(), [{ type: 'RESUME' }], mid.snapshot);
    expect(Object.keys(resumed.snapshot.value as object)[0]).toBe(step);
    expect(resumed.snapshot.context.attempt).toBe(1);
    expect(resumed.invoked.length).toBe(1);
  });
});
