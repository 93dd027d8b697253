import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABEL_HOOK, LABEL_HOOK_REVISION } from '../../../reconciler/compose/hooks.js';
import type { DesiredObject, DesiredService } from '../../../reconciler/model/objects.js';
import { Sensitive } from '../../../reconciler/model/sensitive.js';
import {
  type HookRun,
  type HookStep,
  hookLines,
  hookMessage,
  hookSteps,
  openHooks,
  rerunAction,
  stagePlan,
  withoutSettledHooks,
} from '../../../reconciler/plan/hooks.js';
import { renderPlan } from '../../../reconciler/plan/render.js';
import type { Action, Plan } from '../../../reconciler/plan/types.js';

const svc = (name: string, hook?: string, rev = 'r2'): DesiredService => ({
  kind: 'service',
  name,
  spec: {
    Name: name,
    Labels: hook ? { [LABEL_HOOK]: hook, [LABEL_HOOK_REVISION]: rev } : {},
    TaskTemplate: { ContainerSpec: { Image: 'x:1' } },
  },
});
const DESIRED: DesiredObject[] = [
  { kind: 'network', name: 'st_default', spec: { Name: 'st_default' } },
  svc('st_migrate', 'pre-deploy'),
  svc('st_notify', 'post-deploy'),
  svc('st_web'),
];

describe('hookSteps: the state of each hook of the desired revision', () => {
  it.each<[string, HookRun | undefined, HookStep['state']]>([
    ['never ran', undefined, 'pending'],
    ['ran for an older revision (completed)', { revision: 'r1', state: 'complete' }, 'pending'],
    ['ran for an older revision (failed)', { revision: 'r1', state: 'failed', exitCode: 1 }, 'pending'],
    ['runs for this revision', { revision: 'r2', state: 'running' }, 'running'],
    ['completed for this revision', { revision: 'r2', state: 'complete' }, 'done'],
    ['failed for this revision', { revision: 'r2', state: 'failed', exitCode: 3 }, 'failed'],
    ['has no revision label', { state: 'complete' }, 'pending'],
  ])('a hook that %s (%j) is %s', (_, run, state) => {
    const runs = new Map(run ? [['st_migrate', run]] : []);
    const steps = hookSteps(DESIRED, runs);
    expect(steps.map((s) => [s.phase, s.service, s.revision])).toEqual([
      ['pre-deploy', 'st_migrate', 'r2'],
      ['post-deploy', 'st_notify', 'r2'],
    ]);
    expect(steps[0]?.state).toBe(state);
    if (state === 'failed') expect(steps[0]?.exitCode).toBe(3);
  });

  it("a failed hook's log lines never show a secret of the stack, whole or line by line", () => {
    const secret = (name: string, value: string): DesiredObject => ({
      kind: 'secret',
      name,
      logicalName: name,
      hash: 'h',
      spec: { Name: name, Data: new Sensitive(Buffer.from(value).toString('base64')) },
    });
    const desired = [...DESIRED, secret('st_db', 'hunter22-pass\n  second-line \n'), secret('st_k', 'ab')];
    const logs = [
      'connecting with hunter22-pass',
      'read second-line twice: second-line',
      'ab is too short to hide',
      'nothing here',
    ];
    const runs = new Map([['st_migrate', { revision: 'r2', state: 'failed' as const, exitCode: 1, logs }]]);
    const [step] = hookSteps(desired, runs);
    expect(step?.logs).toEqual([
      'connecting with [redacted]',
      'read [redacted] twice: [redacted]',
      'ab is too short to hide',
      'nothing here',
    ]);
    expect(hookMessage(step ? [step] : [])).not.toContain('hunter22');
  });

  it('a stack without hooks has no step', () => {
    expect(hookSteps([svc('st_web')], new Map())).toEqual([]);
  });
});

const step = (service: string, phase: HookStep['phase'], state: HookStep['state']): HookStep => ({
  phase,
  service,
  revision: 'r2',
  state,
});
const act = (op: Action['op'], kind: Action['kind'], name: string): Action =>
  ({
    op,
    kind,
    name,
    id: `id-${name}`,
    desired: { kind, name },
    changes: [],
    affectedServices: [],
  }) as unknown as Action;
const PLAN: Plan = {
  owner: 'SwarmStack/ns/st',
  blocked: [],
  actions: [
    act('create', 'network', 'st_new'),
    act('create', 'config', 'st_conf-abc'),
    act('recreate', 'network', 'st_old'),
    act('update', 'service', 'st_migrate'),
    act('update', 'service', 'st_notify'),
    act('update', 'service', 'st_web'),
    act('create', 'service', 'st_api'),
    act('remove', 'service', 'st_gone'),
    act('remove', 'config', 'st_conf-old'),
  ],
};
const ops = (p: Plan) => p.actions.map((a) => `${a.op} ${a.kind} ${a.name}`);

