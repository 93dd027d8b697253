import { describe, expect, it, vi } from 'vitest';
import type { KindReconciler, ResourceLifecycle } from '../../../controllers/ports.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { LABEL_OWNER } from '../../../reconciler/model/ownership.js';
import { type ErrorName, skError } from '../../../reconciler/errors.js';
import { isTrue } from '../../../reconciler/status/conditions.js';
import { snapshot, stack, world } from './loop-fakes.js';

// The reconcile loop called directly (as kubebuilder tests call Reconcile) over in-memory parts:
// the planner's simulator as the Swarm, in-memory status, owner, conflict and orphan stores.

const KEY = 'SwarmStack/default/app';
const readyOf = async (w: ReturnType<typeof world>, key = KEY) =>
  isTrue((await w.statuses.get(key))?.conditions, 'Ready');

describe('reconcile loop: a planned kind', () => {
  it('success: applies the plan, writes the status once, maps its objects, says what it did', async () => {
    const w = world();
    await w.desired.apply(snapshot([stack('app')]));
    const r = await w.attempt(KEY);
    expect(r.error).toBeUndefined();
    expect(w.sim.observed().objects.map((o) => `${o.kind} ${o.name}`)).toContain('service app_web');
    expect(await readyOf(w)).toBe(true);
    expect(w.statuses.writesOf(KEY)).toBe(1);
    expect(await w.owners.lookup('app_web')).toBe(KEY);
    expect(w.events.map((e) => `${e.type} ${e.reason}`)).toEqual(['Normal Applied']);
    expect(w.epoch.bumps).toBe(1); // it wrote the Swarm: resync snapshots are stale
    // converged: a second reconcile applies nothing, records no Event and does not bump the epoch
    await w.run(KEY);
    expect(w.events).toHaveLength(1);
    expect(w.epoch.bumps).toBe(1);
    expect(w.statuses.writesOf(KEY)).toBe(2);
  });

  it.each<[ErrorName, string]>([
    ['RESOURCE_INVALID', 'terminal'],
    ['DOCKER_API', 'transient'],
    ['DEPENDENCY_NOT_READY', 'waiting'],
  ])(
    'a failed apply (%s) is thrown with its policy (%s) after the status and a Warning',
    async (name, policy) => {
      const w = world();
      await w.desired.apply(snapshot([stack('app')]));
      w.state.failWith = skError(
        name,
        'boom',
        name === 'DEPENDENCY_NOT_READY' ? { requeueAfterMs: 1234 } : undefined,
      );
      const r = await w.attempt(KEY);
      expect(r.error?.policy).toBe(policy);
      expect(w.statuses.writesOf(KEY)).toBe(1);
      expect(await readyOf(w)).toBe(false);
      expect(w.events.map((e) => `${e.type} ${e.action}`)).toEqual(['Warning Reconcile']);
      expect(w.epoch.bumps).toBe(1); // a failed apply may still have written
    },
  );

  it('a source conflict (two sources claim the key): status says so, nothing is applied', async () => {
    const w = world();
    await w.desired.apply(snapshot([stack('app')], 'a'));
    await w.desired.apply(snapshot([stack('app')], 'b'));
    const r = await w.attempt(KEY);
    expect(r.error?.code).toBe('SK_ERR_SOURCE_CONFLICT');
    expect(w.state.applied).toBe(0);
    expect(w.statuses.writesOf(KEY)).toBe(1);
    expect((await w.statuses.get(KEY))?.conditions.find((c) => c.type === 'Ready')?.reason).toBe(
      'SourceConflict',
    );
  });

  it('an ownership conflict in the plan is recorded for /readyz', async () => {
    const w = world();
    // an unowned service of the same name: docker stack deploy made it
    await w.desired.apply(snapshot([stack('app')]));
    w.sim.apply({
      owner: 'x',
      actions: [
        {
          op: 'create',
          kind: 'service',
          name: 'app_web',
          desired: { kind: 'service', name: 'app_web', labels: {}, spec: {} },
        },
      ],
      blocked: [],
    } as never);
    await w.attempt(KEY);
    expect([...w.conflicts.map.keys()]).toEqual([KEY]);
    expect(w.statuses.writesOf(KEY)).toBe(1);
  });
});

describe('reconcile loop: dependsOn', () => {
  it('waits (status says for what), wakes when the dependency becomes Ready, then reconciles', async () => {
    const w = world();
    const net = stack('net');
    const app = stack('app', {}, { dependsOn: [{ kind: 'SwarmStack', name: 'net' }] });
    await w.desired.apply(snapshot([net, app]));
    const waiting = await w.attempt(KEY);
    expect(waiting.error).toMatchObject({
      code: 'SK_ERR_DEPENDENCY_NOT_READY',
      policy: 'waiting',
      requeueAfterMs: 2000,
    });
    expect(w.statuses.writesOf(KEY)).toBe(1);
    expect(JSON.stringify(await w.statuses.get(KEY))).toContain(
      'waiting for SwarmStack/default/net to be Ready',
    );
    expect(w.state.applied).toBe(0);
    await w.run(net.key);
    expect(w.enqueued).toEqual([KEY]); // it became Ready: its dependents are woken
    expect((await w.attempt(KEY)).error).toBeUndefined();
    expect(await readyOf(w)).toBe(true);
    expect(w.statuses.writesOf(KEY)).toBe(2);
  });
});

