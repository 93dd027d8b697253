import { describe, expect, it } from 'vitest';
import { nodeRemoveMachine } from '../../machines/node-remove.machine.js';
import {
  after,
  CONVERGED,
  done,
  drainObs,
  drive,
  fail,
  failures,
  input,
  manager,
  polls,
  view,
  type Step,
} from './node-harness.js';

const remove = (steps: Step[], over: Parameters<typeof input>[0] = {}) =>
  drive(nodeRemoveMachine, input({ nodeId: 'N2', ...over }), steps);

const WORKER = CONVERGED;
const MANAGER = view({ ...CONVERGED, role: 'manager', reachability: 'reachable' });
const DRAINED = view({ ...CONVERGED, availability: 'drain' });
const DOWN = view({ ...DRAINED, state: 'down' });
const THREE = [manager('N1'), manager('N2'), manager('N3')];
const drained: Step[] = [
  done('drainStatus', drainObs(1)),
  done('update', DRAINED),
  done('drainStatus', drainObs(0, [], [])),
];
const workerDrained: Step[] = [done('nodeState', WORKER), ...drained];
const managerDrained: Step[] = [
  done('nodeState', MANAGER),
  done('managers', THREE),
  done('drainStatus', drainObs(1)),
  done('update', view({ ...MANAGER, availability: 'drain' })),
  done('drainStatus', drainObs(0, [], [])),
];
const demoted: Step[] = [
  ...managerDrained,
  done('managers', THREE),
  done('update', view({ ...DRAINED, reachability: 'reachable' })),
  done('nodeState', DRAINED),
];

interface Case {
  name: string;
  input?: Parameters<typeof input>[0];
  steps: Step[];
  outcome: string;
  reason: string;
  message: string | RegExp;
  visited?: string[];
}

const cases: Case[] = [
  {
    name: 'worker: drain, leave, wait down, node rm',
    steps: [
      ...workerDrained,
      done('leave'),
      ...polls([done('nodeState', DRAINED), done('nodeState', DOWN)]),
      done('removeNode'),
    ],
    outcome: 'Removed',
    reason: 'Removed',
    message: 'node n2 left the swarm and was removed from it',
    visited: ['inspect', 'observe', 'setDrain', 'drainWait', 'leave', 'waitDown', 'removeNode', 'removed'],
  },
  {
    name: 'manager of 3: quorum checked, drained, quorum re-checked, demoted, left, removed',
    steps: [...demoted, done('leave'), done('nodeState', DOWN), done('removeNode')],
    outcome: 'Removed',
    reason: 'Removed',
    message: /left the swarm and was removed/,
    visited: [
      'inspect',
      'quorum',
      'observe',
      'setDrain',
      'drainWait',
      'quorum',
      'demote',
      'waitDemoted',
      'leave',
      'waitDown',
      'removeNode',
      'removed',
    ],
  },
  {
    name: 'manager of 2: refused before anything is changed',
    steps: [done('nodeState', MANAGER), done('managers', [manager('N1'), manager('N2')])],
    outcome: 'Stalled',
    reason: 'QuorumWouldBeLost',
    message:
      'refusing to remove manager n2: the swarm would lose its Raft majority: 1 reachable manager of 2 would remain; ' +
      'a majority of the 2 current managers is 2 (the removed manager counts as a failure until the change is committed, ' +
      'and 2 managers tolerate 0 failures)',
    visited: ['inspect', 'quorum', 'stalled'],
  },
  {
    name: 'the last manager: refused',
    steps: [done('nodeState', MANAGER), done('managers', [manager('N2')])],
    outcome: 'Stalled',
    reason: 'QuorumWouldBeLost',
    message: 'refusing to remove manager n2: the swarm would lose its Raft majority: it is the last manager',
  },
  {
    name: 'a manager became unreachable during the drain: refused at the re-check, not demoted',
    steps: [...managerDrained, done('managers', [manager('N1'), manager('N2'), manager('N3', false)])],
    outcome: 'Stalled',
    reason: 'QuorumWouldBeLost',
    message:
      /1 reachable manager of 3 would remain; a majority of the 3 current managers is 2 .*; 1 already unreachable\)$/,
  },
  {
    name: 'unknown to the manager: already gone',
    steps: [done('nodeState', null)],
    outcome: 'Removed',
    reason: 'AlreadyGone',
    message: 'node N2 is not in the swarm (already removed)',
  },
  {
    name: 'not owned by this resource: left untouched',
    steps: [
      done(
        'nodeState',
        view({
          labels: { 'swarmkeeper.io/owner': 'SwarmNode/default/x', 'swarmkeeper.io/instance': 'test' },
        }),
      ),
    ],
    outcome: 'Removed',
    reason: 'NotOwned',
    message: 'node n2 is not owned by SwarmNode/default/n2: left in the swarm untouched',
    visited: ['inspect', 'removed'],
  },
  {
    name: 'never labelled (joined but not adopted): left untouched',
    steps: [done('nodeState', view())],
    outcome: 'Removed',
    reason: 'NotOwned',
    message: /left in the swarm untouched/,
  },
  {
    name: 'inspect fails',
    steps: failures(3, fail('nodeState', 'EOF')),
    outcome: 'Failed',
    reason: 'InspectFailed',
    message: /inspect the node failed after 3 attempts: EOF/,
  },
  {
    name: 'managers cannot be listed',
    steps: [done('nodeState', MANAGER), ...failures(3, after('stepTimeout'))],
    outcome: 'Failed',
    reason: 'InspectFailed',
    message: /list the managers failed after 3 attempts: timed out/,
  },
  {
    name: 'drain timeout: nothing left the swarm',
    steps: [
      done('nodeState', WORKER),
      done('drainStatus', drainObs(1)),
      done('update', DRAINED),
      done('drainStatus', drainObs(1)),
      after('drainTimeout'),
    ],
    outcome: 'Failed',
    reason: 'DrainTimeout',
    message: 'node n2: drain did not finish within 300000 ms: 1 task left on node n2',
  },
  {
    name: 'demote fails',
    steps: [
      ...managerDrained,
      done('managers', THREE),
      ...failures(3, fail('update', 'rpc error: loss of quorum')),
    ],
    outcome: 'Failed',
    reason: 'DemoteFailed',
    message: 'node n2: demote the node failed after 3 attempts: rpc error: loss of quorum',
  },
  {
    name: 'demotion never committed',
    steps: [
      ...managerDrained,
      done('managers', THREE),
      done('update', MANAGER),
      done('nodeState', MANAGER),
      after('readyTimeout'),
    ],
    outcome: 'Failed',
    reason: 'DemoteFailed',
    message: 'the demotion of node n2 was not committed within 90000 ms (1 check)',
  },
  {
    name: 'leave fails without force',
    steps: [...workerDrained, ...failures(3, fail('leave', 'connect ENOENT'))],
    outcome: 'Failed',
    reason: 'LeaveFailed',
    message: 'node n2: leave the swarm failed after 3 attempts: connect ENOENT',
  },
  {
    name: 'leave fails with force: node rm --force',
    input: { force: true },
    steps: [...workerDrained, ...failures(3, fail('leave', 'connect ENOENT')), done('removeNode')],
    outcome: 'Removed',
    reason: 'Removed',
    message: /removed/,
  },
  {
    name: 'never seen down without force',
    steps: [...workerDrained, done('leave'), done('nodeState', DRAINED), after('downTimeout')],
    outcome: 'Failed',
    reason: 'NotDown',
    message:
      'node n2 left the swarm but the manager did not see it down within 90000 ms (state ready); set spec.force: true to remove it anyway',
  },
  {
    name: 'never seen down with force: node rm --force',
    input: { force: true },
    steps: [
      ...workerDrained,
      done('leave'),
      done('nodeState', DRAINED),
      after('downTimeout'),
      done('removeNode'),
    ],
    outcome: 'Removed',
    reason: 'Removed',
    message: /removed/,
  },
  {
    name: 'gone from the manager while waiting for down: node rm is a no-op',
    steps: [...workerDrained, done('leave'), done('nodeState', null), done('removeNode')],
    outcome: 'Removed',
    reason: 'Removed',
    message: /removed/,
  },
  {
    name: 'node rm fails',
    steps: [
      ...workerDrained,
      done('leave'),
      done('nodeState', DOWN),
      ...failures(3, fail('removeNode', 'node is not down')),
    ],
    outcome: 'Failed',
    reason: 'RemoveFailed',
    message: 'node n2: remove the node from the swarm failed after 3 attempts: node is not down',
  },
  {
    name: 'node rm times out',
    steps: [...workerDrained, done('leave'), done('nodeState', DOWN), ...failures(3, after('stepTimeout'))],
    outcome: 'Failed',
    reason: 'RemoveFailed',
    message: /timed out after 30000 ms$/,
  },
];

