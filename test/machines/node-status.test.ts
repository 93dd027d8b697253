import { describe, expect, it } from 'vitest';
import {
  finalNodeStatus,
  outcomeError,
  progressStatus,
  runningNodeStatus,
} from '../../machines/node-status.js';
import { initialNodeContext } from '../../machines/node.setup.js';
import type { NodeMachineContext, NodeMachineOutput } from '../../machines/node.types.js';
import { CONVERGED, drainObs, input, view } from './node-harness.js';

const NOW = new Date('2025-01-01T00:00:00Z');
const out = (o: Partial<NodeMachineOutput>): NodeMachineOutput => ({
  outcome: 'Ready',
  reason: 'Joined',
  message: 'm',
  joined: true,
  view: CONVERGED,
  nodeId: 'N2',
  ...o,
});
const conds = (s: { conditions: { type: string; status: string; reason: string }[] }) =>
  Object.fromEntries(s.conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));

describe('SwarmNode status', () => {
  it.each([
    [
      'Ready',
      out({}),
      false,
      'Ready',
      { Ready: 'True/Joined', Reconciling: 'False/Idle', Stalled: 'False/NotStalled' },
    ],
    [
      'Drained',
      out({ outcome: 'Drained', reason: 'Drained' }),
      true,
      'Drained',
      {
        Drained: 'True/Drained',
        Ready: 'True/Drained',
        Reconciling: 'False/Idle',
        Stalled: 'False/NotStalled',
      },
    ],
    [
      'Stalled (quorum)',
      out({ outcome: 'Stalled', reason: 'QuorumWouldBeLost' }),
      false,
      'Stalled',
      { Ready: 'False/QuorumWouldBeLost', Reconciling: 'False/Idle', Stalled: 'True/QuorumWouldBeLost' },
    ],
    [
      'Failed while draining',
      out({ outcome: 'Failed', reason: 'DrainTimeout' }),
      true,
      'Failed',
      {
        Drained: 'False/DrainTimeout',
        Ready: 'False/DrainTimeout',
        Reconciling: 'True/DrainTimeout',
        Stalled: 'False/NotStalled',
      },
    ],
  ] as const)('%s', (_n, o, draining, phase, expected) => {
    const s = finalNodeStatus(undefined, o, undefined, 3, draining, NOW);
    expect(s.phase).toBe(phase);
    expect(conds(s)).toEqual(expected);
    expect(s).toMatchObject({
      nodeId: 'N2',
      hostname: 'n2',
      role: 'worker',
      availability: 'active',
      state: 'ready',
    });
  });

  it('keeps the node fields of the previous status when the node could not be read', () => {
    const prev = finalNodeStatus(undefined, out({}), undefined, 1, false, NOW);
    const s = finalNodeStatus(
      prev,
      out({ outcome: 'Failed', reason: 'Unreachable', view: undefined, nodeId: undefined }),
      undefined,
      2,
      false,
      NOW,
    );
    expect(s).toMatchObject({ nodeId: 'N2', hostname: 'n2', phase: 'Failed', observedGeneration: 1 });
  });

  it('a fresh view of the manager wins over the machine output', () => {
    const s = finalNodeStatus(
      undefined,
      out({}),
      view({ availability: 'drain', state: 'ready' }),
      1,
      false,
      NOW,
    );
    expect(s.availability).toBe('drain');
  });

  it.each([
    ['Stalled', 'QuorumWouldBeLost', 'SK_ERR_NODE_QUORUM', 'waiting'],
    ['Stalled', 'OwnershipConflict', 'SK_ERR_OWNERSHIP_CONFLICT', 'terminal'],
    ['Stalled', 'InOtherSwarm', 'SK_ERR_NODE_SWARM_STATE', 'terminal'],
    ['Stalled', 'SwarmLocked', 'SK_ERR_NODE_SWARM_STATE', 'terminal'],
    ['Failed', 'DrainTimeout', 'SK_ERR_NODE_DRAIN_TIMEOUT', 'transient'],
    ['Failed', 'JoinFailed', 'SK_ERR_DOCKER_API', 'transient'],
  ] as const)('%s/%s -> %s (%s)', (outcome, reason, code, policy) => {
    expect(outcomeError(out({ outcome, reason }))).toMatchObject({ code, policy, message: 'm' });
  });

  it('a quorum stall is retried after 30 s; other errors carry no delay', () => {
    expect(outcomeError(out({ outcome: 'Stalled', reason: 'QuorumWouldBeLost' }))?.requeueAfterMs).toBe(
      30_000,
    );
    expect(outcomeError(out({ outcome: 'Failed', reason: 'JoinFailed' }))?.requeueAfterMs).toBeUndefined();
  });

  it.each(['Ready', 'Drained', 'Removed'] as const)('%s is no error', (outcome) => {
    expect(outcomeError(out({ outcome }))).toBeUndefined();
  });

  const ctx = (over: Partial<NodeMachineContext>): NodeMachineContext => ({
    ...initialNodeContext(input()),
    ...over,
  });
  it.each([
    ['nodeJoin', { step: 'connect' }, undefined],
    ['nodeJoin', { step: 'inspect' }, undefined],
    ['nodeJoin', { step: 'waitReady', view: CONVERGED }, undefined],
    ['nodeJoin', { step: 'join' }, 'Joining'],
    ['nodeJoin', { step: 'waitReady', joined: true }, 'Joining'],
    ['nodeJoin', { step: 'update' }, 'Converging'],
    ['nodeDrain', { step: 'observe' }, undefined],
    ['nodeDrain', { step: 'drainWait', drain: drainObs(0, [], []) }, undefined],
    ['nodeDrain', { step: 'drainWait', drain: drainObs(2) }, 'Draining'],
    ['nodeRemove', { step: 'inspect' }, 'Removing'],
  ] as const)('%s %j -> phase %s (quick look-only steps write no progress)', (machine, over, phase) => {
    expect(runningNodeStatus(machine, ctx(over as Partial<NodeMachineContext>))?.phase).toBe(phase);
  });

  it('progress status: Ready False and Reconciling True with the progress', () => {
    const s = progressStatus(
      undefined,
      { phase: 'Draining', progress: '2 tasks left on node n2' },
      CONVERGED,
      4,
      true,
      NOW,
    );
    expect(s).toMatchObject({ phase: 'Draining', progress: '2 tasks left on node n2' });
    expect(conds(s)).toEqual({
      Drained: 'False/Draining',
      Ready: 'False/Draining',
      Reconciling: 'True/Draining',
      Stalled: 'False/NotStalled',
    });
  });
});
