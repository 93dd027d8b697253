import { describe, expect, it } from 'vitest';
import { outcomeEvent, warningsEvent } from '../../../controllers/stack/stack-events.js';
import { skError } from '../../../reconciler/errors.js';

const KEY = 'SwarmStack/default/web';
const BUILD = 'web/docker-compose.yml: Ignoring unsupported options: build';
const NAME = 'web/docker-compose.yml: Ignoring deprecated options: container_name';

describe('warningsEvent: the IgnoredComposeOptions Warning Event (Kubernetes Events with --kube)', () => {
  it.each<[string, string[] | undefined, string[], boolean]>([
    ['first warnings of a resource', undefined, [BUILD], true],
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
