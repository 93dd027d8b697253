// The SwarmVolumeMigration kind reconciler with fake actors and an in-memory snapshot store: status,
// progress, "a finished migration is not run again", resume after a stop, and deletion mid-run.
// The manager is a stub answering GET /nodes; no Docker is involved (the lab test does the real thing).
import { describe, expect, it } from 'vitest';
import { migrationEnv } from '../../../controllers/volume-migration/migration-kind.js';
import { StepError } from '../../../machines/step-policy.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { KEY, WEB, AMOUNT, resource, hang, harness, cond } from './migration-kind-harness.js';

describe('SwarmVolumeMigration kind', () => {
  it.each([
    [
      'an unknown node',
      resource({ source: { volume: 'data', node: 'n9' } }),
      undefined,
      /spec\.source\.node: no swarm node n9$/,
    ],
    [
      'a node without endpoint',
      resource(),
      ['n1'],
      /spec\.target\.node n2: no Docker endpoint for the node .*--node-endpoint n2=URL/,
    ],
  ])('waits for %s', async (_name, res, known, message) => {
    const h = harness(known ? { known } : {});
    const r = await h.reconciler.reconcile(res, h.ctx());
    expect(r.error).toMatchObject({ code: 'SK_ERR_DEPENDENCY_NOT_READY', policy: 'waiting' });
    expect(r.error?.message).toMatch(message);
    expect(h.calls).toEqual([]);
  });

  it('refuses a preset inline target (terminal), naming the field', async () => {
    const h = harness();
    const r = await h.reconciler.reconcile(
      resource({ target: { node: 'n2', spec: { preset: { type: 'local', tmpfs: true } } } }),
      h.ctx(),
    );
    expect(r.error).toMatchObject({ code: 'SK_ERR_RESOURCE_INVALID', policy: 'terminal' });
    expect(r.error?.message).toMatch(/spec\.target\.spec\.preset: presets are not supported/);
    expect(cond(r.status, 'Stalled')?.status).toBe('True');
  });

  it('deleted mid-run: the run stops, remove rolls back what it changed', async () => {
    const h = harness();
    const res = resource();
    h.setResources([res]);
    h.setActors({
      copy: async ({ signal }) => {
        setTimeout(() => h.setResources([]), 5); // the file was deleted from the source
        return hang(signal);
      },
    });
    const r = await h.reconciler.reconcile(res, h.ctx());
    expect(r.status['phase']).toBe('Copying');
    expect(r.error).toBeUndefined();
    h.calls.length = 0;
    h.setActors({});
    const removed = await h.reconciler.remove!(KEY, undefined, h.ctx(r.status));
    expect(removed).toEqual({ done: true });
    expect(h.calls).toEqual(['restoreReplicas']);
    expect(await h.store.keys()).toEqual([]);
  });

  it('deleted after the switch: mounts and replicas are restored', async () => {
    const h = harness();
    const res = resource();
    h.setResources([res]);
    h.setActors({
      scaleUp: async ({ input, signal }) => {
        if (input.wait) setTimeout(() => h.setResources([]), 5);
        return hang(signal);
      },
    });
    const r = await h.reconciler.reconcile(res, h.ctx());
    expect(r.status['phase']).toBe('ScalingUp');
    h.calls.length = 0;
    h.setActors({});
    expect(await h.reconciler.remove!(KEY, undefined, h.ctx(r.status))).toEqual({ done: true });
    expect(h.calls).toEqual(['restoreMounts', 'restoreReplicas']);
  });

  it('a rollback that fails on removal keeps the snapshot for the next attempt', async () => {
    const h = harness();
    h.setResources([resource()]);
    h.setActors({
      copy: async ({ signal }) => {
        setTimeout(() => h.setResources([]), 5);
        return hang(signal);
      },
    });
    await h.reconciler.reconcile(resource(), h.ctx());
    h.setActors({ scaleUp: async () => Promise.reject(new StepError('manager down')) });
    const removed = await h.reconciler.remove!(KEY, undefined, h.ctx());
    expect(removed.done).toBe(false);
    expect(removed.error?.message).toMatch(
      /rollback failed: scale web back up on volume data on node n1 failed after 2 attempts: manager down/,
    );
    expect(await h.store.keys()).toEqual([KEY]);
    h.setActors({});
    expect(await h.reconciler.remove!(KEY, undefined, h.ctx())).toEqual({ done: true });
  });

  it('a replica that does not list the resource (it looked the key up) never takes it for deleted', async () => {
    const h = harness();
    h.setResources([]);
    // a copy long enough for several deletion checks (every 10 ms here)
    h.setActors({ copy: () => new Promise((resolve) => setTimeout(() => resolve(AMOUNT), 60)) });
    const r = await h.reconciler.reconcile(resource(), h.ctx());
    expect(r.status['phase']).toBe('Succeeded');
  });

  it('tells discover which stacks swarmkeeper corrects (their services cannot be consumers)', async () => {
    const h = harness();
    const stack = (name: string, spec: Record<string, unknown>): DesiredResource => ({
      ...resource(),
      key: `SwarmStack/default/${name}`,
      kind: 'SwarmStack',
      name,
      spec,
    });
    h.setResources([
      stack('app', {}),
      stack('watched', { driftPolicy: 'detect' }),
      stack('off', { suspend: true }),
    ]);
    let seen: unknown;
    h.setActors({
      discover: async ({ input }) => {
        seen = input.corrected;
        return [WEB];
      },
    });
    await h.reconciler.reconcile(resource(), h.ctx());
    expect(seen).toEqual({ instance: 'test', owners: ['SwarmStack/default/app'] });
  });

  it('remove: nothing to undo without a run in flight', async () => {
    const h = harness();
    expect(await h.reconciler.remove!(KEY, undefined, h.ctx())).toEqual({ done: true });
    expect(h.calls).toEqual([]);
  });
});

describe('migration settings from the environment', () => {
  it('reads the bandwidth in binary units, like every size; nonsense names the variable', () => {
    expect(() => migrationEnv({ SWARMKEEPER_MIGRATION_BANDWIDTH: 'fast' })).toThrow(
      /SWARMKEEPER_MIGRATION_BANDWIDTH=fast: expected bytes per second/,
    );
    expect(() => migrationEnv({ SWARMKEEPER_MIGRATION_BANDWIDTH: '0' })).toThrow(/more than 0/);
    expect(
      migrationEnv({
        SWARMKEEPER_MIGRATION_HELPER_IMAGE: 'busybox:1',
        SWARMKEEPER_MIGRATION_BANDWIDTH: '1M',
      }),
    ).toEqual({
      helperImage: 'busybox:1',
      bytesPerSecond: 1024 ** 2,
    });
    expect(migrationEnv({})).toEqual({});
  });
});