describe('reconcile loop: removal', () => {
  function lifecycle(policy: 'Delete' | 'Orphan' | undefined) {
    const finalized: string[] = [];
    const l: ResourceLifecycle = {
      sources: ['mem'],
      beforeApply: () => Promise.resolve(),
      deletion: (res) => (res.spec['deleting'] ? policy : undefined),
      finalized: (res) => Promise.resolve(void finalized.push(res.key)),
    };
    return { l, finalized };
  }
  const owned = (w: ReturnType<typeof world>) =>
    w.sim
      .observed()
      .objects.filter((o) => o.labels[LABEL_OWNER] === KEY)
      .map((o) => o.name);

  it.each([
    ['Delete', [], 0],
    ['Orphan', ['app_default', 'app_web'], 1],
  ] as const)('finalize on delete (deletionPolicy %s)', async (policy, left, statusWrites) => {
    const { l, finalized } = lifecycle(policy);
    const w = world({ lifecycle: l });
    await w.desired.apply(snapshot([stack('app')]));
    await w.run(KEY);
    expect(owned(w)).toEqual(['app_default', 'app_web']);
    await w.desired.apply(snapshot([stack('app', {}, { deleting: true })]));
    expect((await w.attempt(KEY)).error).toBeUndefined();
    expect(finalized).toEqual([KEY]);
    expect(owned(w)).toEqual(left);
    // Delete: the status goes (one write), the owner index forgets; Orphan: nothing is written
    expect(w.statuses.writesOf(KEY)).toBe(1 + (policy === 'Delete' ? 1 : 0));
    expect(w.statuses.map.has(KEY)).toBe(statusWrites === 1);
    expect(await w.owners.lookup('app_web')).toBe(policy === 'Delete' ? undefined : KEY);
    // the key then leaves the source: an Orphan key prunes nothing
    await w.desired.apply(snapshot([]));
    await w.run(KEY);
    expect(owned(w)).toEqual(left);
  });

  it('the Pruned Event is recorded before the finalizer is released (the Event must still find its CR)', async () => {
    const recordedAtRelease: string[][] = [];
    const l: ResourceLifecycle = {
      sources: ['mem'],
      beforeApply: () => Promise.resolve(),
      deletion: (res) => (res.spec['deleting'] ? 'Delete' : undefined),
      finalized: () => Promise.resolve(void recordedAtRelease.push(w.events.map((e) => e.reason))),
    };
    const w = world({ lifecycle: l });
    await w.desired.apply(snapshot([stack('app')]));
    await w.run(KEY);
    w.events.length = 0;
    await w.desired.apply(snapshot([stack('app', {}, { deleting: true })]));
    expect((await w.attempt(KEY)).error).toBeUndefined();
    expect(recordedAtRelease).toEqual([['Pruned']]);
  });

  it('a key no source has any more is pruned: its owned objects, status and index entries go', async () => {
    const w = world();
    await w.desired.apply(snapshot([stack('app')]));
    await w.run(KEY);
    await w.desired.apply(snapshot([]));
    expect((await w.attempt(KEY)).error).toBeUndefined();
    expect(owned(w)).toEqual([]);
    expect(w.statuses.map.has(KEY)).toBe(false);
    expect(w.events.map((e) => e.reason)).toEqual(['Applied', 'Pruned']);
  });

  it('nothing is pruned while a source has not loaded', async () => {
    const w = world();
    await w.desired.apply(snapshot([stack('app')]));
    await w.run(KEY);
    await w.desired.apply(snapshot([]));
    (w.desired as unknown as { pendingSources: () => string[] }).pendingSources = () => ['git'];
    expect((await w.attempt(KEY)).error).toMatchObject({
      code: 'SK_ERR_DEPENDENCY_NOT_READY',
      requeueAfterMs: 5000,
    });
    expect(owned(w)).toEqual(['app_default', 'app_web']);
  });
});

describe('reconcile loop: a machine kind (one dispatch path)', () => {
  const kind = (result: Awaited<ReturnType<KindReconciler['reconcile']>>): KindReconciler => ({
    reconcile: () => Promise.resolve(result),
  });
  const ready = {
    conditions: [{ type: 'Ready', status: 'True', reason: 'Ok', message: '', lastTransitionTime: 't' }],
  };
  const failed = {
    conditions: [{ type: 'Ready', status: 'False', reason: 'X', message: '', lastTransitionTime: 't' }],
  };

  it.each([
    ['success', kind({ status: ready as never, requeueAfterMs: 50 }), undefined, { requeueAfterMs: 50 }, []],
    [
      'an ownership conflict',
      kind({ status: failed as never, error: skError('OWNERSHIP_CONFLICT', 'held') }),
      'terminal',
      undefined,
      [KEY],
    ],
    [
      'a transient error',
      kind({ status: failed as never, error: skError('DOCKER_API', 'down') }),
      'transient',
      undefined,
      [],
    ],
  ] as const)(
    '%s: the status is written once and its error thrown',
    async (_what, k, policy, result, conflictKeys) => {
      const w = world({ kinds: { SwarmStack: k } });
      await w.desired.apply(snapshot([stack('app')]));
      const r = await w.attempt(KEY);
      expect(r.error?.policy).toBe(policy);
      expect(r.result).toEqual(result);
      expect(w.statuses.writesOf(KEY)).toBe(1);
      expect([...w.conflicts.map.keys()]).toEqual(conflictKeys);
      expect(w.events.map((e) => e.type)).toEqual(policy ? ['Warning'] : []);
    },
  );
});

