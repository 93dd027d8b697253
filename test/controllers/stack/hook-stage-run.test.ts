import { describe, expect, it } from 'vitest';
import type { ActionResult, ApplyProgress, SwarmPort } from '../../../controllers/ports.js';
import {
  HOOK_POLL_MS,
  observeHooks,
  runHookStage,
  type StageInput,
  throwIfFailed,
} from '../../../controllers/stack/hook-stages.js';
import { LABEL_HOOK, LABEL_HOOK_REVISION } from '../../../reconciler/compose/hooks.js';
import { skError, type SwarmkeeperError } from '../../../reconciler/errors.js';
import type { DesiredObject, DesiredService, ObservedObject } from '../../../reconciler/model/objects.js';
import type { HookRun, HookStep } from '../../../reconciler/plan/hooks.js';
import type { Action, Plan } from '../../../reconciler/plan/types.js';
import type { ResourceStatus } from '../../../reconciler/status/resource-status.js';

// The hook stage functions on their own: what a reconcile reports (the error code and its exact
// message), what it applies (the actions and the options), and which Docker calls it makes.

const OWNER = 'SwarmStack/default/app';

const service = (name: string, labels: Record<string, string> = {}): DesiredService => ({
  kind: 'service',
  name,
  spec: { Name: name, Labels: labels, TaskTemplate: { ContainerSpec: { Image: `${name}:1` } } },
});
const hook = (name: string, phase = 'pre-deploy', revision = 'r1') =>
  service(name, { [LABEL_HOOK]: phase, [LABEL_HOOK_REVISION]: revision });
const observedOf = (kind: ObservedObject['kind'], name: string, id = `id-${name}`): ObservedObject => ({
  kind,
  id,
  name,
  labels: {},
  spec: {},
});
const action = (op: 'create' | 'remove', kind: Action['kind'], name: string): Action =>
  (op === 'create'
    ? { op, kind, name, desired: service(name) }
    : { op, kind, name, id: `id-${name}`, why: 'pruned' }) as Action;
const caught = async (p: Promise<unknown>): Promise<SwarmkeeperError> => {
  try {
    await p;
  } catch (e) {
    return e as SwarmkeeperError;
  }
  throw new Error('expected a rejection');
};
const thrown = (f: () => void): SwarmkeeperError | undefined => {
  try {
    f();
  } catch (e) {
    return e as SwarmkeeperError;
  }
  return undefined;
};

describe('throwIfFailed: what an apply with failed actions throws', () => {
  const ok = (a: Action): ActionResult => ({ action: a, ok: true });
  const failed = (a: Action, error?: Error): ActionResult => ({
    action: a,
    ok: false,
    ...(error ? { error } : {}),
  });
  const web = action('create', 'service', 'app_web');
  const net = action('remove', 'network', 'app_net');
  const coded = skError('UPDATE_CONFLICT', 'app_web: update out of sequence');

  it.each<[string, ActionResult[], { code: string; message: string } | undefined]>([
    ['nothing applied', [], undefined],
    ['every action succeeded', [ok(web), ok(net)], undefined],
    [
      'one coded failure: that error',
      [ok(net), failed(web, coded)],
      { code: 'SK_ERR_UPDATE_CONFLICT', message: coded.message },
    ],
    [
      'one uncoded failure: an internal error with its message',
      [failed(web, new Error('no such image'))],
      { code: 'SK_ERR_INTERNAL', message: 'no such image' },
    ],
    [
      'one failure without an error: a Docker API error naming it',
      [failed(web)],
      { code: 'SK_ERR_DOCKER_API', message: 'create service app_web failed' },
    ],
    [
      'several failures: one Docker API error naming each',
      [failed(web, new Error('no such image')), ok(web), failed(net)],
      { code: 'SK_ERR_DOCKER_API', message: 'no such image; remove network app_net failed' },
    ],
  ])('%s', (_, results, expected) => {
    const e = thrown(() => throwIfFailed(results));
    if (expected === undefined) return expect(e).toBeUndefined();
    expect({ code: e?.code, message: e?.message }).toStrictEqual(expected);
  });

  it('a single coded failure is thrown as it is', () => {
    expect(thrown(() => throwIfFailed([failed(web, coded)]))).toBe(coded);
  });
});

