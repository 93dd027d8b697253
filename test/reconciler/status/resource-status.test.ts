import { describe, expect, it } from 'vitest';
import { skError } from '../../../reconciler/errors.js';
import { getCondition, sameConditions, setCondition } from '../../../reconciler/status/conditions.js';
import {
  type ReconcileOutcome,
  type ServiceHealth,
  nextStatus,
  startedStatus,
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

  it('keeps the desired state warnings, drops them when a new desired state has none', () => {
    const w = ['stack.yml: Ignoring unsupported options: build'];
    const a = nextStatus(undefined, { applied: true, warnings: w }, t0);
    expect(a.warnings).toEqual(w);
    // an error before the desired state was built tells nothing new: the last warnings stay
    const b = nextStatus(a, { applied: false, error: skError('DOCKER_API', 'x') }, t1);
    expect(b.warnings).toEqual(w);
    const c = nextStatus(b, { applied: true }, t1);
    expect(c.warnings).toBeUndefined();
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

describe('startedStatus', () => {
  it('a new generation: Reconciling=True and Ready=Unknown for it; observedGeneration stays until the end', () => {
    const ready = nextStatus(undefined, { applied: true, generation: 1, services: [svc()] }, t0);
    const started = startedStatus(ready, 2, t1);
    expect(started.observedGeneration).toBe(1);
    expect(getCondition(started.conditions, 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'Progressing',
      message: 'reconciling generation 2',
      observedGeneration: 2,
    });
    expect(getCondition(started.conditions, 'Ready')).toMatchObject({
      status: 'Unknown',
      observedGeneration: 2,
      lastTransitionTime: '2026-01-01T00:05:00Z',
    });
    const done = nextStatus(started, { applied: true, generation: 2, services: [svc()] }, t1);
    expect(done.observedGeneration).toBe(2);
    expect(getCondition(done.conditions, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 2 });
    expect(getCondition(done.conditions, 'Reconciling')).toMatchObject({ status: 'False' });
  });

  it('the first reconcile of a resource has no previous status', () => {
    const started = startedStatus(undefined, 1, t0);
    expect(started.observedGeneration).toBeUndefined();
    expect(started.conditions.map((c) => `${c.type}=${c.status}`).sort()).toEqual([
      'Ready=Unknown',
      'Reconciling=True',
    ]);
  });
});
