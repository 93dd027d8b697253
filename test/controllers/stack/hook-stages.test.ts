import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { SwarmPort } from '../../../controllers/ports.js';
import { reconcileResource } from '../../../controllers/stack/reconcile-resource.js';
import { LABEL_HOOK_REVISION } from '../../../reconciler/compose/hooks.js';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type { HookRun } from '../../../reconciler/plan/hooks.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import type { ResourceStatus } from '../../../reconciler/status/resource-status.js';

// The Swarm is the planner's simulator; a hook job's runs are set by the test, per revision (what
// Docker's tasks would show). A new run (a recreate of the job) starts as running.

const stack = (app: string, hooks: Record<string, string>): DesiredResource => ({
  key: 'SwarmStack/default/app',
  kind: 'SwarmStack',
  namespace: 'default',
  name: 'app',
  spec: {
    compose: {
      services: {
        web: { image: app, deploy: { replicas: 0 } },
        ...Object.fromEntries(
          Object.entries(hooks).map(([k, hook]) => [k, { image: 'migrate:1', 'x-swarmkeeper': { hook } }]),
        ),
      },
    },
  },
  origin: { file: 'app.yaml' },
  baseDir: '.',
});

function world() {
  const sim = new SwarmSimulator();
  /** Runs by `service@revision`; absent: running (just created). */
  const runs = new Map<string, Omit<HookRun, 'revision'>>();
  const applied: string[][] = [];
  /** The service ids of each hookRuns call (two list calls on Docker). */
  const asked: string[][] = [];
  const spec = (name: string) =>
    sim.observed().objects.find((o) => o.kind === 'service' && o.name === name)?.spec as
      ServiceSpec | undefined;
  const revisionOf = (name: string) => spec(name)?.Labels?.[LABEL_HOOK_REVISION] ?? '';
  const swarm: SwarmPort = {
    health: async () => new Map(),
    observe: async () => sim.observed(),
    apply: async (plan) => {
      applied.push(plan.actions.map((a) => `${a.op} ${a.kind} ${a.name}`));
      for (const a of plan.actions)
        if (a.op === 'recreate' && a.kind === 'service') runs.delete(`${a.name}@${revisionOf(a.name)}`);
      sim.apply(plan);
      return plan.actions.map((action) => ({ action, ok: true }));
    },
    hookRuns: async (ids) => {
      asked.push([...ids]);
      const out = new Map<string, HookRun>();
      for (const o of sim.observed().objects)
        if (o.kind === 'service' && ids.includes(o.id)) {
          const revision = revisionOf(o.name);
          out.set(o.name, { revision, ...(runs.get(`${o.name}@${revision}`) ?? { state: 'running' }) });
        }
      return out;
    },
  };
  const deps = {
    swarm,
    instanceId: 'i1',
    secretHashKey: new TextEncoder().encode('hook-stages-test-key'),
    root: '.',
    logger: pino({ level: 'silent' }),
  };
  let prev: ResourceStatus | undefined;
  const reconcile = async (res: DesiredResource, o: { restart?: boolean; mode?: 'plan' | 'apply' } = {}) => {
    // a restarted controller has no status and a new Swarm adapter (no completed runs remembered)
    if (o.restart) deps.swarm = { ...deps.swarm };
    const r = await reconcileResource(res, { mode: o.mode ?? 'apply' }, deps, o.restart ? undefined : prev);
    if (o.mode !== 'plan') prev = r.status;
    return r;
  };
  const ready = () => prev?.conditions.find((c) => c.type === 'Ready');
  const image = (name: string) => spec(name)?.TaskTemplate.ContainerSpec.Image;
  const complete = (name: string) => runs.set(`${name}@${revisionOf(name)}`, { state: 'complete' });
  const fail = (name: string, exitCode: number) =>
    runs.set(`${name}@${revisionOf(name)}`, {
      state: 'failed',
      exitCode,
      message: `task: non-zero exit (${exitCode})`,
      logs: ['applying 0042_orders', 'ERROR: relation "orders" already exists'],
    });
  const idOf = (name: string) => sim.observed().objects.find((o) => o.name === name)?.id;
  return { sim, applied, asked, reconcile, ready, image, complete, fail, revisionOf, idOf };
}

