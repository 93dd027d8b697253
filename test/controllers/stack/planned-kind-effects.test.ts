import { describe, expect, it } from 'vitest';
import type { ObservedObject, ObservedState } from '../../../reconciler/model/objects.js';
import { kindWorld } from './planned-kind-support.js';
import { converged, stackRes, starting, svc } from './reconcile-world.js';

// What the loop does besides writing the status: requeue while a rollout progresses, whether the
// Swarm may have been written (resync snapshots go stale), ownership conflicts, Events, metrics.

const web = (more: Parameters<typeof stackRes>[1] = {}) => stackRes({ web: svc('web:1') }, more);
const hooked = (phase: string) =>
  stackRes({ web: svc('web:1'), job: { image: 'migrate:1', 'x-swarmkeeper': { hook: phase } } });
const editWeb =
  (f: (spec: Record<string, unknown>) => Record<string, unknown>) =>
  (s: ObservedState): ObservedState => ({
    objects: s.objects.map((o) =>
      o.kind === 'service' && o.name === 'app_web'
        ? ({ ...o, spec: f(o.spec as unknown as Record<string, unknown>) } as ObservedObject)
        : o,
    ),
  });
const scaled = editWeb((spec) => ({ ...spec, Mode: { Replicated: { Replicas: 4 } } }));

describe('plannedKind: requeue while progressing', () => {
  it.each([
    ['a service starting: the default delay', [starting('app_web')], undefined, 2000],
    ['a service starting: the configured delay', [starting('app_web')], 500, 500],
    ['every service converged: none', [converged('app_web')], 500, undefined],
  ])('%s', async (_, health, progressRequeueMs, want) => {
    const k = kindWorld(progressRequeueMs === undefined ? {} : { progressRequeueMs });
    k.setHealth(health);
    const r = await k.reconcile(web());
    expect(r.error).toBeUndefined();
    expect(r.requeueAfterMs).toStrictEqual(want);
    expect('requeueAfterMs' in r).toBe(want !== undefined);
  });

  it('an error decides the retry itself, even while a service starts', async () => {
    const k = kindWorld();
    k.setHealth([starting('app_web')]);
    const r = await k.reconcile(hooked('post-deploy'));
    expect(r.error?.code).toBe('SK_ERR_HOOK_RUNNING');
    expect(r.status.conditions.find((c) => c.type === 'Ready')?.reason).toBe('HookRunning');
    expect(r).not.toHaveProperty('requeueAfterMs');
  });
});

describe('plannedKind: wroteSwarm', () => {
  it('an apply wrote; a converged run did not', async () => {
    const k = kindWorld();
    const first = await k.reconcile(web());
    expect(first.wroteSwarm).toBe(true);
    const again = await k.reconcile(web(), first.status);
    expect(again.wroteSwarm).toBe(false);
  });

  it('a pre-deploy hook still running wrote nothing; a post-deploy wait after an apply did', async () => {
    const k = kindWorld();
    const pre = await k.reconcile(hooked('pre-deploy'));
    expect(pre.wroteSwarm).toBe(true); // it created the hook job
    const running = await k.reconcile(hooked('pre-deploy'), pre.status);
    expect(running.error?.code).toBe('SK_ERR_HOOK_RUNNING');
    expect(k.applies).toHaveLength(1);
    expect(running.wroteSwarm).toBe(false);

    const k2 = kindWorld();
    const post = await k2.reconcile(hooked('post-deploy'));
    expect(post.error?.code).toBe('SK_ERR_HOOK_RUNNING');
    expect(post.wroteSwarm).toBe(true);
  });

  it('an apply that threw may have written half-way', async () => {
    const k = kindWorld();
    k.failApplyWith(() => {
      throw new Error('connection reset');
    });
    const r = await k.reconcile(web());
    expect(r.error?.message).toContain('connection reset');
    expect(r.wroteSwarm).toBe(true);
  });

  it('an invalid resource planned nothing: no write, no conflicts', async () => {
    const k = kindWorld();
    const r = await k.reconcile(stackRes({ web: { deploy: { replicas: 1 } } }));
    expect(r.error?.policy).toBe('terminal');
    expect(r.wroteSwarm).toBe(false);
    expect(r).not.toHaveProperty('conflicts');
    expect(r.desiredNames).toStrictEqual([]);
  });
});

