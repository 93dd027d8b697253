import { describe, expect, it } from 'vitest';
import {
  HOOK_REVISION_ENV,
  LABEL_HOOK,
  LABEL_HOOK_REVISION,
  hookPhase,
} from '../../../reconciler/compose/hooks.js';
import { errorOf } from '../../support/error-of.js';
import { deploy, serviceOf } from './helpers.js';

const stack = (hook: string, extra = '', app = 'app:1') => `services:
  migrate:
    image: migrate:1
    x-swarmkeeper: {hook: ${hook}}
${extra}
  web:
    image: ${app}
`;

describe('deploy hooks: translation of x-swarmkeeper', () => {
  it.each([
    ['pre-deploy', '', { ReplicatedJob: {} }, { Condition: 'none' }],
    ['post-deploy', '', { ReplicatedJob: {} }, { Condition: 'none' }],
    [
      'pre-deploy',
      '    deploy: {mode: replicated-job, replicas: 2, restart_policy: {condition: on-failure}}',
      { ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 2 } },
      { Condition: 'on-failure' },
    ],
  ])(
    '%s %j: a replicated job with the hook label, its revision and restart policy',
    (hook, extra, mode, rp) => {
      const state = deploy(stack(hook, extra));
      const spec = serviceOf(state, 'st_migrate');
      expect(spec.Mode).toEqual(mode);
      expect(spec.TaskTemplate.RestartPolicy).toEqual(rp);
      expect(spec.Labels?.[LABEL_HOOK]).toBe(hook);
      const rev = spec.Labels?.[LABEL_HOOK_REVISION];
      expect(rev).toMatch(/^[0-9a-f]{12}$/);
      expect(spec.TaskTemplate.ContainerSpec.Env).toContain(`${HOOK_REVISION_ENV}=${rev}`);
      // the app service is untouched
      const web = serviceOf(state, 'st_web');
      expect(web.Labels?.[LABEL_HOOK]).toBeUndefined();
      expect(web.TaskTemplate.ContainerSpec.Env).toBeUndefined();
      expect(hookPhase(state.objects.find((o) => o.name === 'st_web')!)).toBeUndefined();
      expect(hookPhase(state.objects.find((o) => o.name === 'st_migrate')!)).toBe(hook);
    },
  );

  it('the revision changes with any object of the stack and only then', () => {
    const rev = (app: string, extra = '') =>
      serviceOf(deploy(stack('pre-deploy', extra, app)), 'st_migrate').Labels?.[LABEL_HOOK_REVISION];
    expect(rev('app:1')).toBe(rev('app:1'));
    expect(rev('app:2')).not.toBe(rev('app:1'));
    expect(rev('app:1', '    environment: [A=1]')).not.toBe(rev('app:1'));
  });

  it('a stack without hooks carries no hook label (the same objects as before)', () => {
    const state = deploy('services:\n  web:\n    image: app:1\n');
    expect(JSON.stringify(state)).not.toContain('swarmkeeper.io/hook');
  });

  it.each(['replicated', 'global', 'global-job'])('a hook in mode %s is refused where it is written', (m) => {
    const e = errorOf(() => deploy(stack('pre-deploy', `    deploy: {mode: ${m}}`)));
    expect(e.code).toBe('SK_ERR_COMPOSE_INVALID');
    expect(e.message).toContain('services.migrate.deploy.mode');
    expect(e.message).toContain('runs as a replicated-job');
  });

  it('an unknown hook or key under x-swarmkeeper is refused; other x- keys are still dropped', () => {
    expect(errorOf(() => deploy(stack('during-deploy'))).message).toContain('x-swarmkeeper.hook');
    expect(
      errorOf(() => deploy('services:\n  web:\n    image: a:1\n    x-swarmkeeper: {hok: pre-deploy}\n'))
        .message,
    ).toContain('hok');
    const state = deploy('services:\n  web:\n    image: a:1\n    x-other: {hook: pre-deploy}\n');
    expect(serviceOf(state, 'st_web').Labels?.[LABEL_HOOK]).toBeUndefined();
  });
});
