import { describe, expect, it } from 'vitest';
import { skError } from '../../../reconciler/errors.js';
import { getCondition, sameConditions, setCondition } from '../../../reconciler/status/conditions.js';
import {
  type ReconcileOutcome,
  type ServiceHealth,
  nextStatus,
} from '../../../reconciler/status/resource-status.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const svc = (over: Partial<ServiceHealth> = {}): ServiceHealth => ({
  name: 's_a',
  image: 'img',
  mode: 'replicated',
  desiredReplicas: 2,
  runningReplicas: 2,
  ...over,
});

describe('nextStatus', () => {
  it.each<
    [string, ReconcileOutcome, { ready: string; reason: string; reconciling: string; stalled: string }]
  >([
    [
      'converged',
      { applied: true, services: [svc()] },
      { ready: 'True', reason: 'ReconciliationSucceeded', reconciling: 'False', stalled: 'False' },
    ],
    [
      'terminal error stalls',
      { applied: false, error: skError('COMPOSE_INVALID', 'f: bad') },
      { ready: 'False', reason: 'InvalidCompose', reconciling: 'False', stalled: 'True' },
    ],
    [
      'transient error keeps reconciling',
      { applied: false, error: skError('DOCKER_API', 'down') },
      { ready: 'False', reason: 'DockerAPIError', reconciling: 'True', stalled: 'False' },
    ],
    [
      'waiting on a dependency',
      { applied: false, error: skError('DEPENDENCY_NOT_READY', 'waiting for SwarmNetwork/default/n') },
      { ready: 'False', reason: 'DependencyNotReady', reconciling: 'True', stalled: 'False' },
    ],
    [
      'rolled back update',
      {
        applied: true,
        services: [svc({ updateState: 'rollback_completed', updateMessage: 'rollback completed' })],
      },
      { ready: 'False', reason: 'RolledBack', reconciling: 'False', stalled: 'False' },
    ],
    [
      'paused update',
      { applied: true, services: [svc({ updateState: 'paused' })] },
      { ready: 'False', reason: 'RolloutPaused', reconciling: 'False', stalled: 'False' },
    ],
    [
      'still progressing',
      { applied: true, services: [svc({ runningReplicas: 1 })], progressing: ['s_a'] },
      { ready: 'False', reason: 'Progressing', reconciling: 'True', stalled: 'False' },
    ],
    [
      'blocked recreate',
      {
        applied: true,
        blocked: [
          {
            kind: 'network',
            name: 'n',
            code: 'SK_ERR_RECREATE_BLOCKED',
            message: 'network n needs recreation',
          },
        ],
      },
      { ready: 'False', reason: 'RecreateBlocked', reconciling: 'False', stalled: 'True' },
    ],
  ])('%s', (_n, outcome, want) => {
    const s = nextStatus(undefined, { generation: 3, ...outcome }, t0);
    expect(getCondition(s.conditions, 'Ready')).toMatchObject({
      status: want.ready,
      reason: want.reason,
      observedGeneration: 3,
    });
    expect(getCondition(s.conditions, 'Reconciling')?.status).toBe(want.reconciling);
    expect(getCondition(s.conditions, 'Stalled')?.status).toBe(want.stalled);
  });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const a = nextStatus(undefined, { applied: true, services: [svc()] }, t0);
    const b = nextStatus(a, { applied: true, services: [svc()] }, t1);
    expect(getCondition(b.conditions, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(sameConditions(a.conditions, b.conditions)).toBe(true);
    const c = nextStatus(b, { applied: false, error: skError('DOCKER_API', 'x') }, t1);
    expect(getCondition(c.conditions, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
    expect(sameConditions(b.conditions, c.conditions)).toBe(false);
  });

  it('reports drift in detect mode', () => {
    const s = nextStatus(
      undefined,
      { applied: false, drift: [{ path: 'Mode.Replicated.Replicas', from: 5, to: 2 }] },
      t0,
    );
    expect(getCondition(s.conditions, 'Drifted')).toMatchObject({
      status: 'True',
      message: 'out-of-band changes: Mode.Replicated.Replicas',
    });
  });

  it('records the applied revision and when it changed', () => {
    const a = nextStatus(undefined, { applied: true, revision: 'abc', services: [] }, t0);
    const b = nextStatus(a, { applied: true, revision: 'abc', services: [] }, t1);
    expect(b).toMatchObject({ lastAppliedRevision: 'abc', lastAppliedAt: t0.toISOString() });
  });

  it('setCondition sorts by type', () => {
    const cs = setCondition(
      setCondition([], { type: 'Ready', status: 'True', reason: 'R', message: '' }, t0),
      { type: 'Drifted', status: 'False', reason: 'R', message: '' },
      t0,
    );
    expect(cs.map((c) => c.type)).toEqual(['Drifted', 'Ready']);
  });
});
