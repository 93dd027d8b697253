import { describe, expect, it } from 'vitest';
import {
  after,
  done,
  drive,
  fail,
  failures,
  input,
  NETWORK_NONE,
  REF1,
  REF2,
  VOLUME,
  type Step,
} from './plugin-install-harness.js';

const installedRef1 = { remote: REF1, enabled: true, types: VOLUME.types, settings: {} };
const fresh: Step[] = [done('inspect', null), done('privileges', NETWORK_NONE), done('pull', VOLUME)];
const toVerify: Step[] = [...fresh, done('enable')];
const upgradeStart: Step[] = [
  done('inspect', installedRef1),
  done('privileges', NETWORK_NONE),
  done('disable'),
];
const upgraded: Step[] = [...upgradeStart, done('upgrade', VOLUME)];
const rollbackOk: Step[] = [done('rollbackDisable'), done('rollbackUpgrade', VOLUME), done('rollbackEnable')];

interface Case {
  name: string;
  input?: Parameters<typeof input>[0];
  steps: Step[];
  outcome: string;
  message: string | RegExp;
  visited?: string[];
}

const cases: Case[] = [
  {
    name: 'fresh install, listed at the second check',
    steps: [...toVerify, done('listed', false), after('verifyInterval'), done('listed', true)],
    outcome: 'Installed',
    message: `swlvol (${REF1}) enabled on node n2`,
    visited: ['inspect', 'privileges', 'pull', 'enable', 'verify', 'installed'],
  },
  {
    name: 'installed with settings: configure before enable',
    input: { settings: { env: ['DEBUG=1'] } },
    steps: [...fresh, done('configure'), done('enable'), done('listed', true)],
    outcome: 'Installed',
    message: /enabled on node n2$/,
    visited: ['inspect', 'privileges', 'pull', 'configuring', 'enable', 'verify', 'installed'],
  },
  {
    name: 'already installed, same reference, enabled: adopted without a pull',
    steps: [done('inspect', installedRef1), done('listed', true)],
    outcome: 'Installed',
    message: /\(already installed\)$/,
    visited: ['inspect', 'verify', 'installed'],
  },
  {
    name: 'desired disabled, installed enabled: only disabled',
    input: { enabled: false },
    steps: [done('inspect', installedRef1), done('disable')],
    outcome: 'Installed',
    message: /installed, disabled on node n2/,
    visited: ['inspect', 'disable', 'installed'],
  },
  {
    name: 'settings drift on an enabled plugin: disable, set, enable',
    input: { settings: { env: ['DEBUG=1'] } },
    steps: [
      done('inspect', installedRef1),
      done('disable'),
      done('configure'),
      done('enable'),
      done('listed', true),
    ],
    outcome: 'Installed',
    message: /enabled on node n2$/,
    visited: ['inspect', 'disable', 'configuring', 'enable', 'verify', 'installed'],
  },
  {
    name: 'retried pull succeeds after a backoff',
    steps: [
      done('inspect', null),
      done('privileges', NETWORK_NONE),
      fail('pull', 'connection reset'),
      after('backoff'),
      done('pull', VOLUME),
      done('enable'),
      done('listed', true),
    ],
    outcome: 'Installed',
    message: /enabled/,
  },
  {
    name: 'refused privileges',
    input: { allowedPrivileges: [{ name: 'network', value: ['none'] }] },
    steps: [
      done('inspect', null),
      done('privileges', [
        ...NETWORK_NONE,
        { Name: 'mount', Value: ['/var/lib'] },
        { Name: 'capabilities', Value: ['CAP_SYS_ADMIN'] },
      ]),
    ],
    outcome: 'Refused',
    message: `plugin ${REF1} asks for privileges not allowed: mount=[/var/lib], capabilities=[CAP_SYS_ADMIN] (node n2)`,
    visited: ['inspect', 'privileges', 'refused'],
  },
  {
    name: 'no allowedPrivileges: anything asked for is refused',
    input: { allowedPrivileges: undefined },
    steps: [done('inspect', null), done('privileges', NETWORK_NONE)],
    outcome: 'Refused',
    message: /asks for privileges not allowed: network=\[none\]/,
  },
  {
    name: 'inspect times out on every attempt',
    steps: failures(3, after('stepTimeout')),
    outcome: 'Failed',
    message: `inspect plugin swlvol (${REF1}) on node n2 failed after 3 attempts: timed out after 30000 ms`,
  },
  {
    name: 'privileges cannot be read',
    steps: [done('inspect', null), ...failures(3, fail('privileges', 'registry unreachable'))],
    outcome: 'Failed',
    message: /^read privileges of plugin swlvol .* failed after 3 attempts: registry unreachable$/,
  },
  {
    name: 'pull stream error (not retryable)',
    steps: [
      done('inspect', null),
      done('privileges', NETWORK_NONE),
      fail('pull', 'pull: incorrect privileges', false),
    ],
    outcome: 'Failed',
    message: `pull plugin swlvol (${REF1}) on node n2 failed after 1 attempt: pull: incorrect privileges`,
  },
  {
    name: 'pull times out on every attempt',
    steps: [done('inspect', null), done('privileges', NETWORK_NONE), ...failures(3, after('stepTimeout'))],
    outcome: 'Failed',
    message: /^pull plugin .* failed after 3 attempts: timed out after 180000 ms$/,
  },
  {
    name: 'set fails',
    input: { settings: { env: ['NOPE=1'] } },
    steps: [...fresh, fail('configure', 'setting "NOPE" not found in the plugin configuration', false)],
    outcome: 'Failed',
    message: /^set settings of plugin swlvol .* failed after 1 attempt: setting "NOPE" not found/,
  },
  {
    name: 'enable fails on every attempt',
    steps: [...fresh, ...failures(3, fail('enable', 'dial unix swlvol.sock: no such file'))],
    outcome: 'Failed',
    message: /^enable plugin swlvol .* failed after 3 attempts: dial unix swlvol.sock: no such file$/,
  },
  {
    name: 'verify times out',
    steps: [
      ...toVerify,
      done('listed', false),
      after('verifyInterval'),
      done('listed', false),
      after('verifyTimeout'),
    ],
    outcome: 'Failed',
    message:
      /^verify plugin swlvol .* did not list the plugin in the node description within 60000 ms \(2 checks\)$/,
  },
  {
    name: 'upgrade to another reference',
    input: { remote: REF2 },
    steps: [...upgraded, done('enable'), done('listed', true)],
    outcome: 'Installed',
    message: `swlvol (${REF2}) enabled on node n2`,
    visited: ['inspect', 'privileges', 'disable', 'upgrade', 'enable', 'verify', 'installed'],
  },
  {
    name: 'upgrade refused: nothing is disabled',
    input: { remote: REF2, allowedPrivileges: [] },
    steps: [done('inspect', installedRef1), done('privileges', NETWORK_NONE)],
    outcome: 'Refused',
    message: /asks for privileges not allowed: network=\[none\]/,
    visited: ['inspect', 'privileges', 'refused'],
  },
  {
    name: 'disable before upgrade fails: no rollback needed',
    input: { remote: REF2 },
    steps: [
      done('inspect', installedRef1),
      done('privileges', NETWORK_NONE),
      ...failures(3, fail('disable', 'plugin in use')),
    ],
    outcome: 'Failed',
    message: /^disable plugin swlvol .* failed after 3 attempts: plugin in use$/,
  },
  {
    name: 'upgrade fails -> rolled back',
    input: { remote: REF2 },
    steps: [...upgradeStart, fail('upgrade', 'manifest unknown', false), ...rollbackOk],
    outcome: 'RolledBack',
    message: `rolled back to ${REF1} on node n2: upgrade plugin swlvol (${REF2}) on node n2 failed after 1 attempt: manifest unknown`,
    visited: ['inspect', 'privileges', 'disable', 'upgrade', 'rollingBack', 'rolledBack'],
  },
  {
    name: 'enable after upgrade fails -> rolled back',
    input: { remote: REF2 },
    steps: [...upgraded, ...failures(3, fail('enable', 'exec: /nope: not found')), ...rollbackOk],
    outcome: 'RolledBack',
    message: /^rolled back to .*:1 on node n2: enable plugin swlvol .* failed after 3 attempts: exec/,
  },
  {
    name: 'set after upgrade fails -> rolled back',
    input: { remote: REF2, settings: { env: ['DEBUG=1'] } },
    steps: [...upgraded, fail('configure', 'setting "DEBUG" not found', false), ...rollbackOk],
    outcome: 'RolledBack',
    message: /^rolled back to .*:1 on node n2: set settings of plugin/,
  },
  {
    name: 'verify after upgrade times out -> rolled back',
    input: { remote: REF2 },
    steps: [...upgraded, done('enable'), done('listed', false), after('verifyTimeout'), ...rollbackOk],
    outcome: 'RolledBack',
    message: /^rolled back to .*:1 on node n2: verify plugin .* within 60000 ms \(1 checks\)$/,
  },
  {
    name: 'rollback fails',
    input: { remote: REF2 },
    steps: [
      ...upgradeStart,
      fail('upgrade', 'manifest unknown', false),
      done('rollbackDisable'),
      ...failures(3, fail('rollbackUpgrade', 'registry down')),
    ],
    outcome: 'Failed',
    message:
      `upgrade plugin swlvol (${REF2}) on node n2 failed after 1 attempt: manifest unknown; rollback to ${REF1} failed: ` +
      `roll back plugin swlvol (${REF1}) on node n2 failed after 3 attempts: registry down`,
  },
  {
    name: 'enable after rollback fails',
    input: { remote: REF2 },
    steps: [
      ...upgradeStart,
      fail('upgrade', 'manifest unknown', false),
      done('rollbackDisable'),
      done('rollbackUpgrade', VOLUME),
      ...failures(3, after('stepTimeout')),
    ],
    outcome: 'Failed',
    message:
      /rollback to .*:1 failed: enable plugin after rollback swlvol .* failed after 3 attempts: timed out/,
  },
];

