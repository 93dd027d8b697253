// SwarmNode status: observedGeneration, the node fields, running phases, and the driftPolicy detect status.
import { describe, expect, it } from 'vitest';
import {
  driftCondition,
  driftedNodeStatus,
  finalNodeStatus,
  nodeStatus,
  progressStatus,
  runningNodeStatus,
  type SwarmNodeStatusOut,
} from '../../machines/node-status.js';
import { initialNodeContext } from '../../machines/node.setup.js';
import type { NodeMachineContext, NodeMachineOutput } from '../../machines/node.types.js';
import { CONVERGED, drainObs, input, view } from './node-harness.js';

const T0 = new Date('2025-01-01T00:00:00Z');
const T1 = new Date('2025-01-01T00:05:00Z');
const out = (o: Partial<NodeMachineOutput>): NodeMachineOutput => ({
  outcome: 'Ready',
  reason: 'Joined',
  message: 'm',
  joined: true,
  view: CONVERGED,
  nodeId: 'N2',
  ...o,
});
const cond = (s: SwarmNodeStatusOut, type: string) => s.conditions?.find((c) => c.type === type);
const conds = (s: SwarmNodeStatusOut) =>
  Object.fromEntries((s.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
const READY = { status: 'True' as const, reason: 'Ready', message: 'ok' };

describe('SwarmNode status: generation and node fields', () => {
  it('a finished run records its generation on the status and on every condition', () => {
    const s = finalNodeStatus(undefined, out({}), undefined, 7, false, T0);
    expect(s.observedGeneration).toBe(7);
    expect(s.conditions?.map((c) => c.observedGeneration)).toEqual([7, 7, 7]);
  });

  it('a run in progress keeps the previous observedGeneration', () => {
    const prev = finalNodeStatus(undefined, out({}), undefined, 3, false, T0);
    const s = progressStatus(
      prev,
      { phase: 'Converging', progress: 'update the node: n2' },
      undefined,
      4,
      false,
      T1,
    );
    expect(s.observedGeneration).toBe(3);
    expect(s).toMatchObject({
      nodeId: 'N2',
      hostname: 'n2',
      phase: 'Converging',
      progress: 'update the node: n2',
    });
    expect(cond(s, 'Drained')).toBeUndefined();
  });

  it('a stalled run records its generation even though it is not reconciling', () => {
    const s = nodeStatus(
      { observedGeneration: 1 },
      {
        phase: 'Stalled',
        ready: { ...READY, status: 'False' },
        stalled: { reason: 'X', message: 'x' },
        reconciling: { reason: 'X', message: 'x' },
        generation: 2,
      },
      T0,
    );
    expect(s.observedGeneration).toBe(2);
  });

  it('no generation: none recorded, none on the conditions', () => {
    const s = nodeStatus(undefined, { phase: 'Ready', ready: READY }, T0);
    expect(s.observedGeneration).toBeUndefined();
    expect(s.conditions?.every((c) => c.observedGeneration === undefined)).toBe(true);
  });

  it('a node gone from the swarm has no node fields', () => {
    const prev = finalNodeStatus(undefined, out({}), undefined, 1, false, T0);
    const s = finalNodeStatus(
      prev,
      out({ outcome: 'Removed', reason: 'Removed', view: undefined }),
      null,
      2,
      false,
      T1,
    );
    expect(s.phase).toBe('Ready');
    for (const f of ['nodeId', 'hostname', 'role', 'availability', 'state', 'engineVersion'])
      expect(s[f]).toBeUndefined();
  });

  it('no engine version: none shown; an empty progress is not shown', () => {
    const s = nodeStatus(
      undefined,
      { phase: 'Ready', ready: READY, progress: '', view: view({ engineVersion: undefined }) },
      T0,
    );
    expect(s).not.toHaveProperty('engineVersion');
    expect(s).not.toHaveProperty('progress');
    expect(s.state).toBe('ready');
  });

  it('the transition time of a condition changes only with its status', () => {
    const a = nodeStatus(undefined, { phase: 'Ready', ready: READY }, T0);
    const b = nodeStatus(a, { phase: 'Ready', ready: { ...READY, reason: 'Joined' } }, T1);
    expect(cond(b, 'Ready')?.lastTransitionTime).toBe('2025-01-01T00:00:00Z');
    const c = nodeStatus(b, { phase: 'Failed', ready: { ...READY, status: 'False' } }, T1);
    expect(cond(c, 'Ready')?.lastTransitionTime).toBe('2025-01-01T00:05:00Z');
  });

  it.each([
    [
      'Stalled while draining',
      out({ outcome: 'Stalled', reason: 'QuorumWouldBeLost' }),
      true,
      {
        Drained: 'False/QuorumWouldBeLost',
        Ready: 'False/QuorumWouldBeLost',
        Reconciling: 'False/Idle',
        Stalled: 'True/QuorumWouldBeLost',
      },
    ],
    [
      'Removed',
      out({ outcome: 'Removed', reason: 'Removed' }),
      false,
      { Ready: 'True/Removed', Reconciling: 'False/Idle', Stalled: 'False/NotStalled' },
    ],
    [
      'Ready while the spec drains',
      out({}),
      true,
      {
        Drained: 'False/Joined',
        Ready: 'True/Joined',
        Reconciling: 'False/Idle',
        Stalled: 'False/NotStalled',
      },
    ],
  ] as const)('%s', (_n, o, draining, expected) => {
    expect(conds(finalNodeStatus(undefined, o, undefined, 1, draining, T0))).toEqual(expected);
  });
});

describe('SwarmNode status: running phases', () => {
  const ctx = (over: Partial<NodeMachineContext>): NodeMachineContext => ({
    ...initialNodeContext(input()),
    ...over,
  });
  it.each([
    ['nodeJoin', { step: 'forceLeave' }, 'Joining'],
    ['nodeJoin', { step: 'joinTarget' }, 'Joining'],
    ['nodeJoin', { step: 'waitReady', updates: 1 }, 'Joining'],
    ['nodeJoin', { step: 'managers' }, 'Converging'],
    ['nodeJoin', { step: 'managers', desired: { role: 'manager' } }, undefined],
    ['nodeJoin', { step: 'managers', desired: undefined }, undefined],
    ['nodeDrain', { step: 'drainWait' }, undefined],
    [
      'nodeDrain',
      { step: 'drainWait', drain: drainObs(0, [{ service: 'web', running: 0, desired: 1 }]) },
      'Draining',
    ],
    ['nodeDrain', { step: 'setDrain', drain: drainObs(2) }, undefined],
  ] as const)('%s %j -> phase %s', (machine, over, phase) => {
    const r = runningNodeStatus(machine, ctx(over as Partial<NodeMachineContext>));
    expect(r?.phase).toBe(phase);
    if (r) expect(r.progress).not.toBe('');
  });
});

describe('SwarmNode status: driftPolicy detect', () => {
  const ready = finalNodeStatus(undefined, out({}), undefined, 2, false, T0);

  it('drifted: phase and Ready kept, Drifted True with the fields, desiredHash kept', () => {
    const s = driftedNodeStatus(
      { ...ready, desiredHash: 'h1' },
      ['Spec.Role', 'Spec.Labels.zone'],
      view({ role: 'manager' }),
      3,
      T1,
    );
    expect(s.phase).toBe('Ready');
    expect(s.role).toBe('manager');
    expect(s.desiredHash).toBe('h1');
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Joined',
      message: 'm',
      lastTransitionTime: '2025-01-01T00:00:00Z',
    });
    expect(cond(s, 'Drifted')).toMatchObject({
      status: 'True',
      reason: 'DriftDetected',
      message: 'out-of-band changes: Spec.Role, Spec.Labels.zone',
      observedGeneration: 3,
    });
  });

  it('in sync: Drifted False', () => {
    const s = driftedNodeStatus(ready, [], CONVERGED, undefined, T1);
    expect(cond(s, 'Drifted')).toMatchObject({ status: 'False', reason: 'InSync', message: '' });
    expect(cond(s, 'Drifted')).not.toHaveProperty('observedGeneration');
    expect(s).not.toHaveProperty('desiredHash');
  });

  it('a drained node stays Drained, with its Drained condition', () => {
    const drained = finalNodeStatus(
      undefined,
      out({ outcome: 'Drained', reason: 'Drained' }),
      undefined,
      2,
      true,
      T0,
    );
    const s = driftedNodeStatus(drained, ['Spec.Availability'], view({ availability: 'active' }), 2, T1);
    expect(s.phase).toBe('Drained');
    expect(conds(s)).toMatchObject({
      Drained: 'True/Drained',
      Ready: 'True/Drained',
      Drifted: 'True/DriftDetected',
    });
  });

  it('a not-ready node stays not ready; no previous status gives Ready False', () => {
    const failed = finalNodeStatus(
      undefined,
      out({ outcome: 'Failed', reason: 'JoinFailed' }),
      undefined,
      2,
      true,
      T0,
    );
    const s = driftedNodeStatus(failed, ['Spec.Role'], CONVERGED, 2, T1);
    expect(conds(s)).toMatchObject({ Ready: 'False/JoinFailed', Drained: 'False/JoinFailed' });
    const fresh = driftedNodeStatus(undefined, ['Spec.Role'], CONVERGED, 2, T1);
    expect(fresh.phase).toBe('Ready');
    expect(cond(fresh, 'Ready')).toMatchObject({ status: 'False', reason: 'Ready', message: '' });
    expect(cond(fresh, 'Drained')).toBeUndefined();
  });

  it('driftCondition keeps the other conditions', () => {
    const c = driftCondition(ready.conditions ?? [], ['Spec.Role'], 1, T1);
    expect(c.map((x) => x.type)).toEqual(['Drifted', 'Ready', 'Reconciling', 'Stalled']);
  });
});