describe('stagePlan: what each stage applies', () => {
  const pending = [step('st_migrate', 'pre-deploy', 'pending'), step('st_notify', 'post-deploy', 'pending')];

  it('pre-deploy: the pending pre hooks and the new non-service objects only', () => {
    expect(ops(stagePlan(PLAN, pending, 'pre-deploy'))).toEqual([
      'create network st_new',
      'create config st_conf-abc',
      'update service st_migrate',
    ]);
  });

  it('deploy: everything but the pending hooks', () => {
    expect(ops(stagePlan(PLAN, pending, 'deploy'))).toEqual([
      'create network st_new',
      'create config st_conf-abc',
      'recreate network st_old',
      'update service st_web',
      'create service st_api',
      'remove service st_gone',
      'remove config st_conf-old',
    ]);
  });

  it('post-deploy: the pending post hooks only', () => {
    expect(ops(stagePlan(PLAN, pending, 'post-deploy'))).toEqual(['update service st_notify']);
  });

  it('a settled hook (running, failed, done) is never touched; a removed hook is still pruned', () => {
    for (const state of ['running', 'failed', 'done'] as const) {
      const steps = [step('st_migrate', 'pre-deploy', state), step('st_gone', 'post-deploy', state)];
      expect(ops(withoutSettledHooks(PLAN, steps))).not.toContain('update service st_migrate');
      expect(ops(withoutSettledHooks(PLAN, steps))).toContain('remove service st_gone');
    }
    expect(ops(withoutSettledHooks(PLAN, pending))).toEqual(ops(PLAN));
  });

  it('law: the pre-deploy and deploy stages together hold every action of the plan, hooks of the phase aside', () => {
    const states = fc.constantFrom<HookStep['state']>('pending', 'running', 'failed', 'done');
    fc.assert(
      fc.property(states, states, (a, b) => {
        const steps = [step('st_migrate', 'pre-deploy', a), step('st_notify', 'post-deploy', b)];
        const all = new Set([
          ...ops(stagePlan(PLAN, steps, 'pre-deploy')),
          ...ops(stagePlan(PLAN, steps, 'deploy')),
          ...ops(stagePlan(PLAN, steps, 'post-deploy')),
        ]);
        expect([...all].sort()).toEqual(ops(PLAN).sort());
        // no app service ever moves in the pre-deploy stage
        expect(ops(stagePlan(PLAN, steps, 'pre-deploy')).filter((o) => o.includes('st_web'))).toEqual([]);
      }),
    );
  });

  it('openHooks: the hooks of a phase that have not completed', () => {
    const steps = [
      step('a', 'pre-deploy', 'done'),
      step('b', 'pre-deploy', 'failed'),
      step('c', 'post-deploy', 'pending'),
    ];
    expect(openHooks(steps, 'pre-deploy').map((s) => s.service)).toEqual(['b']);
    expect(openHooks(steps, 'post-deploy').map((s) => s.service)).toEqual(['c']);
  });
});

describe('hook output', () => {
  it('rerunAction recreates the failed hook service with its desired spec', () => {
    const desired = svc('st_migrate', 'pre-deploy');
    const a = rerunAction(step('st_migrate', 'pre-deploy', 'failed'), desired, {
      kind: 'service',
      id: 'sid',
      name: 'st_migrate',
      labels: {},
      spec: {},
    });
    expect(a).toMatchObject({ op: 'recreate', kind: 'service', name: 'st_migrate', id: 'sid', desired });
  });

  it('plan lines say what each hook does in this revision', () => {
    expect(
      hookLines([
        step('st_a', 'pre-deploy', 'pending'),
        step('st_b', 'pre-deploy', 'done'),
        step('st_c', 'post-deploy', 'running'),
        { ...step('st_d', 'pre-deploy', 'failed'), exitCode: 3 },
      ]),
    ).toEqual([
      '> hook pre-deploy st_a (revision r2): would run',
      '> hook pre-deploy st_b (revision r2): completed, not run again',
      '> hook post-deploy st_c (revision r2): running',
      '> hook pre-deploy st_d (revision r2): failed (exit code 3), would run again',
    ]);
  });

  it('renderPlan shows the hook step before the actions, and with no changes', () => {
    const hooks = [step('st_migrate', 'pre-deploy', 'done')];
    expect(renderPlan({ owner: 'o', actions: [], blocked: [], hooks })).toBe(
      '> hook pre-deploy st_migrate (revision r2): completed, not run again\nNo changes.',
    );
    const text = renderPlan({ ...PLAN, hooks: [step('st_migrate', 'pre-deploy', 'pending')] });
    expect(text.split('\n')[0]).toBe('> hook pre-deploy st_migrate (revision r2): would run');
    expect(renderPlan({ owner: 'o', actions: [], blocked: [] })).toBe('No changes.');
  });

  it('the failure message carries the exit code, the task error and the last log lines', () => {
    const msg = hookMessage([
      {
        ...step('st_migrate', 'pre-deploy', 'failed'),
        exitCode: 3,
        message: 'task: non-zero exit (3)',
        logs: ['migrating', 'boom'],
      },
    ]);
    expect(msg).toBe(
      'pre-deploy hook st_migrate (revision r2) failed with exit code 3 (task: non-zero exit (3)); last log lines:\nmigrating\nboom',
    );
    expect(hookMessage([step('st_x', 'post-deploy', 'running')])).toBe(
      'post-deploy hook st_x (revision r2): running',
    );
  });
});
