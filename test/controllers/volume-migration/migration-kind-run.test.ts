// The SwarmVolumeMigration kind reconciler with fake actors and an in-memory snapshot store: status,
// progress, "a finished migration is not run again", resume after a stop, and deletion mid-run.
// The manager is a stub answering GET /nodes; no Docker is involved (the lab test does the real thing).
import { describe, expect, it } from 'vitest';
import { StepError } from '../../../machines/step-policy.js';
import { KEY, resource, hang, harness, cond } from './migration-kind-harness.js';

describe('SwarmVolumeMigration kind', () => {
  it('runs the migration with live progress and reports Succeeded', async () => {
    const h = harness();
    const res = resource();
    h.setResources([res]);
    const r = await h.reconciler.reconcile(res, h.ctx());
    expect(r.error).toBeUndefined();
    expect(r.status).toMatchObject({
      phase: 'Succeeded',
      progress: '50 MiB, 500 files',
      bytesCopied: 50 * 1024 ** 2,
      scaledDown: [{ service: 'web', replicas: 2 }],
    });
    expect(typeof r.status['startedAt']).toBe('string');
    expect(typeof r.status['completedAt']).toBe('string');
    expect(cond(r.status, 'Ready')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(h.calls).toEqual([
      'discover',
      'ensureTarget',
      'scaleDown',
      'measure',
      'copy',
      'verify',
      'switch',
      'scaleUp',
    ]);
    const phases = [...new Set(h.progress.map((s) => s['phase']))];
    expect(phases).toEqual([
      'Discovering',
      'PreparingTarget',
      'ScalingDown',
      'Measuring',
      'Copying',
      'Verifying',
      'Switching',
      'ScalingUp',
    ]);
    expect(h.progress).toContainEqual(
      expect.objectContaining({
        phase: 'Copying',
        progress: '25 MiB / 50 MiB, 250/500 files',
        bytesCopied: 25 * 1024 ** 2,
      }),
    );
    expect(cond(h.progress[0]!, 'Ready')).toMatchObject({ status: 'False', reason: 'Progressing' });
    expect(await h.store.keys()).toEqual([]);
  });

  it('a Succeeded migration is not run again, whatever the spec says now', async () => {
    const h = harness();
    const first = await h.reconciler.reconcile(resource(), h.ctx());
    h.calls.length = 0;
    const again = await h.reconciler.reconcile(resource({ deleteSource: true }), h.ctx(first.status));
    expect(h.calls).toEqual([]);
    expect(again.status).toBe(first.status);
  });

  it('a rolled-back migration is Stalled (terminal) and runs again only for another spec', async () => {
    const h = harness();
    h.setActors({
      verify: async () =>
        Promise.reject(new StepError('1 difference: a: sha256 differs', { retryable: false })),
    });
    const r = await h.reconciler.reconcile(resource(), h.ctx());
    expect(r.status['phase']).toBe('RolledBack');
    expect(r.error).toMatchObject({ code: 'SK_ERR_MIGRATION_FAILED', policy: 'terminal' });
    expect(cond(r.status, 'Stalled')).toMatchObject({ status: 'True', reason: 'RolledBack' });
    expect(cond(r.status, 'Ready')?.message).toMatch(
      /^rolled back: verify the copy in volume data2 on node n2 failed after 1 attempt: 1 difference/,
    );
    expect(h.calls.slice(-2)).toEqual(['verify', 'restoreReplicas']);

    h.calls.length = 0;
    h.setActors({});
    expect((await h.reconciler.reconcile(resource(), h.ctx(r.status))).status).toBe(r.status);
    expect(h.calls).toEqual([]);
    const changed = await h.reconciler.reconcile(resource({ consumers: ['web'] }), h.ctx(r.status));
    expect(changed.status['phase']).toBe('Succeeded');
    expect(h.calls[0]).toBe('discover');
  });

  it('waits for a volumeRef target: first the SwarmVolume, then its volume on the node', async () => {
    const h = harness();
    const res = resource({ target: { node: 'n2', volumeRef: { name: 'data2' } } });
    const noResource = await h.reconciler.reconcile(res, h.ctx());
    expect(noResource.error).toMatchObject({ code: 'SK_ERR_DEPENDENCY_NOT_READY', policy: 'waiting' });
    expect(noResource.error?.message).toBe(
      `${KEY}: spec.target.volumeRef default/data2: no such SwarmVolume`,
    );
    expect(h.calls).toEqual([]);

    h.setResources([
      {
        ...resource(),
        key: 'SwarmVolume/default/data2',
        kind: 'SwarmVolume',
        name: 'data2',
        spec: { name: 'vol-data2' },
      },
    ]);
    h.setActors({ ensureTarget: async () => ({ exists: false, created: false, driver: '' }) });
    const missing = await h.reconciler.reconcile(res, h.ctx());
    expect(missing.status['phase']).toBe('Waiting');
    expect(missing.error).toMatchObject({ code: 'SK_ERR_DEPENDENCY_NOT_READY' });
    expect(missing.error?.message).toMatch(/target volume vol-data2 does not exist on node n2 yet/);
    expect(h.calls).toEqual(['discover', 'ensureTarget']);
  });

  it('a stopped run (shutdown) keeps its snapshot; the next reconcile resumes the copy and verifies', async () => {
    const h = harness();
    const stop = new AbortController();
    h.setActors({
      copy: async ({ signal }) => {
        setTimeout(() => stop.abort(new Error('shutting down')), 5);
        return hang(signal);
      },
    });
    const first = await h.reconciler.reconcile(resource(), h.ctx(undefined, stop.signal));
    expect(first.error).toBeUndefined();
    expect(first.requeueAfterMs).toBeGreaterThanOrEqual(0);
    expect(first.status['phase']).toBe('Copying');
    expect(((await h.store.load(KEY))?.snapshot as { value: unknown }).value).toEqual({ copy: 'run' });

    h.calls.length = 0;
    h.setActors({});
    const second = await h.reconciler.reconcile(resource(), h.ctx(first.status));
    expect(second.status['phase']).toBe('Succeeded');
    expect(h.calls).toEqual(['copy', 'verify', 'switch', 'scaleUp']);
    expect(second.status['startedAt']).toBe(first.status['startedAt']);
  });

  it('once verified, a resumed run goes straight to switch', async () => {
    const h = harness();
    const stop = new AbortController();
    h.setActors({
      switch: async ({ signal }) => {
        setTimeout(() => stop.abort(new Error('lock lost')), 5);
        return hang(signal);
      },
    });
    const first = await h.reconciler.reconcile(resource(), h.ctx(undefined, stop.signal));
    expect(first.status['phase']).toBe('Switching');
    h.calls.length = 0;
    h.setActors({});
    const second = await h.reconciler.reconcile(resource(), h.ctx(first.status));
    expect(second.status['phase']).toBe('Succeeded');
    expect(h.calls).toEqual(['switch', 'scaleUp']);
  });
});
