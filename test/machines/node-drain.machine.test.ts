import { describe, expect, it } from 'vitest';
import { nodeDrainMachine } from '../../machines/node-drain.machine.js';
import { stepProgress } from '../../machines/node-messages.js';
import {
  after,
  done,
  drainObs,
  drive,
  fail,
  failures,
  input,
  polls,
  view,
  type Step,
} from './node-harness.js';

const drain = (steps: Step[], over: Parameters<typeof input>[0] = {}) =>
  drive(nodeDrainMachine, input({ nodeId: 'N2', ...over }), steps);
const DRAINING = view({ availability: 'drain' });
const started: Step[] = [done('drainStatus', drainObs(3)), done('update', DRAINING)];

interface Case {
  name: string;
  steps: Step[];
  outcome: string;
  reason: string;
  message: string | RegExp;
  visited?: string[];
}

const cases: Case[] = [
  {
    name: 'tasks leave the node, then their replacements run elsewhere',
    steps: [
      ...started,
      ...polls([
        done('drainStatus', drainObs(3)),
        done('drainStatus', drainObs(1)),
        done('drainStatus', drainObs(0, [{ service: 'web', running: 2, desired: 3 }], [])),
        done('drainStatus', drainObs(0, [], [])),
      ]),
    ],
    outcome: 'Drained',
    reason: 'Drained',
    message: 'node n2 drained: no tasks left, the tasks of 1 service run elsewhere',
    visited: ['observe', 'setDrain', 'drainWait', 'drained'],
  },
  {
    name: 'nothing runs on the node: drained at the first look',
    steps: [
      done('drainStatus', drainObs(0, [], [])),
      done('update', DRAINING),
      done('drainStatus', drainObs(0, [], [])),
    ],
    outcome: 'Drained',
    reason: 'Drained',
    message: 'node n2 drained: no tasks left',
  },
  {
    name: 'drain timeout: what is left is in the message',
    steps: [...started, done('drainStatus', drainObs(2)), after('drainTimeout')],
    outcome: 'Failed',
    reason: 'DrainTimeout',
    message: 'node n2: drain did not finish within 300000 ms: 2 tasks left on node n2',
  },
  {
    name: 'drain timeout waiting for replacements that cannot be placed',
    steps: [
      ...started,
      done('drainStatus', drainObs(0, [{ service: 'db', running: 0, desired: 1 }])),
      after('drainTimeout'),
    ],
    outcome: 'Failed',
    reason: 'DrainTimeout',
    message: /drain did not finish within 300000 ms: waiting for replacements elsewhere: db 0\/1 running$/,
  },
  {
    name: 'a failed look is retried at the next interval',
    steps: [
      ...started,
      fail('drainStatus', 'EOF'),
      after('pollInterval'),
      done('drainStatus', drainObs(0, [], [])),
    ],
    outcome: 'Drained',
    reason: 'Drained',
    message: /drained/,
  },
  {
    name: 'looks keep failing until the drain timeout',
    steps: [...started, fail('drainStatus', 'connect ECONNREFUSED'), after('drainTimeout')],
    outcome: 'Failed',
    reason: 'DrainTimeout',
    message: /drain did not finish within 300000 ms: 3 tasks left on node n2/,
  },
  {
    name: 'the first look fails on every attempt',
    steps: failures(3, fail('drainStatus', 'EOF')),
    outcome: 'Failed',
    reason: 'DrainFailed',
    message: 'node unix:///lab/n2/docker.sock: list the tasks on the node failed after 3 attempts: EOF',
  },
  {
    name: 'the first look times out',
    steps: failures(3, after('stepTimeout')),
    outcome: 'Failed',
    reason: 'DrainFailed',
    message: /list the tasks on the node failed after 3 attempts: timed out after 30000 ms/,
  },
  {
    name: 'setting availability drain fails',
    steps: [done('drainStatus', drainObs(3)), ...failures(3, fail('update', 'rpc error'))],
    outcome: 'Failed',
    reason: 'DrainFailed',
    message: /set availability drain failed after 3 attempts: rpc error/,
  },
  {
    name: 'setting availability drain times out',
    steps: [done('drainStatus', drainObs(3)), ...failures(3, after('stepTimeout'))],
    outcome: 'Failed',
    reason: 'DrainFailed',
    message: /set availability drain failed after 3 attempts: timed out/,
  },
];

describe('node drain machine (pure transitions)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const run = drain(c.steps);
    expect(run.snapshot.status).toBe('done');
    expect(run.snapshot.output).toMatchObject({ outcome: c.outcome, reason: c.reason });
    if (typeof c.message === 'string') expect(run.snapshot.output?.message).toBe(c.message);
    else expect(run.snapshot.output?.message).toMatch(c.message);
    if (c.visited) expect(run.visited).toEqual(c.visited);
  });

  it('sets availability drain and nothing else', () => {
    const run = drain(started);
    expect(run.inputs.find((i) => i.src === 'update')?.input).toEqual({
      nodeId: 'N2',
      availability: 'drain',
    });
  });

  it('progress follows every look', () => {
    const run = drain([
      ...started,
      ...polls([
        done('drainStatus', drainObs(3)),
        done('drainStatus', drainObs(1)),
        done('drainStatus', drainObs(0, [{ service: 'web', running: 2, desired: 3 }])),
      ]),
    ]);
    const seen = [
      ...new Set(
        run.snapshots.filter((s) => s.context.step === 'drainWait').map((s) => stepProgress(s.context)),
      ),
    ];
    expect(seen).toEqual([
      '3 tasks left on node n2',
      '1 task left on node n2',
      'waiting for replacements elsewhere: web 2/3 running',
    ]);
  });

  it('checks the replacements of every service seen on the node (union over the looks)', () => {
    const run = drain([
      done('drainStatus', drainObs(2, [], ['S1'])),
      done('update', DRAINING),
      done('drainStatus', drainObs(1, [], ['S2'])),
      after('pollInterval'),
    ]);
    expect(run.inputs.at(-1)).toEqual({
      src: 'drainStatus',
      input: { nodeId: 'N2', services: ['S1', 'S2'] },
    });
  });

  it('RESUME in drainWait keeps the services and looks again', () => {
    const mid = drain([...started, done('drainStatus', drainObs(2))]);
    const resumed = drive(nodeDrainMachine, input({ nodeId: 'N2' }), [{ type: 'RESUME' }], mid.snapshot);
    expect(Object.keys(resumed.snapshot.value as object)[0]).toBe('drainWait');
    expect(resumed.inputs).toEqual([{ src: 'drainStatus', input: { nodeId: 'N2', services: ['S1'] } }]);
  });
});