describe('pre-deploy hooks in a stack reconcile', () => {
  it('runs the hook first, the rest of the stack only once it completed, once per revision', async () => {
    const w = world();
    const v1 = stack('app:1', { migrate: 'pre-deploy' });
    let r = await w.reconcile(v1);
    expect(r.error?.code).toBe('SK_ERR_HOOK_RUNNING');
    expect(w.applied).toEqual([['create network app_default', 'create service app_migrate']]);
    expect(w.image('app_web')).toBeUndefined();
    expect(w.ready()).toMatchObject({ status: 'False', reason: 'HookRunning' });
    expect(r.status.hooks).toEqual([
      {
        phase: 'pre-deploy',
        service: 'app_migrate',
        revision: w.revisionOf('app_migrate'),
        state: 'pending',
      },
    ]);

    r = await w.reconcile(v1); // still running: nothing is written
    expect(r.error?.code).toBe('SK_ERR_HOOK_RUNNING');
    expect(w.applied).toHaveLength(1);

    w.complete('app_migrate');
    r = await w.reconcile(v1);
    expect(r.error).toBeUndefined();
    expect(w.applied[1]).toEqual(['create service app_web']);
    expect(w.ready()).toMatchObject({ status: 'True' });
    expect(r.status.hooks?.[0]?.state).toBe('done');

    // resync and a controller restart (no status): a completed hook is not run again, and no drift
    for (const restart of [false, true]) {
      r = await w.reconcile(v1, { restart });
      expect(r.plan?.actions).toEqual([]);
      expect(r.drift).toBe(false);
    }
    expect(w.applied).toHaveLength(2);

    // a new revision: only the hook moves until it completed again
    const v2 = stack('app:2', { migrate: 'pre-deploy' });
    const rev1 = w.revisionOf('app_migrate');
    r = await w.reconcile(v2);
    expect(r.error?.code).toBe('SK_ERR_HOOK_RUNNING');
    expect(w.applied[2]).toEqual(['update service app_migrate']);
    expect(w.revisionOf('app_migrate')).not.toBe(rev1);
    expect(w.image('app_web')).toBe('app:1');
    w.complete('app_migrate');
    await w.reconcile(v2);
    expect(w.image('app_web')).toBe('app:2');
  });

  it('a failed hook stops the rollout with its exit code and log lines, then runs again', async () => {
    const w = world();
    const v1 = stack('app:1', { migrate: 'pre-deploy' });
    await w.reconcile(v1);
    w.complete('app_migrate');
    await w.reconcile(v1);
    const v2 = stack('app:2', { migrate: 'pre-deploy' });
    await w.reconcile(v2);
    w.fail('app_migrate', 3);
    const writes = w.applied.length;

    let r = await w.reconcile(v2);
    expect(r.error?.code).toBe('SK_ERR_HOOK_FAILED');
    expect(r.error?.policy).toBe('transient');
    expect(w.ready()).toMatchObject({ status: 'False', reason: 'HookFailed' });
    expect(w.ready()?.message).toContain('failed with exit code 3');
    expect(w.ready()?.message).toContain('ERROR: relation "orders" already exists');
    expect(r.status.hooks?.[0]).toMatchObject({ state: 'failed', exitCode: 3 });
    expect(w.applied).toHaveLength(writes); // nothing written: the old version keeps running
    expect(w.image('app_web')).toBe('app:1');

    // the retry (after backoff) runs the hook again, for the same revision
    r = await w.reconcile(v2);
    expect(r.error?.code).toBe('SK_ERR_HOOK_RUNNING');
    // waiting for the new run is no success: the work queue keeps counting failures
    expect(r.error?.keepsBackoff).toBe(true);
    expect(w.applied.at(-1)).toEqual(['recreate service app_migrate']);
    expect(w.image('app_web')).toBe('app:1');

    w.complete('app_migrate');
    r = await w.reconcile(v2);
    expect(r.error).toBeUndefined();
    expect(w.image('app_web')).toBe('app:2');
  });

  it('a hook removed from the stack is pruned like any service', async () => {
    const w = world();
    const v1 = stack('app:1', { migrate: 'pre-deploy' });
    await w.reconcile(v1);
    w.complete('app_migrate');
    await w.reconcile(v1);
    const r = await w.reconcile(stack('app:1', {}));
    expect(r.error).toBeUndefined();
    expect(w.applied.at(-1)).toContain('remove service app_migrate');
    expect(r.status.hooks).toBeUndefined();
  });

  it('a restart while the hook runs neither skips nor reruns it', async () => {
    const w = world();
    const v1 = stack('app:1', { migrate: 'pre-deploy' });
    await w.reconcile(v1);
    const r = await w.reconcile(v1, { restart: true });
    expect(r.error?.code).toBe('SK_ERR_HOOK_RUNNING');
    expect(w.applied).toHaveLength(1);
    expect(w.image('app_web')).toBeUndefined();
  });

  it('plan shows the hook step and writes nothing', async () => {
    const w = world();
    const r = await w.reconcile(stack('app:1', { migrate: 'pre-deploy' }), { mode: 'plan' });
    expect(r.plan?.hooks?.map((h) => `${h.phase} ${h.service} ${h.state}`)).toEqual([
      'pre-deploy app_migrate pending',
    ]);
    expect(w.applied).toEqual([]);
  });
});

