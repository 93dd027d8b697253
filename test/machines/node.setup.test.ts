// The shared setup of the SwarmNode machines seen through the machines: what they ask their actors
// (and with what input), when a demotion counts as committed, what the output carries, the placeholders.
import { createActor, toPromise } from 'xstate';
import { describe, expect, it } from 'vitest';
import { nodeDrainMachine } from '../../machines/node-drain.machine.js';
import { nodeJoinMachine } from '../../machines/node-join.machine.js';
import { nodeRemoveMachine } from '../../machines/node-remove.machine.js';
import { nodeActors } from '../../machines/node.setup.js';
import {
  after,
  CONVERGED,
  done,
  drainObs,
  drive,
  fail,
  failures,
  INACTIVE,
  input,
  manager,
  MANAGER_ELSEWHERE,
  view,
  WORKER_HERE,
  type Step,
} from './node-harness.js';

const REMOTE = ['10.0.0.11:2377'];
const MANAGER = view({ ...CONVERGED, role: 'manager', reachability: 'reachable' });
const DRAINED = view({ ...CONVERGED, availability: 'drain' });
const THREE = [manager('N1'), manager('N2'), manager('N3')];
const drainSteps: Step[] = [
  done('drainStatus', drainObs(1)),
  done('update', DRAINED),
  done('drainStatus', drainObs(0, [], [])),
];
/** A manager of three, drained, quorum re-checked, demotion sent: now in waitDemoted. */
const demoting: Step[] = [
  done('nodeState', MANAGER),
  done('managers', THREE),
  done('drainStatus', drainObs(1)),
  done('update', view({ ...MANAGER, availability: 'drain' })),
  done('drainStatus', drainObs(0, [], [])),
  done('managers', THREE),
  done('update', view({ ...DRAINED, reachability: 'reachable' })),
];
const remove = (steps: Step[], over: Parameters<typeof input>[0] = {}) =>
  drive(nodeRemoveMachine, input({ nodeId: 'N2', ...over }), steps);
const join = (steps: Step[], over: Parameters<typeof input>[0] = {}) =>
  drive(nodeJoinMachine, input(over), steps);
const inputsOf = (run: ReturnType<typeof join>, src: string) =>
  run.inputs.filter((i) => i.src === src).map((i) => i.input);

describe('node machines: a demotion is committed when the node is a worker and no Raft member', () => {
  it.each<[string, ReturnType<typeof view> | null, string]>([
    ['the manager no longer knows the node', null, 'leave'],
    ['worker, no manager status', view({ ...DRAINED }), 'leave'],
    ['worker, still a reachable Raft member', view({ ...DRAINED, reachability: 'reachable' }), 'waitDemoted'],
    ['still a manager (role not yet applied)', view({ ...DRAINED, role: 'manager' }), 'waitDemoted'],
  ])('%s -> %s', (_name, seen, next) => {
    const run = remove([...demoting, done('nodeState', seen)]);
    expect(run.visited.at(-1)).toBe(next);
    if (next === 'leave') expect(run.invoked.at(-1)).toBe('leave');
    else expect(run.snapshot.value).toEqual({ waitDemoted: 'wait' });
  });
});