describe('observeHooks: the hook steps of the revision, and the Docker call it makes', () => {
  const world = (runs: Record<string, HookRun> = {}) => {
    const asked: string[][] = [];
    const swarm = {
      hookRuns: async (ids: readonly string[]) => {
        asked.push([...ids]);
        return new Map(Object.entries(runs));
      },
    } as unknown as SwarmPort;
    return { swarm, asked };
  };
  const desired: DesiredObject[] = [
    service('app_web'),
    hook('app_migrate'),
    hook('app_notify', 'post-deploy'),
  ];

  it('asks Docker for the runs of the observed hook services only, by id', async () => {
    const w = world({ app_migrate: { revision: 'r1', state: 'complete' } });
    const observed = [
      observedOf('service', 'app_web'),
      observedOf('volume', 'app_notify'), // not a service, though named like a hook
      observedOf('service', 'app_migrate'),
    ];
    const steps = await observeHooks(w.swarm, desired, { objects: observed });
    expect(w.asked).toStrictEqual([['id-app_migrate']]);
    expect(steps).toStrictEqual([
      { phase: 'pre-deploy', service: 'app_migrate', revision: 'r1', state: 'done' },
      { phase: 'post-deploy', service: 'app_notify', revision: 'r1', state: 'pending' },
    ]);
  });

  it.each<[string, DesiredObject[], ObservedObject[]]>([
    ['a stack without hooks', [service('app_web')], [observedOf('service', 'app_web')]],
    ['hooks not created yet', desired, [observedOf('service', 'app_web')]],
  ])('%s: no Docker call', async (_, d, observed) => {
    const w = world();
    const steps = await observeHooks(w.swarm, d, { objects: observed });
    expect(w.asked).toStrictEqual([]);
    expect(steps.map((s) => s.state)).toStrictEqual(d.length > 1 ? ['pending', 'pending'] : []);
  });

  it('a Swarm port that cannot read hook runs: every hook is pending', async () => {
    const swarm = {} as SwarmPort;
    const steps = await observeHooks(swarm, desired, { objects: [observedOf('service', 'app_migrate')] });
    expect(steps.map((s) => `${s.service} ${s.state}`)).toStrictEqual([
      'app_migrate pending',
      'app_notify pending',
    ]);
  });
});

const step = (service: string, state: HookStep['state'], extra: Partial<HookStep> = {}): HookStep => ({
  phase: 'pre-deploy',
  service,
  revision: 'r1',
  state,
  ...extra,
});
const failedStep = (service: string) =>
  step(service, 'failed', { exitCode: 3, message: 'task: non-zero exit (3)', logs: ['ERROR: boom'] });
const hookFailedStatus: ResourceStatus = {
  conditions: [
    { type: 'Ready', status: 'False', reason: 'HookFailed', message: 'x', lastTransitionTime: 't' },
  ],
};

function stage(over: Partial<StageInput> = {}) {
  const applied: { plan: Plan; opts: unknown }[] = [];
  const reported: ActionResult[][] = [];
  const input: StageInput = {
    owner: OWNER,
    phase: 'pre-deploy',
    plan: { owner: OWNER, actions: [], blocked: [] },
    steps: [],
    desired: [
      service('app_web'),
      { kind: 'config', name: 'app_migrate' } as DesiredObject,
      hook('app_migrate'),
    ],
    observed: {
      objects: [
        observedOf('service', 'app_web'),
        observedOf('config', 'app_migrate', 'cfg'),
        observedOf('service', 'app_migrate'),
      ],
    },
    prev: undefined,
    apply: async (plan, opts) => {
      applied.push({ plan, opts });
      return plan.actions.map((a) => ({ action: a, ok: true }));
    },
    onResults: (r) => reported.push(r),
    ...over,
  };
  return { input, applied, reported, run: () => caught(runHookStage(input)) };
}