describe('post-deploy hooks in a stack reconcile', () => {
  it('run after the stack converged, once per revision', async () => {
    const w = world();
    const v1 = stack('app:1', { notify: 'post-deploy' });
    let r = await w.reconcile(v1);
    // the stack first; the hook waits for a reconcile that sees it converged without writing
    expect(w.applied).toEqual([['create network app_default', 'create service app_web']]);
    expect(r.error?.code).toBe('SK_ERR_HOOK_RUNNING');
    expect(r.error?.message).toContain(
      'waiting for the rollout to converge before the post-deploy hook app_notify',
    );
    r = await w.reconcile(v1);
    expect(w.applied[1]).toEqual(['create service app_notify']);
    expect(r.error?.code).toBe('SK_ERR_HOOK_RUNNING');
    w.complete('app_notify');
    r = await w.reconcile(v1);
    expect(r.error).toBeUndefined();
    expect(w.ready()).toMatchObject({ status: 'True' });
    r = await w.reconcile(v1, { restart: true });
    expect(r.plan?.actions).toEqual([]);
    expect(w.applied).toHaveLength(2);
    // a new revision: the app rolls first, then the hook runs again
    const v2 = stack('app:2', { notify: 'post-deploy' });
    await w.reconcile(v2);
    expect(w.applied[2]).toEqual(['update service app_web']);
    await w.reconcile(v2);
    expect(w.applied[3]).toEqual(['update service app_notify']);
  });
});

describe('what hooks cost per reconcile', () => {
  it('a hook completed for the revision is not listed again: resyncs ask Docker nothing more', async () => {
    const w = world();
    const v1 = stack('app:1', { migrate: 'pre-deploy', notify: 'post-deploy' });
    await w.reconcile(v1); // creates the pre-deploy hook: nothing to ask yet
    expect(w.asked).toEqual([]);
    await w.reconcile(v1); // running
    expect(w.asked).toEqual([[w.idOf('app_migrate')]]);
    w.complete('app_migrate');
    await w.reconcile(v1); // complete: the app is created
    await w.reconcile(v1); // converged: the post-deploy hook is created
    w.complete('app_notify');
    await w.reconcile(v1); // asks for the post-deploy hook only
    expect(w.asked.at(-1)).toEqual([w.idOf('app_notify')]);
    expect(w.ready()).toMatchObject({ status: 'True' });
    const before = w.asked.length;
    for (let i = 0; i < 3; i++) {
      const r = await w.reconcile(v1);
      expect(r.status.hooks?.map((h) => h.state)).toEqual(['done', 'done']);
      expect(r.plan?.actions).toEqual([]);
    }
    expect(w.asked).toHaveLength(before);
    await w.reconcile(v1, { restart: true }); // a restarted controller reads Docker once
    expect(w.asked.slice(before)).toEqual([[w.idOf('app_migrate'), w.idOf('app_notify')]]);
    await w.reconcile(v1);
    expect(w.asked).toHaveLength(before + 1);

    // a new revision updates the hook (a new version): asked again, and it runs again
    const v2 = stack('app:2', { migrate: 'pre-deploy', notify: 'post-deploy' });
    let r = await w.reconcile(v2);
    expect(w.applied.at(-1)).toEqual(['update service app_migrate']);
    r = await w.reconcile(v2);
    expect(w.asked.at(-1)).toEqual([w.idOf('app_migrate')]);
    expect(r.status.hooks?.map((h) => h.state)).toEqual(['running', 'pending']);
    expect(w.image('app_web')).toBe('app:1');
  });

  it('a failed run is asked again on each reconcile (it is not final: it runs again)', async () => {
    const w = world();
    const v1 = stack('app:1', { migrate: 'pre-deploy' });
    await w.reconcile(v1);
    w.fail('app_migrate', 3);
    await w.reconcile(v1);
    await w.reconcile(v1);
    expect(w.asked).toHaveLength(2);
    expect(w.ready()).toMatchObject({ status: 'False' });
  });
});
