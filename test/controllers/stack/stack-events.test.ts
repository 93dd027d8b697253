import { describe, expect, it } from 'vitest';
import { imagesEvent, outcomeEvent, warningsEvent } from '../../../controllers/stack/stack-events.js';
import type { ActionResult } from '../../../controllers/ports.js';
import { skError } from '../../../reconciler/errors.js';
import type { Action, Plan } from '../../../reconciler/plan/types.js';

const KEY = 'SwarmStack/default/web';
const BUILD = 'web/docker-compose.yml: Ignoring unsupported options: build';
const NAME = 'web/docker-compose.yml: Ignoring deprecated options: container_name';

describe('warningsEvent: the IgnoredComposeOptions Warning Event (Kubernetes Events with --kube)', () => {
  it.each<[string, string[] | undefined, string[], boolean]>([
    ['first warnings of a resource', undefined, [BUILD], true],
    ['first warnings, after a status without any', [], [BUILD], true],
    ['warnings that changed', [BUILD], [BUILD, NAME], true],
    ['the same warnings again (a resync)', [BUILD, NAME], [BUILD, NAME], false],
    ['no warnings', [BUILD], [], false],
    ['no warnings ever', undefined, [], false],
  ])('%s', (_, before, now, sent) => {
    const e = warningsEvent(KEY, before, now);
    if (!sent) return expect(e).toBeUndefined();
    expect(e).toEqual({
      key: KEY,
      type: 'Warning',
      reason: 'IgnoredComposeOptions',
      action: 'Reconcile',
      note: now.join('\n'),
    });
  });
});

describe('outcomeEvent of a failed reconcile', () => {
  it.each([
    ['HOOK_RUNNING', 'Normal', 'HookRunning'],
    ['HOOK_FAILED', 'Warning', 'HookFailed'],
    ['DOCKER_API', 'Warning', 'DockerAPIError'],
    ['DEPENDENCY_NOT_READY', 'Warning', 'DependencyNotReady'],
  ] as const)('%s is a %s Event with reason %s and the message', (name, type, reason) => {
    const e = outcomeEvent('k', undefined, undefined, skError(name, 'what happened'), false);
    expect(e).toEqual({ key: 'k', type, reason, action: 'Reconcile', note: 'what happened' });
  });
});

describe('outcomeEvent of a reconcile that applied', () => {
  const a = (op: Action['op'], kind: Action['kind'], name: string) => ({ op, kind, name }) as Action;
  const plan = (actions: Action[]): Plan => ({ owner: KEY, actions, blocked: [] });
  const done = (actions: Action[]): ActionResult[] => actions.map((action) => ({ action, ok: true }));
  const svc = (n: number) => a('create', 'service', `app_s${n}`);

  it.each<[string, Plan | undefined, ActionResult[] | undefined]>([
    ['no plan (a failure before planning)', undefined, undefined],
    ['a plan that was not applied', plan([svc(1)]), undefined],
    ['nothing to apply', plan([]), []],
  ])('%s: no Event', (_, p, results) => {
    expect(outcomeEvent(KEY, p, results, undefined, false)).toBeUndefined();
  });

  it.each<[string, Action[], string]>([
    ['one create', [svc(1)], '1 created: create service app_s1'],
    ['updates only: no empty part', [a('update', 'service', 'app_web')], '1 updated: update service app_web'],
    [
      'each kind of change, counted in a fixed order',
      [
        a('remove', 'config', 'app_old'),
        a('recreate', 'service', 'app_db'),
        a('update', 'service', 'app_web'),
        a('update', 'service', 'app_api'),
        a('create', 'network', 'app_default'),
      ],
      '1 created, 2 updated, 1 recreated, 1 removed: remove config app_old, recreate service app_db, ' +
        'update service app_web, update service app_api, create network app_default',
    ],
    [
      'five actions are all named',
      [1, 2, 3, 4, 5].map(svc),
      '5 created: create service app_s1, create service app_s2, create service app_s3, create service app_s4, create service app_s5',
    ],
    [
      'more than five: the first five and how many more',
      [1, 2, 3, 4, 5, 6, 7].map(svc),
      '7 created: create service app_s1, create service app_s2, create service app_s3, create service app_s4, create service app_s5, and 2 more',
    ],
  ])('%s', (_, actions, note) => {
    for (const drift of [false, true])
      expect(outcomeEvent(KEY, plan(actions), done(actions), undefined, drift)).toStrictEqual({
        key: KEY,
        type: 'Normal',
        reason: drift ? 'DriftCorrected' : 'Applied',
        action: 'Reconcile',
        note,
      });
  });
});

describe('imagesEvent', () => {
  it('none without changes', () => expect(imagesEvent(KEY, [])).toBeUndefined());

  it('one Normal ImageUpdated Event, a line per change', () => {
    const at = '2026-12-06T12:00:00.000Z';
    expect(
      imagesEvent(KEY, [
        { service: 'app_web', from: 'web:1.2.1', to: 'web:1.3.0', at },
        { service: 'app_api', from: 'api:1@sha256:a', to: 'api:1@sha256:b', at },
      ]),
    ).toStrictEqual({
      key: KEY,
      type: 'Normal',
      reason: 'ImageUpdated',
      action: 'Reconcile',
      note: 'app_web: web:1.2.1 -> web:1.3.0\napp_api: api:1@sha256:a -> api:1@sha256:b',
    });
  });
});