describe('SwarmNode status: fields present only when known', () => {
  it('Idle / NotStalled conditions are empty-messaged; no generation, no progress: no such fields', () => {
    const s = nodeStatus(undefined, { phase: 'Ready', ready: READY }, T0);
    expect(s).not.toHaveProperty('progress');
    expect(s).not.toHaveProperty('observedGeneration');
    for (const c of s.conditions ?? []) expect(c).not.toHaveProperty('observedGeneration');
    expect(cond(s, 'Reconciling')).toMatchObject({ status: 'False', reason: 'Idle', message: '' });
    expect(cond(s, 'Stalled')).toMatchObject({ status: 'False', reason: 'NotStalled', message: '' });
  });

  it('a run without a generation keeps the previous observedGeneration', () => {
    const prev = finalNodeStatus(undefined, out({}), undefined, 5, false, T0);
    expect(finalNodeStatus(prev, out({}), undefined, undefined, false, T1).observedGeneration).toBe(5);
  });

  it('progress: the view and generation given are shown; a Drained condition goes when not draining', () => {
    const prev = finalNodeStatus(
      undefined,
      out({ outcome: 'Drained', reason: 'Drained' }),
      undefined,
      3,
      true,
      T0,
    );
    const s = progressStatus(
      prev,
      { phase: 'Converging', progress: 'p' },
      view({ hostname: 'h9' }),
      4,
      false,
      T1,
    );
    expect(s.hostname).toBe('h9');
    expect(s.engineVersion).toBe('20.10.24');
    expect(cond(s, 'Ready')?.observedGeneration).toBe(4);
    expect(cond(s, 'Drained')).toBeUndefined();
  });

  it('drifted: the generation is on the conditions; a Drained False condition does not make Ready False', () => {
    const prev = finalNodeStatus(undefined, out({}), undefined, 2, true, T0);
    const s = driftedNodeStatus(prev, ['Spec.Role'], CONVERGED, 3, T1);
    expect(cond(s, 'Ready')).toMatchObject({ status: 'True', reason: 'Joined', observedGeneration: 3 });
    expect(cond(s, 'Drained')).toMatchObject({ status: 'False', reason: 'Joined' });
    const noConditions = driftedNodeStatus({ phase: 'Ready' }, [], CONVERGED, 3, T1);
    expect(cond(noConditions, 'Ready')).toMatchObject({ status: 'False', reason: 'Ready' });
    const notDraining = driftedNodeStatus(
      finalNodeStatus(undefined, out({}), undefined, 2, false, T0),
      [],
      CONVERGED,
      3,
      T1,
    );
    expect(cond(notDraining, 'Drained')).toBeUndefined();
  });

  it.each([
    ['nodeJoin', 'connect'],
    ['nodeJoin', 'inspect'],
  ] as const)('%s %s writes no running status at all', (machine, step) => {
    expect(runningNodeStatus(machine, { ...initialNodeContext(input()), step })).toBeUndefined();
  });

  it('a join that makes a manager is Joining (only a demotion reads the managers as Converging)', () => {
    const c = { ...initialNodeContext(input({ desired: { role: 'manager' } })), step: 'join' as const };
    expect(runningNodeStatus('nodeJoin', c)?.phase).toBe('Joining');
  });
});
