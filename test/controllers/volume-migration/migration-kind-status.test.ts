// The SwarmVolumeMigration kind reconciler's status across runs: events, generations, which fields
// of the previous status a new run keeps, when a finished run is not run again, stopped and failed
// runs (status, requeue, error), with fake actors and an in-memory snapshot store.
import { describe, expect, it } from 'vitest';
import type { KindStatus, ResourceEvent } from '../../../controllers/ports.js';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import { KEY, hang, harness, resource, cond } from './migration-kind-harness.js';

const NOW = new Date('2026-03-04T05:06:07.000Z');
const waitingActors = {
  discover: async () => [],
  ensureTarget: async () => ({ exists: false, created: false, driver: '' }),
};

async function succeededHash(): Promise<string> {
  const h = harness();
  const r = await h.reconciler.reconcile(resource(), h.ctx());
  return r.status['desiredHash'] as string;
}

describe('SwarmVolumeMigration kind: status across runs', () => {
  it('a Succeeded run records one Normal event with the Ready message; a rollback records none', async () => {
    const events: ResourceEvent[] = [];
    const h = harness({ deps: { recorder: { record: (e) => void events.push(e) } } });
    const r = await h.reconciler.reconcile(resource(), h.ctx());
    expect(events).toEqual([
      {
        key: KEY,
        type: 'Normal',
        reason: 'Succeeded',
        action: 'Migrate',
        note: cond(r.status, 'Ready')?.message,
      },
    ]);
    expect(events[0]?.note).toMatch(/data2/);
    events.length = 0;
    h.setActors({ verify: async () => Promise.reject(new Error('differs')) });
    const rolled = await h.reconciler.reconcile(resource({ deleteSource: true }), h.ctx());
    expect(rolled.status['phase']).toBe('RolledBack');
    expect(events).toEqual([]);
  });

  it('carries the resource generation into the status, its conditions and the progress writes', async () => {
    const h = harness();
    const r = await h.reconciler.reconcile({ ...resource(), generation: 7 }, h.ctx());
    expect(r.status['observedGeneration']).toBe(7);
    expect(cond(r.status, 'Ready')?.observedGeneration).toBe(7);
    expect(h.progress[0]?.['observedGeneration']).toBe(7);
    const none = harness();
    const r2 = await none.reconciler.reconcile(resource(), none.ctx());
    expect('observedGeneration' in r2.status).toBe(false);
    expect(cond(r2.status, 'Ready')?.observedGeneration).toBeUndefined();
  });

  it('a Failed run is not run again for the same spec, but is for another', async () => {
    const hash = await succeededHash();
    const h = harness();
    const prev: KindStatus = { conditions: [], phase: 'Failed', desiredHash: hash };
    expect((await h.reconciler.reconcile(resource(), h.ctx(prev))).status).toBe(prev);
    expect(h.calls).toEqual([]);
    const other = await h.reconciler.reconcile(resource(), h.ctx({ ...prev, desiredHash: 'other' }));
    expect(other.status['phase']).toBe('Succeeded');
    expect(h.calls[0]).toBe('discover');
  });

  it.each(['Waiting', 'Copying'])(
    'a previous %s status with the same spec hash runs again',
    async (phase) => {
      const hash = await succeededHash();
      const h = harness();
      const r = await h.reconciler.reconcile(resource(), h.ctx({ conditions: [], phase, desiredHash: hash }));
      expect(r.status['phase']).toBe('Succeeded');
      expect(h.calls[0]).toBe('discover');
    },
  );

  it('after Waiting a new run starts afresh: new startedAt, nothing of the old amounts', async () => {
    const h = harness({ deps: { now: () => NOW, retryMs: 1234 } });
    h.setActors(waitingActors);
    const prev: KindStatus = {
      conditions: [],
      phase: 'Waiting',
      startedAt: '2020-01-01T00:00:00.000Z',
      bytesCopied: 3,
      scaledDown: [{ service: 'old', replicas: 1 }],
    };
    const r = await h.reconciler.reconcile(resource(), h.ctx(prev));
    expect(r.status['phase']).toBe('Waiting');
    expect(r.status['startedAt']).toBe(NOW.toISOString());
    expect('bytesCopied' in r.status).toBe(false);
    expect('scaledDown' in r.status).toBe(false);
    expect(r.error).toMatchObject({ code: 'SK_ERR_DEPENDENCY_NOT_READY', requeueAfterMs: 1234 });
    expect(h.progress[0]?.['startedAt']).toBe(NOW.toISOString());
  });

  it('a run already going keeps its startedAt and the amounts it showed', async () => {
    const h = harness({ deps: { now: () => NOW } });
    h.setActors(waitingActors);
    const prev: KindStatus = {
      conditions: [],
      phase: 'Copying',
      startedAt: '2020-01-01T00:00:00.000Z',
      bytesCopied: 3,
    };
    const r = await h.reconciler.reconcile(resource(), h.ctx(prev));
    expect(r.status['startedAt']).toBe('2020-01-01T00:00:00.000Z');
    expect(r.status['bytesCopied']).toBe(3);
    const bad = await h.reconciler.reconcile(resource(), h.ctx({ ...prev, startedAt: 5 }));
    expect(bad.status['startedAt']).toBe(NOW.toISOString());
  });

  it('a first run starts now', async () => {
    const h = harness({ deps: { now: () => NOW } });
    const r = await h.reconciler.reconcile(resource(), h.ctx());
    expect(r.status['startedAt']).toBe(NOW.toISOString());
    expect(r.status['completedAt']).toBe(NOW.toISOString());
  });

  it('within a phase, progress is written at most every progressIntervalMs; phase changes always', async () => {
    const h = harness({ deps: { progressIntervalMs: 3_600_000 } });
    const r = await h.reconciler.reconcile(resource(), h.ctx());
    expect(r.status['phase']).toBe('Succeeded');
    expect(h.progress.map((s) => s['phase'])).toEqual([
      'Discovering',
      'PreparingTarget',
      'ScalingDown',
      'Measuring',
      'Copying',
      'Verifying',
      'Switching',
      'ScalingUp',
    ]);
  });

  it('a run stopped by its deadline keeps the snapshot: running status, requeued after 200 ms, no error', async () => {
    const h = harness({ deps: { runDeadlineMs: 500 } });
    h.setActors({ copy: async ({ signal }) => hang(signal) });
    const r = await h.reconciler.reconcile({ ...resource(), generation: 2 }, h.ctx());
    expect(r.error).toBeUndefined();
    expect(r.requeueAfterMs).toBe(200);
    expect(r.status['phase']).toBe('Copying');
    expect(r.status['observedGeneration']).toBe(2);
    expect(cond(r.status, 'Ready')).toMatchObject({ status: 'False', reason: 'Progressing' });
    expect(cond(r.status, 'Reconciling')?.status).toBe('True');
    expect(await h.store.keys()).toEqual([KEY]);
  });

  it('a run that cannot start (snapshot store down) returns its error and the previous phase', async () => {
    const store = new MemorySnapshotStore();
    store.load = () => Promise.reject(new Error('redis down'));
    const h = harness({ deps: { store } });
    const r = await h.reconciler.reconcile(resource(), h.ctx());
    expect(r.error?.message).toMatch(/redis down/);
    expect(r.requeueAfterMs).toBeUndefined();
    expect(r.status['phase']).toBe('Pending');
    expect(cond(r.status, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Progressing',
      message: 'Pending: ',
    });
    expect(h.calls).toEqual([]);
    const again = await h.reconciler.reconcile(resource(), h.ctx({ conditions: [], phase: 'Copying' }));
    expect(again.status['phase']).toBe('Copying');
  });
});
