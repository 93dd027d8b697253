import { describe, expect, it } from 'vitest';
import { hookStateText, type StatusRow, statusText } from '../../../controllers/cli/status-output.js';
import type { HookStatus } from '../../../reconciler/status/resource-status.js';

const REV = '3f0c1d2e4b5a';
const hook = (h: Partial<HookStatus>): HookStatus => ({
  phase: 'pre-deploy',
  service: 'shop_migrate',
  revision: REV,
  state: 'done',
  ...h,
});
const row = (r: Partial<StatusRow>): StatusRow => ({
  resource: 'SwarmStack/default/shop',
  sync: 'InSync',
  health: 'Healthy',
  services: 'shop_web 1/1',
  objects: 4,
  ...r,
});

describe('status: hook state text', () => {
  it.each<[Partial<HookStatus>, string]>([
    [{ state: 'pending' }, 'pending'],
    [{ state: 'running' }, 'running'],
    [{ state: 'done' }, 'completed'],
    [{ state: 'failed', exitCode: 3 }, 'failed (exit code 3)'],
    [{ state: 'failed', exitCode: 0 }, 'failed (exit code 0)'],
    [{ state: 'failed' }, 'failed'], // rejected before it ran: no exit code
  ])('%j prints %s', (h, text) => {
    expect(hookStateText(hook(h))).toBe(text);
  });
});

describe('status: output', () => {
  it.each<[string, StatusRow[], boolean, string]>([
    ['nothing managed', [], false, 'No managed resources.'],
    [
      'a resource without hooks: no hook table',
      [row({})],
      false,
      [
        'RESOURCE                 SYNC    HEALTH   SERVICES (running/desired)  OBJECTS',
        'SwarmStack/default/shop  InSync  Healthy  shop_web 1/1                4',
      ].join('\n'),
    ],
    [
      'hooks of two stages: name, stage, revision and state; the failed one with its exit code',
      [
        row({
          ready: 'False (HookFailed: …)',
          revision: 'abc',
          hooks: [
            hook({}),
            hook({ phase: 'post-deploy', service: 'shop_notify', state: 'failed', exitCode: 3 }),
          ],
        }),
        row({ resource: 'SwarmStack/default/web', services: 'web_app 2/2', objects: 2, ready: 'True' }),
      ],
      true,
      [
        'RESOURCE                 SYNC    HEALTH   SERVICES (running/desired)  OBJECTS  READY                  REVISION',
        'SwarmStack/default/shop  InSync  Healthy  shop_web 1/1                4        False (HookFailed: …)  abc',
        'SwarmStack/default/web   InSync  Healthy  web_app 2/2                 2        True                   -',
        '',
        'RESOURCE                 HOOK          STAGE        REVISION      STATE',
        `SwarmStack/default/shop  shop_migrate  pre-deploy   ${REV}  completed`,
        `SwarmStack/default/shop  shop_notify   post-deploy  ${REV}  failed (exit code 3)`,
      ].join('\n'),
    ],
    [
      'a running hook',
      [row({ sync: 'OutOfSync (1 changes)', health: 'Progressing', hooks: [hook({ state: 'running' })] })],
      false,
      [
        'RESOURCE                 SYNC                   HEALTH       SERVICES (running/desired)  OBJECTS',
        'SwarmStack/default/shop  OutOfSync (1 changes)  Progressing  shop_web 1/1                4',
        '',
        'RESOURCE                 HOOK          STAGE       REVISION      STATE',
        `SwarmStack/default/shop  shop_migrate  pre-deploy  ${REV}  running`,
      ].join('\n'),
    ],
  ])('%s', (_, rows, withController, text) => {
    expect(statusText(rows, withController)).toBe(text);
  });
});
