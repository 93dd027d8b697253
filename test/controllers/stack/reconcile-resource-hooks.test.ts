import { describe, expect, it } from 'vitest';
import { reconcileResource } from '../../../controllers/stack/reconcile-resource.js';
import type { ObservedObject, ObservedState } from '../../../reconciler/model/objects.js';
import type { ResourceStatus } from '../../../reconciler/status/resource-status.js';
import { converged, stackRes, starting, svc, world } from './reconcile-world.js';

// Deploy hooks as a reconcile drives them: what it waits for (the exact message), what it applies
// and with which options, what status shows of each hook.

const KEY = 'SwarmStack/default/app';
const hook = (phase: string) => ({ image: 'migrate:1', 'x-swarmkeeper': { hook: phase } });
const stack = (app: string, hooks: Record<string, string>, specExtra: Record<string, unknown> = {}) =>
  stackRes(
    {
      web: svc(app),
      ...Object.fromEntries(Object.entries(hooks).map(([k, phase]) => [k, hook(phase)])),
    },
    { specExtra },
  );
const jobPending = (name: string) => ({
  name,
  image: 'migrate:1',
  mode: 'job' as const,
  desiredReplicas: 1,
  runningReplicas: 0,
  completedReplicas: 0,
});

describe('post-deploy hooks', () => {
  it.each([
    [{ notify: 'post-deploy' }, 'post-deploy hook app_notify'],
    [{ notify: 'post-deploy', smoke: 'post-deploy' }, 'post-deploy hooks app_notify, app_smoke'],
  ])('an apply that wrote waits for the rollout before %o', async (hooks, what) => {
    const w = world();
    const r = await reconcileResource(stack('app:1', hooks), { mode: 'apply' }, w.deps);
    expect(w.applies.map((a) => a.actions)).toStrictEqual([
      ['create network app_default', 'create service app_web'],
    ]);
    expect(r.error).toMatchObject({
      code: 'SK_ERR_HOOK_RUNNING',
      policy: 'waiting',
      requeueAfterMs: 2000,
      message: `${KEY}: waiting for the rollout to converge before the ${what}`,
    });
    expect(r.results?.map((x) => x.ok)).toStrictEqual([true, true]);
    expect(w.lines.find((l) => l.msg === 'reconcile waiting')).toMatchObject({
      level: 30,
      code: 'SK_ERR_HOOK_RUNNING',
      reason: r.error?.message,
    });
    expect(w.lines.map((l) => l.msg)).not.toContain('reconcile failed');
  });

  it('run once every other service converged; a hook job itself is not progressing', async () => {
    const w = world();
    const v1 = stack('app:1', { notify: 'post-deploy' });
    const first = await reconcileResource(v1, { mode: 'apply' }, w.deps);
    w.setHealth([converged('app_web'), starting('app_db')]);
    const waiting = await reconcileResource(v1, { mode: 'apply' }, w.deps, first.status);
    expect(waiting.error).toBeUndefined();
    expect(w.applies).toHaveLength(1);
    expect(waiting.outcome.progressing).toStrictEqual(['app_db']);
    w.setHealth([converged('app_web'), jobPending('app_notify')]);
    const onProgress = () => undefined;
    const signal = new AbortController().signal;
    const r = await reconcileResource(v1, { mode: 'apply', onProgress, signal }, w.deps, waiting.status);
    expect(w.applies.at(-1)).toStrictEqual({ actions: ['create service app_notify'], onProgress, signal });
    expect(r.error).toMatchObject({ code: 'SK_ERR_HOOK_RUNNING' });
    expect(r.error?.message).toMatch(/^SwarmStack\/default\/app: waiting for a hook: /);
    expect(r.results).toStrictEqual([
      { action: expect.objectContaining({ op: 'create', name: 'app_notify' }), ok: true },
    ]);
    expect(r.outcome.progressing).toStrictEqual([]);
  });

  it('a plan-mode reconcile never runs them', async () => {
    const w = world();
    const v1 = stack('app:1', { notify: 'post-deploy' });
    await reconcileResource(v1, { mode: 'apply' }, w.deps);
    const r = await reconcileResource(v1, { mode: 'plan' }, w.deps);
    expect(r.error).toBeUndefined();
    expect(w.applies).toHaveLength(1);
    expect(r.plan?.hooks?.map((h) => `${h.phase} ${h.service} ${h.state}`)).toStrictEqual([
      'post-deploy app_notify pending',
    ]);
    expect(r.outcome.hooks).toStrictEqual([
      { phase: 'post-deploy', service: 'app_notify', revision: expect.any(String), state: 'pending' },
    ]);
  });

  it('drift detected (driftPolicy detect) runs no hook either', async () => {
    const w = world();
    const v1 = stack('app:1', { notify: 'post-deploy' }, { driftPolicy: 'detect' });
    const first = await reconcileResource(v1, { mode: 'apply' }, w.deps);
    w.edit((s): ObservedState => ({
      objects: s.objects.map((o) =>
        o.kind === 'service' && o.name === 'app_web'
          ? ({
              ...o,
              spec: { ...(o.spec as object), Mode: { Replicated: { Replicas: 5 } } },
            } as ObservedObject)
          : o,
      ),
    }));
    const prev: ResourceStatus = { ...first.status, desiredHash: first.outcome.desiredHash! };
    const r = await reconcileResource(v1, { mode: 'apply' }, w.deps, prev);
    expect(r.outcome.drift?.map((c) => c.path).sort()).toStrictEqual([
      'service app_notify: missing',
      'service app_web: Mode.Replicated.Replicas',
    ]);
    expect(r.error).toBeUndefined();
    expect(w.applies).toHaveLength(1);
  });
});

