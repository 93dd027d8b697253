import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import { plan } from '../../../reconciler/plan/plan.js';
import { modeKind } from '../../../reconciler/plan/plan-services.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import { renderPlan } from '../../../reconciler/plan/render.js';
import { deployed, ops, opts, stackDeployed, state, svc } from './fixtures.js';

const withMode = (Mode: unknown) => svc('web', { Mode: Mode as ServiceSpec['Mode'] });

describe('modeKind', () => {
  it.each<[unknown, string]>([
    [undefined, 'replicated'],
    [{ Replicated: { Replicas: 3 } }, 'replicated'],
    [{ Global: {} }, 'global'],
    [{ ReplicatedJob: { MaxConcurrent: 1 } }, 'replicated-job'],
    [{ GlobalJob: {} }, 'global-job'],
  ])('%j -> %s', (mode, kind) => {
    expect(modeKind(withMode(mode).spec)).toBe(kind);
  });
});

describe('plan: switching a service between replicated and global (or job) modes', () => {
  const obs = deployed(state(withMode({ Replicated: { Replicas: 2 } })));
  const global = state(withMode({ Global: {} }));

  it('is blocked with a precise message when recreatePolicy is Never', () => {
    const p = plan(global, obs, opts());
    expect(p.actions).toEqual([]);
    expect(p.blocked).toMatchObject([
      {
        kind: 'service',
        name: 'app_web',
        code: 'SK_ERR_RECREATE_BLOCKED',
        message:
          "service app_web must be removed and created again to change its mode from replicated to global (Swarm cannot change a service's mode in place) and recreatePolicy is Never; set recreatePolicy: Always to allow it (its tasks stop and new ones start)",
      },
    ]);
  });

  it('is a recreate (remove + create) with recreatePolicy Always, and the next plan is empty', () => {
    const p = plan(global, obs, opts({ recreatePolicy: 'Always' }));
    expect(ops(p)).toEqual(['recreate service app_web']);
    expect(renderPlan(p)).toContain('-/+ recreate service app_web');
    const sim = new SwarmSimulator(obs);
    sim.apply(p);
    expect(plan(global, sim.observed(), opts({ recreatePolicy: 'Always' })).actions).toEqual([]);
  });

  it('a change of replicas within the replicated mode stays an update', () => {
    const p = plan(state(withMode({ Replicated: { Replicas: 5 } })), obs, opts());
    expect(ops(p)).toEqual(['update service app_web']);
  });

  it('adopting a docker-made service whose mode differs is a conflict, never a recreate', () => {
    const theirs = stackDeployed([withMode({ Replicated: { Replicas: 2 } })]);
    const p = plan(global, theirs, opts({ adopt: true, recreatePolicy: 'Always' }));
    expect(p.actions).toEqual([]);
    expect(p.blocked).toMatchObject([
      {
        code: 'SK_ERR_OWNERSHIP_CONFLICT',
        message: expect.stringContaining('its mode differs and adopting it would mean recreating it'),
      },
    ]);
  });
});
