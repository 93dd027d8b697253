// The SwarmVolumeMigration kind reconciler with fake actors and an in-memory snapshot store: status,
// progress, "a finished migration is not run again", resume after a stop, and deletion mid-run.
// The manager is a stub answering GET /nodes; no Docker is involved (the lab test does the real thing).
import type Docker from 'dockerode';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  migrationActorsFrom,
  type MigrationOps,
} from '../../../controllers/volume-migration/migration-actors.js';
import {
  migrationKindReconciler,
  migrationEnv,
  type MigrationKindDeps,
} from '../../../controllers/volume-migration/migration-kind.js';
import type { NodeEndpoints } from '../../../controllers/machine-runner/node-endpoints.js';
import { ResourceNodeEndpoints } from '../../../controllers/machine-runner/resource-node-endpoints.js';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import type { KindReconcileContext, KindStatus } from '../../../controllers/ports.js';
import { noSecrets } from '../../../controllers/sources/dir-secrets.js';
import { StepError } from '../../../machines/step-policy.js';
import type { ConsumerRecord } from '../../../machines/volume-migration.types.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';

const KEY = 'SwarmVolumeMigration/default/move';
const WEB: ConsumerRecord = { service: 'web', id: 'svc1', replicas: 2, mounts: [], constraints: [] };
const AMOUNT = { bytes: 50 * 1024 ** 2, files: 500 };
const NODES = [
  { ID: 'ID1', Spec: { Role: 'manager' }, Description: { Hostname: 'n1' }, Status: { State: 'ready' } },
  { ID: 'ID2', Spec: { Role: 'worker' }, Description: { Hostname: 'n2' }, Status: { State: 'ready' } },
];

const manager = {
  modem: {
    dial(opts: { path: string }, cb: (err: unknown, data: unknown) => void) {
      if (opts.path === '/nodes') cb(null, NODES);
      else cb(new Error(`unexpected call ${opts.path}`), undefined);
    },
  },
} as unknown as Docker;
const nodeDocker = {} as Docker;

function endpoints(known = ['n1', 'n2']): ResourceNodeEndpoints {
  const statics: NodeEndpoints = {
    docker: (n) => (known.includes(n.hostname) ? nodeDocker : undefined),
    describe: (n) => `${n.hostname}: ${known.includes(n.hostname) ? 'unix:///fake' : 'no endpoint'}`,
  };
  return new ResourceNodeEndpoints({ secrets: noSecrets, staticEndpoints: statics });
}

function resource(spec: Record<string, unknown> = {}): DesiredResource {
  return {
    key: KEY,
    kind: 'SwarmVolumeMigration',
    namespace: 'default',
    name: 'move',
    spec: {
      source: { volume: 'data', node: 'n1' },
      target: { node: 'n2', spec: { name: 'data2', driver: 'swlvol' } },
      ...spec,
    },
    origin: { file: 'move.yaml' },
    baseDir: '.',
  };
}

const hang = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

type Fakes = Partial<MigrationOps>;

function harness(opts: { deps?: Partial<MigrationKindDeps>; known?: string[] } = {}) {
  const store = new MemorySnapshotStore();
  const calls: string[] = [];
  let over: Fakes = {};
  const deps: MigrationKindDeps = {
    manager,
    endpoints: endpoints(opts.known),
    store,
    instanceId: 'test',
    progressIntervalMs: 0,
    deletionPollMs: 10,
    policy: { maxAttempts: 2, baseBackoffMs: 1 },
    actors: (_real, report) => {
      const base: MigrationOps = {
        discover: async () => [WEB],
        ensureTarget: async () => ({ exists: true, created: true, driver: 'swlvol' }),
        scaleDown: async () => undefined,
        measure: async () => AMOUNT,
        copy: async ({ input }) => {
          report({
            step: 'copy',
            done: { bytes: 25 * 1024 ** 2, files: 250 },
            ...(input.total ? { total: input.total } : {}),
          });
          return AMOUNT;
        },
        verify: async () => AMOUNT,
        switch: async () => undefined,
        scaleUp: async () => undefined,
        restoreMounts: async () => undefined,
        removeSource: async () => undefined,
        ...over,
      };
      const counted = Object.fromEntries(
        Object.entries(base).map(([name, op]) => [
          name,
          (args: { input: { wait?: boolean }; signal: AbortSignal }) => {
            calls.push(name === 'scaleUp' && args.input.wait === false ? 'restoreReplicas' : name);
            return (op as (a: typeof args) => Promise<unknown>)(args);
          },
        ]),
      );
      return migrationActorsFrom(counted as unknown as MigrationOps);
    },
    ...opts.deps,
  };
  const reconciler = migrationKindReconciler(deps);
  const progress: KindStatus[] = [];
  let resources: DesiredResource[] = [];
  const ctx = (
    prev?: KindStatus,
    signal: AbortSignal = new AbortController().signal,
  ): KindReconcileContext => ({
    signal,
    reconcileId: 'r1',
    prev,
    log: pino({ level: 'silent' }),
    root: '.',
    progress: async (s) => {
      progress.push(s);
    },
    resources: (kind) => resources.filter((r) => r.kind === kind),
  });
  return {
    store,
    calls,
    progress,
    reconciler,
    ctx,
    setActors: (f: Fakes) => (over = f),
    setResources: (r: DesiredResource[]) => (resources = r),
  };
}

const cond = (s: KindStatus, type: string) => s.conditions.find((c) => c.type === type);

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