describe('pre-deploy hooks', () => {
  async function failedOnV2() {
    const w = world();
    const v1 = stack('app:1', { migrate: 'pre-deploy' });
    let r = await reconcileResource(v1, { mode: 'apply' }, w.deps);
    w.hookRun('app_migrate', { state: 'complete' });
    r = await reconcileResource(v1, { mode: 'apply' }, w.deps, r.status);
    expect(r.error).toBeUndefined();
    const v2 = stack('app:2', { migrate: 'pre-deploy' });
    r = await reconcileResource(v2, { mode: 'apply' }, w.deps, r.status);
    expect(r.status.hooks).toStrictEqual([
      { phase: 'pre-deploy', service: 'app_migrate', revision: expect.any(String), state: 'pending' },
    ]);
    w.hookRun('app_migrate', { state: 'failed', exitCode: 3, message: 'task: non-zero exit (3)' });
    w.applies.length = 0;
    return { w, v2, prev: r.status };
  }

  it('a failure not reported yet is reported, with its exit code in status', async () => {
    const { w, v2, prev } = await failedOnV2();
    const r = await reconcileResource(v2, { mode: 'apply' }, w.deps, prev);
    expect(r.error?.code).toBe('SK_ERR_HOOK_FAILED');
    expect(r.status.hooks).toStrictEqual([
      {
        phase: 'pre-deploy',
        service: 'app_migrate',
        revision: expect.any(String),
        state: 'failed',
        exitCode: 3,
      },
    ]);
    expect(w.applies).toStrictEqual([]);
    expect(r).not.toHaveProperty('results');
  });

  it('rerunFailedHooks runs it again at once, with the options of the reconcile', async () => {
    const { w, v2, prev } = await failedOnV2();
    const signal = new AbortController().signal;
    const r = await reconcileResource(v2, { mode: 'apply', rerunFailedHooks: true, signal }, w.deps, prev);
    expect(r.error?.code).toBe('SK_ERR_HOOK_RUNNING');
    expect(r.error?.message).toMatch(/^SwarmStack\/default\/app: waiting for a hook: /);
    expect(w.applies).toStrictEqual([{ actions: ['recreate service app_migrate'], signal }]);
    expect(r.results).toStrictEqual([
      { action: expect.objectContaining({ op: 'recreate', name: 'app_migrate' }), ok: true },
    ]);
  });
});
