import { describe, expect, it } from 'vitest';
import { reconcileResource } from '../../../controllers/stack/reconcile-resource.js';
import type { ObservedObject, ObservedState } from '../../../reconciler/model/objects.js';
import { getCondition } from '../../../reconciler/status/conditions.js';
import type { ResourceStatus } from '../../../reconciler/status/resource-status.js';
import { stackRes, svc, world } from './reconcile-world.js';

// Drift is a non-empty plan against the desired state last applied (the same desiredHash):
// `driftPolicy: detect` reports it as `<kind> <name>: <path>` entries and writes nothing;
// `correct` (the default) puts it back.

type Spec = Record<string, unknown> & { Mode?: unknown };
const editService =
  (name: string, f: (spec: Spec) => Spec) =>
  (s: ObservedState): ObservedState => ({
    objects: s.objects.map((o) =>
      o.kind === 'service' && o.name === name ? ({ ...o, spec: f(o.spec as Spec) } as ObservedObject) : o,
    ),
  });
const scaled = editService('app_web', (spec) => ({ ...spec, Mode: { Replicated: { Replicas: 3 } } }));
const withoutWeb = (s: ObservedState): ObservedState => ({
  objects: s.objects.filter((o) => !(o.kind === 'service' && o.name === 'app_web')),
});
const withExtra = (s: ObservedState): ObservedState => {
  const web = s.objects.find((o) => o.kind === 'service' && o.name === 'app_web')!;
  return { objects: [...s.objects, { ...web, id: 'extra-id', name: 'app_extra' } as ObservedObject] };
};

async function applied(specExtra: Record<string, unknown> = {}) {
  const w = world();
  const res = stackRes({ web: svc('web:1') }, { specExtra });
  const first = await reconcileResource(res, { mode: 'apply' }, w.deps);
  expect(first.error).toBeUndefined();
  w.applies.length = 0;
  w.lines.length = 0;
  return { w, res, prev: first.status };
}

describe('reconcileResource: driftPolicy detect', () => {
  it('reports a changed field as `<kind> <name>: <path>` and writes nothing', async () => {
    const { w, res, prev } = await applied({ driftPolicy: 'detect' });
    w.edit(scaled);
    const r = await reconcileResource(res, { mode: 'apply' }, w.deps, prev);
    expect(w.applies).toStrictEqual([]);
    expect(r.drift).toBe(true);
    expect(r.results).toBeUndefined();
    expect(r.outcome.applied).toBe(false);
    expect(r.outcome.drift).toStrictEqual([
      { path: 'service app_web: Mode.Replicated.Replicas', from: 3, to: 1 },
    ]);
    expect(getCondition(r.status.conditions, 'Drifted')).toMatchObject({
      status: 'True',
      reason: 'DriftDetected',
      message: 'out-of-band changes: service app_web: Mode.Replicated.Replicas',
    });
    expect(r.plan?.actions.map((a) => `${a.op} ${a.kind} ${a.name}`)).toStrictEqual([
      'update service app_web',
    ]);
    const line = w.lines.find((l) => l.msg === 'drift detected (driftPolicy detect: not corrected)');
    expect(line).toMatchObject({ level: 30, drift: ['service app_web: Mode.Replicated.Replicas'] });
    expect(w.lines.map((l) => l.msg)).not.toContain('applied');
  });

  it('a missing object is `missing`, an owned object not desired `unexpected`', async () => {
    const { w, res, prev } = await applied({ driftPolicy: 'detect' });
    w.edit((s) => withExtra(withoutWeb(withExtra(s))));
    const r = await reconcileResource(res, { mode: 'apply' }, w.deps, prev);
    expect(w.applies).toStrictEqual([]);
    expect(r.outcome.drift).toStrictEqual([
      { path: 'service app_web: missing' },
      { path: 'service app_extra: unexpected' },
    ]);
    expect(getCondition(r.status.conditions, 'Drifted')?.message).toBe(
      'out-of-band changes: service app_web: missing, service app_extra: unexpected',
    );
  });

  it('a recreate names its changed fields', async () => {
    const { w, res, prev } = await applied({ driftPolicy: 'detect', recreatePolicy: 'Always' });
    w.edit(editService('app_web', (spec) => ({ ...spec, Mode: { Global: {} } })));
    const r = await reconcileResource(res, { mode: 'apply' }, w.deps, prev);
    expect(r.plan?.actions.map((a) => a.op)).toStrictEqual(['recreate']);
    expect(w.applies).toStrictEqual([]);
    expect(r.outcome.drift?.map((c) => c.path)).toStrictEqual(['service app_web: Mode.Replicated']);
  });

  it('a changed desired state is applied, not reported as drift', async () => {
    const { w, prev } = await applied({ driftPolicy: 'detect' });
    const res = stackRes({ web: svc('web:2') }, { specExtra: { driftPolicy: 'detect' } });
    const r = await reconcileResource(res, { mode: 'apply' }, w.deps, prev);
    expect(r.drift).toBe(false);
    expect(r.outcome.drift).toBeUndefined();
    expect(r.outcome.applied).toBe(true);
    expect(w.applies.map((a) => a.actions)).toStrictEqual([['update service app_web']]);
    expect(getCondition(r.status.conditions, 'Drifted')).toMatchObject({ status: 'False', reason: 'InSync' });
  });

  it('no change is no drift: nothing written, nothing reported', async () => {
    const { w, res, prev } = await applied({ driftPolicy: 'detect' });
    const r = await reconcileResource(res, { mode: 'apply' }, w.deps, prev);
    expect(r.drift).toBe(false);
    expect(r.outcome).not.toHaveProperty('drift');
    expect(r.outcome.applied).toBe(true);
    expect(w.applies).toStrictEqual([]);
  });
});

describe('reconcileResource: driftPolicy correct (the default)', () => {
  it('puts the change back and says it was drift, without a Drifted condition', async () => {
    const { w, res, prev } = await applied();
    w.edit(scaled);
    const r = await reconcileResource(res, { mode: 'apply' }, w.deps, prev);
    expect(r.drift).toBe(true);
    expect(r.outcome).not.toHaveProperty('drift');
    expect(r.outcome.applied).toBe(true);
    expect(w.applies.map((a) => a.actions)).toStrictEqual([['update service app_web']]);
    expect(getCondition(r.status.conditions, 'Drifted')?.status).toBe('False');
    expect(w.lines.find((l) => l.msg === 'applied')).toMatchObject({
      level: 30,
      summary: { create: 0, update: 1, remove: 0, recreate: 0, blocked: 0 },
    });
  });

  it('a plan-mode reconcile computes the same drift and applies nothing', async () => {
    const { w, res, prev } = await applied();
    w.edit(scaled);
    const r = await reconcileResource(res, { mode: 'plan' }, w.deps, prev);
    expect(r.drift).toBe(true);
    expect(r.outcome.applied).toBe(false);
    expect(w.applies).toStrictEqual([]);
    const s: ResourceStatus = r.status;
    expect(s.desiredHash).toBe(prev.desiredHash);
  });
});