describe('node remove machine (pure transitions)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const run = remove(c.steps, c.input);
    expect(run.snapshot.status).toBe('done');
    expect(run.snapshot.output).toMatchObject({ outcome: c.outcome, reason: c.reason });
    if (typeof c.message === 'string') expect(run.snapshot.output?.message).toBe(c.message);
    else expect(run.snapshot.output?.message).toMatch(c.message);
    if (c.visited) expect(run.visited).toEqual(c.visited);
  });

  it('a refused removal changes nothing (no update, leave or node rm)', () => {
    const run = remove([done('nodeState', MANAGER), done('managers', [manager('N1'), manager('N2')])]);
    expect(run.invoked).toEqual(['nodeState', 'managers']);
  });

  it('demotes to worker, leaves without force, removes without force once down', () => {
    const run = remove([...demoted, done('leave'), done('nodeState', DOWN)]);
    const byActor = (src: string) => run.inputs.filter((i) => i.src === src).map((i) => i.input);
    expect(byActor('update')).toEqual([
      { nodeId: 'N2', availability: 'drain' },
      { nodeId: 'N2', role: 'worker' },
    ]);
    expect(byActor('leave')).toEqual([{ force: false }]);
    expect(byActor('removeNode')).toEqual([{ nodeId: 'N2', force: false }]);
  });

  it('with force, a node seen down is still removed without --force', () => {
    const run = remove([...workerDrained, done('leave'), done('nodeState', DOWN)], { force: true });
    expect(run.inputs.at(-1)).toEqual({ src: 'removeNode', input: { nodeId: 'N2', force: false } });
  });

  it.each([
    [
      'drainWait',
      [
        done('nodeState', WORKER),
        done('drainStatus', drainObs(1)),
        done('update', DRAINED),
        done('drainStatus', drainObs(1)),
      ],
    ],
    ['waitDown', [...workerDrained, done('leave'), done('nodeState', DRAINED)]],
  ] as [string, Step[]][])('RESUME in %s re-enters the step', (step, steps) => {
    const mid = remove(steps);
    const resumed = drive(nodeRemoveMachine, input({ nodeId: 'N2' }), [{ type: 'RESUME' }], mid.snapshot);
    expect(Object.keys(resumed.snapshot.value as object)[0]).toBe(step);
    expect(resumed.invoked.length).toBe(1);
  });
});
