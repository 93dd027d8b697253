import { describe, expect, it } from 'vitest';
import { skError } from '../../../reconciler/errors.js';
import type { Condition } from '../../../reconciler/status/conditions.js';
import {
  type ReconcileOutcome,
  type ServiceHealth,
  isConverged,
  nextStatus,
  replicasText,
} from '../../../reconciler/status/resource-status.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const health = (over: Partial<ServiceHealth> = {}): ServiceHealth => ({
  name: 's_a',
  image: 'img',
  mode: 'replicated',
  desiredReplicas: 2,
  runningReplicas: 2,
  ...over,
});
const plan = { create: 1, update: 0, remove: 0, recreate: 0, blocked: 0 };
/** The conditions without their times, by type. */
const conds = (cs: Condition[]) =>
  Object.fromEntries(cs.map(({ lastTransitionTime: _t, type, ...rest }) => [type, rest]));
const idle = { status: 'False', reason: 'Idle', message: '' };
const notStalled = { status: 'False', reason: 'NotStalled', message: '' };
const inSync = { status: 'False', reason: 'InSync', message: '' };

describe('nextStatus: every condition', () => {
  it.each<[string, ReconcileOutcome, Record<string, unknown>]>([
    [
      'applied, no services',
      { applied: true },
      {
        Ready: { status: 'True', reason: 'ReconciliationSucceeded', message: 'applied and in sync' },
        Reconciling: idle,
        Stalled: notStalled,
        Drifted: inSync,
      },
    ],
    [
      'one service',
      { applied: true, services: [health()] },
      { Ready: { status: 'True', reason: 'ReconciliationSucceeded', message: '1 service converged' } },
    ],
    [
      'two services',
      { applied: true, services: [health(), health({ name: 's_b' })] },
      { Ready: { status: 'True', reason: 'ReconciliationSucceeded', message: '2 services converged' } },
    ],
    [
      'a transient error: Reconciling mirrors Ready',
      { applied: false, error: skError('DOCKER_API', 'down') },
      {
        Ready: { status: 'False', reason: 'DockerAPIError', message: 'down' },
        Reconciling: { status: 'True', reason: 'DockerAPIError', message: 'down' },
        Stalled: notStalled,
      },
    ],
    [
      'a terminal error: Stalled mirrors Ready',
      { applied: false, error: skError('COMPOSE_INVALID', 'f: bad') },
      {
        Ready: { status: 'False', reason: 'InvalidCompose', message: 'f: bad' },
        Reconciling: idle,
        Stalled: { status: 'True', reason: 'InvalidCompose', message: 'f: bad' },
      },
    ],
    [
      'blocked: the first code gives the reason, every message is joined',
      {
        applied: true,
        blocked: [
          { kind: 'service', name: 'a', code: 'SK_ERR_OWNERSHIP_CONFLICT', message: 'a is theirs' },
          { kind: 'network', name: 'n', code: 'SK_ERR_RECREATE_BLOCKED', message: 'n is immutable' },
        ],
      },
      {
        Ready: { status: 'False', reason: 'OwnershipConflict', message: 'a is theirs; n is immutable' },
        Reconciling: idle,
        Stalled: { status: 'True', reason: 'OwnershipConflict', message: 'a is theirs; n is immutable' },
      },
    ],
    [
      'an empty blocked list is no block',
      { applied: true, blocked: [] },
      { Ready: { status: 'True', reason: 'ReconciliationSucceeded', message: 'applied and in sync' } },
    ],
    [
      'failed updates, one rolled back',
      {
        applied: true,
        services: [
          health({ updateState: 'paused', updateMessage: 'update paused due to failure' }),
          health({ name: 's_b', updateState: 'rollback_paused' }),
          health({ name: 's_c', updateState: 'completed' }),
        ],
      },
      {
        Ready: {
          status: 'False',
          reason: 'RolledBack',
          message:
            'service s_a: update paused: update paused due to failure; service s_b: update rollback_paused',
        },
        Reconciling: idle,
        Stalled: notStalled,
      },
    ],
    [
      'rollback started',
      { applied: true, services: [health({ updateState: 'rollback_started' })] },
      { Ready: { status: 'False', reason: 'RolledBack', message: 'service s_a: update rollback_started' } },
    ],
    [
      'updating is not a failure',
      { applied: true, services: [health({ updateState: 'updating' })], progressing: [] },
      { Ready: { status: 'True', reason: 'ReconciliationSucceeded', message: '1 service converged' } },
    ],
    [
      'progressing',
      { applied: true, progressing: ['s_a', 's_b'] },
      {
        Ready: { status: 'False', reason: 'Progressing', message: 'waiting for s_a, s_b to converge' },
        Reconciling: { status: 'True', reason: 'Progressing', message: 'waiting for s_a, s_b to converge' },
        Stalled: notStalled,
      },
    ],
    [
      'progressing, a network not allocated: named',
      { applied: true, progressing: ['s_a'], unallocatedNetworks: ['s_back'] },
      {
        Ready: {
          status: 'False',
          reason: 'Progressing',
          message:
            'waiting for s_a to converge; network s_back is not allocated by the Swarm yet (its tasks ' +
            'wait for it; a subnet that overlaps another network keeps it so)',
        },
      },
    ],
    [
      'progressing, two networks not allocated',
      { applied: true, progressing: ['s_a'], unallocatedNetworks: ['s_a1', 's_b1'] },
      {
        Ready: {
          message: expect.stringContaining('; networks s_a1, s_b1 are not allocated by the Swarm yet'),
        },
      },
    ],
    [
      'converged: a network not allocated is not news (nothing waits on it)',
      { applied: true, progressing: [], unallocatedNetworks: ['s_back'] },
      { Ready: { status: 'True', reason: 'ReconciliationSucceeded', message: 'applied and in sync' } },
    ],
    [
      'drift',
      { applied: false, drift: [{ path: 'A' }, { path: 'B.C' }] },
      { Drifted: { status: 'True', reason: 'DriftDetected', message: 'out-of-band changes: A, B.C' } },
    ],
  ])('%s', (_n, outcome, want) => {
    expect(conds(nextStatus(undefined, outcome, t0).conditions)).toMatchObject(want);
  });

  it('without a generation no condition carries one', () => {
    const s = nextStatus(
      undefined,
      { applied: false, drift: [{ path: 'A' }], error: skError('COMPOSE_INVALID', 'x') },
      t0,
    );
    for (const c of s.conditions) expect(c).not.toHaveProperty('observedGeneration');
    expect(s).not.toHaveProperty('observedGeneration');
  });

  it('with a generation every condition carries it', () => {
    for (const o of [
      { applied: true },
      { applied: false, drift: [{ path: 'A' }] },
      { applied: false, error: skError('DOCKER_API', 'x') },
    ])
      for (const c of nextStatus(undefined, { generation: 4, ...o }, t0).conditions)
        expect(c.observedGeneration).toBe(4);
  });
});

