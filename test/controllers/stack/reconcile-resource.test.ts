import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { SwarmView } from '../../../controllers/docker/swarm-snapshot.js';
import { reconcileResource } from '../../../controllers/stack/reconcile-resource.js';
import type { ObservedState } from '../../../reconciler/model/objects.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { ObserveQuery } from '../../../reconciler/ports.js';
import { serviceHealthByOwner } from '../../../controllers/docker/health.js';
import type { SwarmPort } from '../../../controllers/ports.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { isTrue } from '../../../reconciler/status/conditions.js';
import type { ServiceHealth } from '../../../reconciler/status/resource-status.js';
import { fakeDocker } from '../../support/fake-docker.js';

// The Swarm is the planner's in-memory simulator and Docker a fake engine: what is under test is
// which of them a reconcile reads, with and without a resync snapshot (the view).

const res: DesiredResource = {
  key: 'SwarmStack/default/app',
  kind: 'SwarmStack',
  namespace: 'default',
  name: 'app',
  spec: {
    compose: {
      services: { web: { image: 'local/busybox:1', deploy: { replicas: 0, endpoint_mode: 'dnsrr' } } },
    },
  },
  origin: { file: 'app.yaml' },
  baseDir: '.',
};
const HEALTH: ServiceHealth[] = [
  { name: 'app_web', image: 'local/busybox:1', mode: 'replicated', desiredReplicas: 0, runningReplicas: 0 },
];

function world() {
  const sim = new SwarmSimulator();
  const calls = { observe: 0, apply: 0 };
  const { docker, requests } = fakeDocker((r) =>
    r.path === '/services' ? { status: 200, json: [] } : { status: 500, json: { message: 'unexpected' } },
  );
  const swarm: SwarmPort = {
    // health is read from the (fake) Docker engine, as the Docker adapter does
    health: (q) => serviceHealthByOwner(docker, q.instanceId, q.owner),
    observe: async () => {
      calls.observe++;
      return sim.observed();
    },
    apply: async (plan) => {
      calls.apply++;
      sim.apply(plan);
      return plan.actions.map((action) => ({ action, ok: true }));
    },
  };
  const deps = {
    swarm,
    instanceId: 'i1',
    secretHashKey: new TextEncoder().encode('reconcile-resource-test-key'),
    root: '.',
    logger: pino({ level: 'silent' }),
  };
  return { sim, calls, requests, deps };
}

function viewOf(state: ObservedState | undefined): SwarmView & { queries: ObserveQuery[] } {
  const queries: ObserveQuery[] = [];
  return {
    queries,
    observe: (q) => {
      queries.push(q);
      return state && structuredClone(state);
    },
    health: () => HEALTH,
  };
}

describe('reconcileResource with a resync snapshot', () => {
  it('a converged resource reads only the snapshot: no observe, no Docker call, Ready', async () => {
    const w = world();
    await reconcileResource(res, { mode: 'apply' }, w.deps);
    const before = { ...w.calls, docker: w.requests.length };
    const view = viewOf(w.sim.observed());
    const r = await reconcileResource(res, { mode: 'apply' }, { ...w.deps, view });
    expect(r.plan?.actions).toEqual([]);
    expect({ ...w.calls, docker: w.requests.length }).toEqual(before);
    expect(view.queries).toEqual([
      expect.objectContaining({ instanceId: 'i1', owner: res.key, names: expect.any(Object) }),
    ]);
    expect(r.services).toEqual(HEALTH);
    expect(isTrue(r.status.conditions, 'Ready')).toBe(true);
  });

  it('a query the snapshot cannot answer is observed', async () => {
    const w = world();
    await reconcileResource(res, { mode: 'apply' }, { ...w.deps, view: viewOf(undefined) });
    expect(w.calls.observe).toBe(1);
  });

  it('a change the snapshot shows is applied, and health is read again from Docker afterwards', async () => {
    const w = world();
    const view = viewOf({ objects: [] }); // the service is missing in the snapshot
    const r = await reconcileResource(res, { mode: 'apply' }, { ...w.deps, view });
    expect(w.calls).toEqual({ observe: 0, apply: 1 });
    expect(r.plan?.actions.map((a) => `${a.op} ${a.kind} ${a.name}`)).toContain('create service app_web');
    expect(w.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /services']);
  });
});