describe('plugin install machine (pure transitions)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const run = drive(input(c.input), c.steps);
    expect(run.snapshot.status).toBe('done');
    expect(run.snapshot.output?.outcome).toBe(c.outcome);
    if (typeof c.message === 'string') expect(run.snapshot.output?.message).toBe(c.message);
    else expect(run.snapshot.output?.message).toMatch(c.message);
    if (c.visited) expect(run.visited).toEqual(c.visited);
  });

  it('adopting never invokes pull, privileges, disable or enable', () => {
    const run = drive(input(), [done('inspect', installedRef1), done('listed', true)]);
    expect(run.invoked).toEqual(['inspect', 'listed']);
  });

  it('pull and upgrade send exactly the privileges the Engine listed', () => {
    const asked = [{ Name: 'network', Description: 'd', Value: ['none'] }];
    const run = drive(input(), [done('inspect', null), done('privileges', asked)]);
    expect(run.snapshot.context.privileges).toBe(asked);
    const child = run.snapshot.children.pull as unknown as { options?: { input?: unknown } } | undefined;
    expect(child?.options?.input).toEqual({ name: 'swlvol', remote: REF1, privileges: asked });
  });

  it('a rollback leaves a plugin that was disabled before the upgrade disabled', () => {
    const disabled = { ...installedRef1, enabled: false };
    const run = drive(input({ remote: REF2 }), [
      done('inspect', disabled),
      done('privileges', NETWORK_NONE),
      done('disable'),
      fail('upgrade', 'manifest unknown', false),
      done('rollbackDisable'),
      done('rollbackUpgrade', VOLUME),
    ]);
    expect(run.snapshot.output?.outcome).toBe('RolledBack');
    expect(run.invoked).not.toContain('enable');
  });

  it.each([
    ['inspect', [] as Step[]],
    ['pull', [done('inspect', null), done('privileges', NETWORK_NONE)]],
    ['verify', [...toVerify, done('listed', false)]],
  ])('RESUME in %s re-enters the step with fresh attempts', (step, steps) => {
    const mid = drive(input(), steps);
    const resumed = drive(input(), [{ type: 'RESUME' }], mid.snapshot);
    expect(Object.keys(resumed.snapshot.value as object)[0]).toBe(step);
    expect(resumed.snapshot.context.attempt).toBe(1);
    expect(resumed.invoked.length).toBe(1);
  });
});