describe('nextStatus: the other fields', () => {
  it.each([
    ['success', undefined, 7],
    ['a terminal error (the generation was judged)', skError('COMPOSE_INVALID', 'x'), 7],
    ['a waiting error', skError('DEPENDENCY_NOT_READY', 'x'), 3],
    ['a transient error', skError('DOCKER_API', 'x'), 3],
  ])('observedGeneration after %s', (_n, error, want) => {
    const prev = nextStatus(undefined, { applied: true, generation: 3 }, t0);
    expect(
      nextStatus(prev, { applied: false, generation: 7, ...(error ? { error } : {}) }, t1).observedGeneration,
    ).toBe(want);
  });

  it('records the plan summary, services and their count', () => {
    const s = nextStatus(
      undefined,
      { applied: false, plan, services: [health(), health({ name: 's_b' })] },
      t0,
    );
    expect(s).toMatchObject({ lastPlanSummary: plan, serviceCount: 2 });
    expect(s.services?.map((h) => h.name)).toEqual(['s_a', 's_b']);
  });

  it('the desired hash and revision are recorded only when applied', () => {
    const computed = nextStatus(undefined, { applied: false, desiredHash: 'h', revision: 'r1' }, t0);
    expect(computed).not.toHaveProperty('desiredHash');
    expect(computed).not.toHaveProperty('lastAppliedRevision');
    expect(computed).not.toHaveProperty('lastAppliedAt');
    const applied = nextStatus(computed, { applied: true, desiredHash: 'h', revision: 'r1' }, t0);
    expect(applied).toMatchObject({
      desiredHash: 'h',
      lastAppliedRevision: 'r1',
      lastAppliedAt: t0.toISOString(),
    });
    const next = nextStatus(applied, { applied: true, revision: 'r2' }, t1);
    expect(next).toMatchObject({
      desiredHash: 'h',
      lastAppliedRevision: 'r2',
      lastAppliedAt: t1.toISOString(),
    });
  });

  it.each([
    ['a new desired state without warnings', { applied: false, plan }, undefined],
    ['an applied one with an empty list', { applied: true, warnings: [] }, undefined],
    ['an error before the desired state', { applied: false }, ['w']],
  ])('warnings after %s', (_n, o, want) => {
    const prev = nextStatus(undefined, { applied: true, warnings: ['w'] }, t0);
    expect(nextStatus(prev, o, t1).warnings).toEqual(want);
  });
});

describe('isConverged', () => {
  it.each([
    [{}, true],
    [{ runningReplicas: 3 }, true],
    [{ runningReplicas: 1 }, false],
    [{ updateState: 'updating' }, false],
    [{ updateState: 'rollback_started' }, false],
    [{ updateState: 'completed' }, true],
    [{ updateState: 'rollback_completed' }, true],
    [{ desiredReplicas: 0, runningReplicas: 0 }, true],
    // a job converges by completing, not by running
    [{ mode: 'job', desiredReplicas: 1, runningReplicas: 0, completedReplicas: 1 }, true],
    [{ mode: 'job', desiredReplicas: 2, runningReplicas: 2, completedReplicas: 1 }, false],
    [{ mode: 'job', desiredReplicas: 1, runningReplicas: 1 }, false],
  ])('%j: %s', (over, want) => {
    expect(isConverged(health(over as Partial<ServiceHealth>))).toBe(want);
  });

  it.each<[Partial<ServiceHealth>, string]>([
    [{}, '2/2'],
    [{ runningReplicas: 1 }, '1/2'],
    [{ mode: 'job', desiredReplicas: 3, runningReplicas: 1, completedReplicas: 2 }, '2/3 completed'],
    [{ mode: 'job', desiredReplicas: 1, runningReplicas: 1 }, '0/1 completed'],
  ])('replicasText %j is %s', (over, want) => expect(replicasText(health(over))).toBe(want));
});