describe('plannedKind: conflicts, events and metrics', () => {
  it('objects another owner holds are conflicts, named `<kind> <name>`', async () => {
    const k = kindWorld();
    const first = await k.reconcile(web());
    expect(first.conflicts).toStrictEqual([]);
    k.edit((s) => ({
      objects: s.objects.map((o) => ({
        ...o,
        labels: Object.fromEntries(
          Object.entries(o.labels ?? {}).filter(([key]) => !key.startsWith('swarmkeeper.io/')),
        ),
      })),
    }));
    const r = await k.reconcile(web(), first.status);
    expect(r.conflicts?.length).toBeGreaterThan(0);
    for (const c of r.conflicts ?? []) {
      expect(c.object).toMatch(/^(service app_web|network app_default)$/);
      expect(c.message).toContain(c.object.split(' ')[1]);
    }
  });

  it('a recreate that is blocked is no ownership conflict', async () => {
    const k = kindWorld();
    const first = await k.reconcile(web());
    k.edit(editWeb((spec) => ({ ...spec, Mode: { Global: {} } })));
    const r = await k.reconcile(web(), first.status);
    expect(r.status.conditions.find((c) => c.type === 'Ready')?.reason).toBe('RecreateBlocked');
    expect(r.conflicts).toStrictEqual([]);
  });

  it('an apply: its Event, the revision applied, no drift', async () => {
    const k = kindWorld();
    const r = await k.reconcile(web({ origin: { file: 'app.yaml', revision: 'rev-1' } }));
    expect(r.events).toStrictEqual([
      {
        key: 'SwarmStack/default/app',
        type: 'Normal',
        reason: 'Applied',
        action: 'Reconcile',
        note: '2 created: create network app_default, create service app_web',
      },
    ]);
    expect(r.applied).toStrictEqual({ revision: 'rev-1', driftDetected: false, driftCorrected: false });
    expect(r.desiredNames).toStrictEqual(['app_default', 'app_web']);
  });

  it('a converged run with no new warning: no Event', async () => {
    const k = kindWorld();
    const first = await k.reconcile(web());
    const r = await k.reconcile(web(), first.status);
    expect(r.events).toStrictEqual([]);
  });

  it('new load warnings are an Event beside the outcome', async () => {
    const k = kindWorld();
    const r = await k.reconcile(stackRes({ web: svc('web:1', { build: '.' }) }));
    expect(r.events?.map((e) => e.reason)).toStrictEqual(['Applied', 'IgnoredComposeOptions']);
  });

  it('drift corrected and drift detected are counted apart', async () => {
    const k = kindWorld();
    const first = await k.reconcile(web());
    k.edit(scaled);
    const corrected = await k.reconcile(web(), first.status);
    expect(corrected.applied).toStrictEqual({
      revision: undefined,
      driftDetected: false,
      driftCorrected: true,
    });
    expect(corrected.events?.map((e) => e.reason)).toStrictEqual(['DriftCorrected']);

    const d = kindWorld();
    const detect = stackRes({ web: svc('web:1') }, { specExtra: { driftPolicy: 'detect' } });
    const base = await d.reconcile(detect);
    d.edit(scaled);
    const detected = await d.reconcile(detect, base.status);
    expect(detected.applied).toStrictEqual({
      revision: undefined,
      driftDetected: true,
      driftCorrected: false,
    });
    // detected, not corrected: nothing was written, the pass's snapshot still holds
    expect(d.applies).toHaveLength(1);
    expect(detected.wroteSwarm).toBe(false);
  });
});