describe('runHookStage: a stage always ends the reconcile, with what it waits for', () => {
  it('a failure not reported yet stops the rollout and writes nothing', async () => {
    const s = stage({ steps: [failedStep('app_migrate')] });
    const e = await s.run();
    expect({ code: e.code, message: e.message }).toStrictEqual({
      code: 'SK_ERR_HOOK_FAILED',
      message:
        `${OWNER}: the rollout is stopped: pre-deploy hook app_migrate (revision r1) failed with exit code 3 ` +
        '(task: non-zero exit (3)); last log lines:\nERROR: boom',
    });
    expect(s.applied).toStrictEqual([]);
  });

  it.each<[string, Partial<StageInput>]>([
    ['reported before (Ready HookFailed)', { prev: hookFailedStatus }],
    ['the CLI asks to run it again', { rerunFailed: true }],
  ])('a failed hook %s runs again: recreated, then waited for', async (_, over) => {
    const s = stage({ steps: [failedStep('app_migrate')], ...over });
    const e = await s.run();
    expect(s.applied.map((a) => a.plan.actions)).toStrictEqual([
      [
        {
          op: 'recreate',
          kind: 'service',
          name: 'app_migrate',
          id: 'id-app_migrate',
          desired: hook('app_migrate'),
          changes: [{ path: 'hook pre-deploy run of revision r1', from: 'failed', to: 'run again' }],
          affectedServices: [],
        },
      ],
    ]);
    expect(s.reported).toHaveLength(1);
    expect(e.code).toBe('SK_ERR_HOOK_RUNNING');
    expect(e.message).toBe(
      `${OWNER}: waiting for a hook: pre-deploy hook app_migrate (revision r1): starting`,
    );
    expect(e.requeueAfterMs).toBe(HOOK_POLL_MS);
    expect(e.keepsBackoff).toBe(true);
  });

  it('a failed hook whose service is gone is not rerun: nothing applied, still waited for', async () => {
    const s = stage({ steps: [failedStep('app_migrate')], rerunFailed: true, observed: { objects: [] } });
    const e = await s.run();
    expect(s.applied).toStrictEqual([]);
    expect(s.reported).toStrictEqual([]);
    expect(e.message).toBe(
      `${OWNER}: waiting for a hook: pre-deploy hook app_migrate (revision r1): starting`,
    );
  });

  it('several hooks: "hooks", one line each; a running one stays running, a done one is not named', async () => {
    const steps = [step('app_migrate', 'running'), step('app_seed', 'pending'), step('app_done', 'done')];
    const e = await stage({ steps }).run();
    expect(e.message).toBe(
      `${OWNER}: waiting for hooks: pre-deploy hook app_migrate (revision r1): running\n` +
        'pre-deploy hook app_seed (revision r1): starting',
    );
  });

  it('applies the stage of the plan, passing progress and signal only when given', async () => {
    const plan: Plan = {
      owner: OWNER,
      actions: [
        action('create', 'network', 'app_default'),
        action('create', 'service', 'app_seed'),
        action('create', 'service', 'app_web'),
      ],
      blocked: [],
    };
    const onProgress: ApplyProgress = () => undefined;
    const signal = new AbortController().signal;
    const steps = [step('app_seed', 'pending')];
    const bare = stage({ plan, steps });
    await bare.run();
    expect(bare.applied.map((a) => a.plan.actions.map((x) => `${x.op} ${x.kind} ${x.name}`))).toStrictEqual([
      ['create network app_default', 'create service app_seed'],
    ]);
    expect(bare.applied[0]?.opts).toStrictEqual({});
    const full = stage({ plan, steps, onProgress, signal });
    await full.run();
    expect(full.applied[0]?.opts).toStrictEqual({ onProgress, signal });
  });

  it('an apply that failed throws its error after reporting the results', async () => {
    const plan: Plan = { owner: OWNER, actions: [action('create', 'service', 'app_seed')], blocked: [] };
    const s = stage({
      plan,
      steps: [step('app_seed', 'pending')],
      apply: async (p) => p.actions.map((a) => ({ action: a, ok: false, error: new Error('no such image') })),
    });
    const e = await s.run();
    expect({ code: e.code, message: e.message }).toStrictEqual({
      code: 'SK_ERR_INTERNAL',
      message: 'no such image',
    });
    expect(s.reported.map((r) => r.map((x) => x.ok))).toStrictEqual([[false]]);
  });
});
