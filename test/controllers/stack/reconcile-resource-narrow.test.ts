import { describe, expect, it } from 'vitest';
import { reconcileResource } from '../../../controllers/stack/reconcile-resource.js';
import { skError } from '../../../reconciler/errors.js';
import type { ObservedObject, ObservedState } from '../../../reconciler/model/objects.js';
import type { ResourceStatus } from '../../../reconciler/status/resource-status.js';
import { stackRes, svc, world } from './reconcile-world.js';

// An event- or source-driven reconcile (narrowObserve) observes by name once the status shows the
// same desired state applied with no error since (reconciler/desired/observe-query.ts).

const res = stackRes({ web: svc('web:1') });
const scaled = (s: ObservedState): ObservedState => ({
  objects: s.objects.map((o) =>
    o.kind === 'service'
      ? ({ ...o, spec: { ...(o.spec as object), Mode: { Replicated: { Replicas: 3 } } } } as ObservedObject)
      : o,
  ),
});

async function appliedWorld() {
  const w = world();
  const first = await reconcileResource(res, { mode: 'apply', narrowObserve: true }, w.deps);
  expect(first.error).toBeUndefined();
  return { w, prev: first.status };
}

describe('reconcileResource: which observe', () => {
  it('the first reconcile of a resource observes by label', async () => {
    const { w } = await appliedWorld();
    expect(w.observes).toHaveLength(1);
    expect(w.observes[0]!.ownedByName).toBeUndefined();
    expect(w.healthQueries).toStrictEqual([{ instanceId: 'i1', owner: 'SwarmStack/default/app' }]);
  });

  it('once applied, a drift is observed by name and put back', async () => {
    const { w, prev } = await appliedWorld();
    w.edit(scaled);
    const r = await reconcileResource(res, { mode: 'apply', narrowObserve: true }, w.deps, prev);
    expect(w.observes[1]).toMatchObject({
      owner: 'SwarmStack/default/app',
      namePrefixes: ['app_'],
      ownedByName: true,
    });
    expect(w.healthQueries[1]).toStrictEqual({
      instanceId: 'i1',
      owner: 'SwarmStack/default/app',
      namePrefixes: ['app_'],
    });
    expect(r.drift).toBe(true);
    expect(w.applies.at(-1)?.actions).toStrictEqual(['update service app_web']);
  });

  it.each<[string, (prev: ResourceStatus) => { opts: boolean; prev: ResourceStatus | undefined }]>([
    ['the CLI or a resync (no narrowObserve)', (prev) => ({ opts: false, prev })],
    ['no status', () => ({ opts: true, prev: undefined })],
    [
      'another desired state last applied',
      (prev) => ({ opts: true, prev: { ...prev, desiredHash: 'other' } }),
    ],
  ])('by label: %s', async (_n, make) => {
    const { w, prev } = await appliedWorld();
    const c = make(prev);
    await reconcileResource(res, { mode: 'apply', narrowObserve: c.opts }, w.deps, c.prev);
    expect(w.observes[1]!.ownedByName).toBeUndefined();
  });

  it('by label again after a failed reconcile, by name once one succeeded', async () => {
    const { w, prev } = await appliedWorld();
    w.edit(scaled);
    w.failApplyWith((plan) =>
      plan.actions.map((action) => ({ action, ok: false, error: skError('DOCKER_API', 'boom') })),
    );
    const failed = await reconcileResource(res, { mode: 'apply', narrowObserve: true }, w.deps, prev);
    expect(failed.error).toBeDefined();
    expect(failed.status.desiredHash).toBe(prev.desiredHash);
    w.failApplyWith(() => undefined);
    const retried = await reconcileResource(
      res,
      { mode: 'apply', narrowObserve: true },
      w.deps,
      failed.status,
    );
    expect(retried.error).toBeUndefined();
    await reconcileResource(res, { mode: 'apply', narrowObserve: true }, w.deps, retried.status);
    expect(w.observes.map((q) => q.ownedByName)).toStrictEqual([undefined, true, undefined, true]);
  });
});