describe('reconcile loop: the kinds view of the other resources', () => {
  const notReady = { status: { conditions: [] } as never };
  const reading = (seen: string[][]): KindReconciler => ({
    reconcile: (_res, ctx) => {
      seen.push(ctx.resources('SwarmStack').map((r) => r.key));
      return Promise.resolve(notReady);
    },
  });

  it('a kind that reads ctx.resources sees every stored resource of that kind', async () => {
    const seen: string[][] = [];
    const w = world({ kinds: { SwarmStack: reading(seen) } });
    await w.desired.apply(snapshot([stack('app'), stack('db')]));
    await w.attempt(KEY);
    expect(seen).toEqual([['SwarmStack/default/app', 'SwarmStack/default/db']]);
  });

  it('without a source that lists on demand, a reconcile builds no full list unless its kind asks', async () => {
    const w = world({ kinds: { SwarmStack: { reconcile: () => Promise.resolve(notReady) } } });
    await w.desired.apply(snapshot([stack('app'), stack('db')]));
    const all = vi.spyOn(w.desired, 'allResources');
    const store = vi.spyOn(w.desired, 'resources');
    await w.attempt(KEY);
    expect(all).not.toHaveBeenCalled();
    expect(store).not.toHaveBeenCalled();
  });

  it('a source that lists on demand is asked, and what it lists is in the view', async () => {
    const seen: string[][] = [];
    const w = world({ kinds: { SwarmStack: reading(seen) } });
    await w.desired.apply(snapshot([stack('app')]));
    vi.spyOn(w.desired, 'listsOnDemand').mockReturnValue(true);
    vi.spyOn(w.desired, 'allResources').mockResolvedValue([stack('app'), stack('listed')]);
    await w.attempt(KEY);
    expect(seen).toEqual([['SwarmStack/default/app', 'SwarmStack/default/listed']]);
  });

  /** A source that lists beyond its snapshot (a KubeSource): the same array until its list changes. */
  const listing = (initial: DesiredResource[]) => {
    const src = {
      list: initial,
      calls: 0,
      name: 'listing',
      start: () => Promise.resolve(),
      sync: () => Promise.resolve(),
      stop: () => Promise.resolve(),
      resources: () => Promise.resolve(void src.calls++).then(() => src.list),
    };
    return src;
  };

  it.each([
    ['a kind that reads ctx.resources', true],
    ['a kind that does not', false],
  ])(
    'with a source that lists on demand, a pass over N keys (%s) builds the full list once, not once per key',
    async (_n, reads) => {
      const seen: string[][] = [];
      const names = Array.from({ length: 30 }, (_, i) => `s${i}`);
      const src = listing([stack('listed')]);
      const kind = reads ? reading(seen) : { reconcile: () => Promise.resolve(notReady) };
      const w = world({ kinds: { SwarmStack: kind }, sources: [src] });
      w.desired.loaded('listing');
      await w.desired.apply(snapshot(names.map((n) => stack(n))));
      const merged = vi.spyOn(w.desired.store, 'keys'); // each build of the view reads the store's keys
      for (const n of names) await w.attempt(`SwarmStack/default/${n}`);
      expect(merged.mock.calls.length).toBeLessThanOrEqual(1);
      if (reads) {
        expect(seen).toHaveLength(30);
        for (const s of seen) expect(s).toHaveLength(31);
        expect(seen[0]).toContain('SwarmStack/default/listed');
      }
    },
  );

  it('the view built once follows what changed: a new store snapshot, a new list from the source', async () => {
    const seen: string[][] = [];
    const src = listing([stack('listed')]);
    const w = world({ kinds: { SwarmStack: reading(seen) }, sources: [src] });
    w.desired.loaded('listing');
    await w.desired.apply(snapshot([stack('app')]));
    await w.attempt(KEY);
    await w.desired.apply(snapshot([stack('app'), stack('db')]));
    await w.attempt(KEY);
    src.list = [stack('listed'), stack('other')];
    await w.attempt(KEY);
    expect(seen).toEqual([
      ['SwarmStack/default/app', 'SwarmStack/default/listed'],
      ['SwarmStack/default/app', 'SwarmStack/default/db', 'SwarmStack/default/listed'],
      [
        'SwarmStack/default/app',
        'SwarmStack/default/db',
        'SwarmStack/default/listed',
        'SwarmStack/default/other',
      ],
    ]);
  });
});