describe('node machines: actor inputs', () => {
  it('leaving another swarm is forced', () => {
    const run = join([done('connect'), done('inspect', MANAGER_ELSEWHERE)], { force: true });
    expect(run.inputs.at(-1)).toEqual({ src: 'leave', input: { force: true } });
  });

  it.each([
    ['without addresses', { advertiseAddr: undefined, listenAddr: undefined }, ['remoteAddrs', 'role']],
    ['with an advertise address', { listenAddr: undefined }, ['advertiseAddr', 'remoteAddrs', 'role']],
    ['with a listen address', { advertiseAddr: undefined }, ['listenAddr', 'remoteAddrs', 'role']],
  ])('join %s sends only the addresses it has', (_name, over, keys) => {
    const run = join([done('connect'), done('inspect', INACTIVE), done('joinTarget', REMOTE)], over);
    const sent = inputsOf(run, 'join')[0] as Record<string, unknown>;
    expect(Object.keys(sent).sort()).toEqual(keys);
    expect(sent.remoteAddrs).toEqual(REMOTE);
  });

  it('drain looks at the node by ID with the services seen so far', () => {
    const run = drive(nodeDrainMachine, input({ nodeId: 'N2' }), [
      done('drainStatus', drainObs(2, [], ['S1'])),
      done('update', DRAINED),
    ]);
    expect(inputsOf(run, 'drainStatus')).toEqual([
      { nodeId: 'N2', services: [] },
      { nodeId: 'N2', services: ['S1'] },
    ]);
  });

  it('without a node ID, remove and drain ask the manager with an empty ID', () => {
    const gone = remove([done('nodeState', null)], { nodeId: undefined });
    expect(gone.inputs).toEqual([{ src: 'nodeState', input: { nodeId: '' } }]);
    expect(gone.snapshot.output?.reason).toBe('AlreadyGone');
    const drain = drive(nodeDrainMachine, input(), [done('drainStatus', drainObs(1, [], []))]);
    expect(drain.inputs).toEqual([
      { src: 'drainStatus', input: { nodeId: '', services: [] } },
      { src: 'update', input: { nodeId: '', availability: 'drain' } },
    ]);
  });

  it.each<[string, Parameters<typeof input>[0], Step[], boolean]>([
    [
      'force, the daemon cannot leave: node rm --force',
      { force: true },
      failures(3, fail('leave', 'ENOENT')),
      true,
    ],
    [
      'force, seen down: node rm without --force',
      { force: true },
      [done('leave'), done('nodeState', view({ ...DRAINED, state: 'down' }))],
      false,
    ],
    [
      'force, never seen down: node rm --force',
      { force: true },
      [done('leave'), done('nodeState', DRAINED), after('downTimeout')],
      true,
    ],
    [
      'no force, seen down',
      {},
      [done('leave'), done('nodeState', view({ ...DRAINED, state: 'down' }))],
      false,
    ],
  ])('remove, %s', (_name, over, tail, force) => {
    const run = remove([done('nodeState', CONVERGED), ...drainSteps, ...tail], over);
    expect(run.inputs.at(-1)).toEqual({ src: 'removeNode', input: { nodeId: 'N2', force } });
  });
});

describe('node machines: output', () => {
  const keys = (o: object | undefined) => Object.keys(o ?? {}).sort();
  const BASE = ['joined', 'message', 'outcome', 'reason'];

  it('a join that fails before anything is known carries no node ID and no view', () => {
    const run = join(failures(3, fail('connect', 'ECONNREFUSED')));
    expect(run.snapshot.output?.outcome).toBe('Failed');
    expect(keys(run.snapshot.output)).toEqual(BASE);
  });

  it('an inactive node (empty NodeID) that fails to join carries no node ID', () => {
    const run = join([
      done('connect'),
      done('inspect', INACTIVE),
      done('joinTarget', REMOTE),
      fail('join', 'invalid join token', false),
    ]);
    expect(run.snapshot.output?.reason).toBe('JoinFailed');
    expect(keys(run.snapshot.output)).toEqual(BASE);
  });

  it('a ready node carries the ID and the last view the manager gave', () => {
    const seen = view({ ...CONVERGED, id: 'N2-manager' });
    const run = join([done('connect'), done('inspect', WORKER_HERE), done('nodeState', seen)]);
    expect(run.snapshot.output).toEqual({
      outcome: 'Ready',
      reason: 'Ready',
      message: 'node n2 is a ready worker of the swarm (ID N2-manager)',
      joined: false,
      nodeId: 'N2-manager',
      view: seen,
    });
  });

  it('a node the manager does not know carries its ID and no view', () => {
    const run = remove([done('nodeState', null)]);
    expect(run.snapshot.output?.reason).toBe('AlreadyGone');
    expect(keys(run.snapshot.output)).toEqual([...BASE, 'nodeId'].sort());
    expect(run.snapshot.output?.nodeId).toBe('N2');
  });
});

describe('node actor placeholders', () => {
  it.each(Object.keys(nodeActors))('%s fails naming itself until provided', async (name) => {
    const logic = nodeActors[name as keyof typeof nodeActors] as typeof nodeActors.connect;
    const actor = createActor(logic, { input: {} });
    actor.subscribe({ error: () => undefined });
    actor.start();
    await expect(toPromise(actor)).rejects.toThrow(
      `node machine actor "${name}" is not provided; use machine.provide({ actors })`,
    );
  });
});
