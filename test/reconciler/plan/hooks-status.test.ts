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
  rerunAction,
  stagePlan,
  withoutSettledHooks,
} from '../../../reconciler/plan/hooks.js';
import type { Action, Plan } from '../../../reconciler/plan/types.js';

const hook = (name: string, labels: Record<string, string>): DesiredService => ({
  kind: 'service',
  name,
  spec: { Name: name, Labels: labels, TaskTemplate: { ContainerSpec: { Image: 'x:1' } } },
});
const migrate = hook('st_migrate', { [LABEL_HOOK]: 'pre-deploy', [LABEL_HOOK_REVISION]: 'r2' });
const secret = (name: string, value: string): DesiredObject => ({
  kind: 'secret',
  name,
  logicalName: name,
  hash: 'h',
  spec: { Name: name, Data: new Sensitive(Buffer.from(value).toString('base64')) },
});
const step = (service: string, phase: HookStep['phase'], state: HookStep['state']): HookStep => ({
  phase,
  service,
  revision: 'r2',
  state,
});

describe('hookSteps: what a step carries', () => {
  it.each<[string, HookRun, HookStep]>([
    [
      'a running hook without exit code, message or logs has none',
      { revision: 'r2', state: 'running' },
      step('st_migrate', 'pre-deploy', 'running'),
    ],
    [
      'a failed hook has its task error',
      { revision: 'r2', state: 'failed', message: 'task: non-zero exit (1)' },
      { ...step('st_migrate', 'pre-deploy', 'failed'), message: 'task: non-zero exit (1)' },
    ],
  ])('%s', (_n, run, want) => {
    expect(hookSteps([migrate], new Map([['st_migrate', run]]))).toStrictEqual([want]);
  });

  it('a hook without a revision label has the empty revision', () => {
    const bare = hook('st_migrate', { [LABEL_HOOK]: 'pre-deploy' });
    expect(hookSteps([bare], new Map())).toStrictEqual([
      { phase: 'pre-deploy', service: 'st_migrate', revision: '', state: 'pending' },
    ]);
  });

  it.each([
    ['the shorter secret first', ['st_a', 'st_b']],
    ['the longer secret first', ['st_b', 'st_a']],
  ])('a secret holding another is redacted whole (%s)', (_n, order) => {
    const values: Record<string, string> = { st_a: 'abcd', st_b: 'abcdefgh' };
    const desired = [...order.map((n) => secret(n, values[n] ?? '')), migrate];
    const run: HookRun = { revision: 'r2', state: 'failed', logs: ['token abcdefgh, prefix abcd'] };
    const [s] = hookSteps(desired, new Map([['st_migrate', run]]));
    expect(s?.logs).toEqual(['token [redacted], prefix [redacted]']);
  });
});

const act = (op: Action['op'], kind: Action['kind'], name: string): Action =>
  ({ op, kind, name, id: `id-${name}`, desired: { kind, name }, changes: [] }) as unknown as Action;
const planOf = (...actions: Action[]): Plan => ({ owner: 'o', blocked: [], actions });
const ops = (p: Plan) => p.actions.map((a) => `${a.op} ${a.kind} ${a.name}`);

describe('stages: only services are hooks', () => {
  const p = planOf(
    act('create', 'network', 'st_notify'),
    act('update', 'service', 'st_notify'),
    act('remove', 'service', 'st_old'),
  );

  it('a network named like a hook is no hook', () => {
    const pending = [step('st_notify', 'post-deploy', 'pending')];
    expect(ops(stagePlan(p, pending, 'post-deploy'))).toEqual(['update service st_notify']);
    expect(ops(stagePlan(p, pending, 'deploy'))).toEqual([
      'create network st_notify',
      'remove service st_old',
    ]);
    const settled = [step('st_notify', 'post-deploy', 'done')];
    expect(ops(withoutSettledHooks(p, settled))).toEqual([
      'create network st_notify',
      'remove service st_old',
    ]);
  });

  it('a post-deploy hook that is not pending is not run by the post-deploy stage', () => {
    for (const state of ['running', 'failed', 'done'] as const)
      expect(ops(stagePlan(p, [step('st_notify', 'post-deploy', state)], 'post-deploy'))).toEqual([]);
  });

  it('removing a service is always the deploy stage, even when a step names it', () => {
    for (const phase of ['pre-deploy', 'post-deploy'] as const) {
      const steps = [step('st_old', phase, 'pending')];
      expect(ops(stagePlan(p, steps, phase))).not.toContain('remove service st_old');
      expect(ops(stagePlan(p, steps, 'deploy'))).toContain('remove service st_old');
    }
  });

  it('rerunAction recreates the hook service, saying why, affecting no other service', () => {
    const o = { kind: 'service' as const, id: 'sid', name: 'st_migrate', labels: {}, spec: {} };
    expect(rerunAction(step('st_migrate', 'pre-deploy', 'failed'), migrate, o)).toStrictEqual({
      op: 'recreate',
      kind: 'service',
      name: 'st_migrate',
      id: 'sid',
      desired: migrate,
      changes: [{ path: 'hook pre-deploy run of revision r2', from: 'failed', to: 'run again' }],
      affectedServices: [],
    });
  });
});

describe('hook texts', () => {
  it('a plan line of a failed hook without exit code', () => {
    expect(hookLines([step('st_a', 'pre-deploy', 'failed')])).toEqual([
      '> hook pre-deploy st_a (revision r2): failed, would run again',
    ]);
  });

  it.each<[string, HookStep[], string]>([
    [
      'a pending hook is starting',
      [step('st_a', 'pre-deploy', 'pending')],
      'pre-deploy hook st_a (revision r2): starting',
    ],
    [
      'a failed hook with nothing more',
      [step('st_a', 'pre-deploy', 'failed')],
      'pre-deploy hook st_a (revision r2) failed',
    ],
    [
      'an empty task error and no log lines add nothing',
      [{ ...step('st_a', 'pre-deploy', 'failed'), message: '', logs: [] }],
      'pre-deploy hook st_a (revision r2) failed',
    ],
    [
      'one line per hook',
      [step('st_a', 'pre-deploy', 'running'), { ...step('st_b', 'pre-deploy', 'failed'), exitCode: 2 }],
      'pre-deploy hook st_a (revision r2): running\npre-deploy hook st_b (revision r2) failed with exit code 2',
    ],
  ])('status message: %s', (_n, steps, want) => {
    expect(hookMessage(steps)).toBe(want);
  });
});
