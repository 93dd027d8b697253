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

describe('plan: a mode switch in detail', () => {
  const obs = deployed(state(withMode({ Replicated: { Replicas: 2 } })));
  const global = state(withMode({ Global: {} }));

  it('the blocked change lists the changes and the service itself', () => {
    const b = plan(global, obs, opts()).blocked[0];
    expect(b).toMatchObject({ kind: 'service', name: 'app_web', affectedServices: ['app_web'] });
    expect(b?.changes?.map((c) => c.path)).toContain('Mode.Global');
  });

  it('the recreate carries the observed id, the changes, and the desired spec without ignored fields', () => {
    const ignore = ['TaskTemplate.ContainerSpec.Env'];
    const d = state(svc('web', { Mode: { Global: {} } }, { Env: ['A=1'] }));
    const p = plan(d, obs, opts({ recreatePolicy: 'Always', ignore }));
    const r = p.actions[0];
    expect(r).toMatchObject({
      op: 'recreate',
      kind: 'service',
      id: obs.objects[0]?.id,
      affectedServices: ['app_web'],
    });
    expect(r?.op === 'recreate' && r.changes.map((c) => c.path)).toContain('Mode.Global');
    const spec = r?.op === 'recreate' && r.desired.kind === 'service' ? r.desired.spec : undefined;
    expect(spec?.Mode).toEqual({ Global: {} });
    expect(spec?.TaskTemplate.ContainerSpec).not.toHaveProperty('Env');
    expect(spec?.Labels?.['swarmkeeper.io/owner']).toBe('SwarmStack/ns/app');
  });
});
