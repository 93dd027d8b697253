// What the plugin install machine asks its actors (each actor and its exact input, in order), and the
// reference it reports, per path; the decide branches for enabled/disabled and settings; the placeholders.
import { createActor, toPromise } from 'xstate';
import { describe, expect, it } from 'vitest';
import { pluginInstallActors } from '../../machines/plugin-install.setup.js';
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

const NAME = { name: 'swlvol' };
const DEBUG = { env: ['DEBUG=1'] };
const installed = (over: object = {}) => ({
  remote: REF1,
  enabled: true,
  types: VOLUME.types,
  settings: {},
  ...over,
});

interface Case {
  name: string;
  input?: Parameters<typeof input>[0];
  steps: Step[];
  inputs: { src: string; input: unknown }[];
  outcome: string;
  remote: string;
  message?: RegExp;
}

const upgradeStart: Step[] = [
  done('inspect', installed()),
  done('privileges', NETWORK_NONE),
  done('disable'),
];

const cases: Case[] = [
  {
    name: 'fresh install',
    steps: [
      done('inspect', null),
      done('privileges', NETWORK_NONE),
      done('pull', VOLUME),
      done('enable'),
      done('listed', true),
    ],
    inputs: [
      { src: 'inspect', input: NAME },
      { src: 'privileges', input: { remote: REF1 } },
      { src: 'pull', input: { ...NAME, remote: REF1, privileges: NETWORK_NONE } },
      { src: 'enable', input: NAME },
      { src: 'listed', input: NAME },
    ],
    outcome: 'Installed',
    remote: REF1,
  },
  {
    name: 'fresh install with settings',
    input: { settings: DEBUG },
    steps: [
      done('inspect', null),
      done('privileges', NETWORK_NONE),
      done('pull', VOLUME),
      done('configure'),
      done('enable'),
      done('listed', true),
    ],
    inputs: [
      { src: 'inspect', input: NAME },
      { src: 'privileges', input: { remote: REF1 } },
      { src: 'pull', input: { ...NAME, remote: REF1, privileges: NETWORK_NONE } },
      { src: 'configure', input: { ...NAME, settings: DEBUG } },
      { src: 'enable', input: NAME },
      { src: 'listed', input: NAME },
    ],
    outcome: 'Installed',
    remote: REF1,
  },
  {
    name: 'upgrade: privileges of the new reference, disable, upgrade with them',
    input: { remote: REF2 },
    steps: [...upgradeStart, done('upgrade', VOLUME), done('enable'), done('listed', true)],
    inputs: [
      { src: 'inspect', input: NAME },
      { src: 'privileges', input: { remote: REF2 } },
      { src: 'disable', input: NAME },
      { src: 'upgrade', input: { ...NAME, remote: REF2, privileges: NETWORK_NONE } },
      { src: 'enable', input: NAME },
      { src: 'listed', input: NAME },
    ],
    outcome: 'Installed',
    remote: REF2,
  },
  {
    name: 'upgrade fails: rolled back to the previous reference, which is reported',
    input: { remote: REF2 },
    steps: [
      ...upgradeStart,
      fail('upgrade', 'manifest unknown', false),
      done('rollbackDisable'),
      done('rollbackUpgrade', VOLUME),
      done('rollbackEnable'),
    ],
    inputs: [
      { src: 'inspect', input: NAME },
      { src: 'privileges', input: { remote: REF2 } },
      { src: 'disable', input: NAME },
      { src: 'upgrade', input: { ...NAME, remote: REF2, privileges: NETWORK_NONE } },
      { src: 'disable', input: NAME },
      { src: 'upgrade', input: { ...NAME, remote: REF1 } },
      { src: 'enable', input: NAME },
    ],
    outcome: 'RolledBack',
    remote: REF1,
  },
  {
    name: 'upgrade refused: the desired reference is reported, not the installed one',
    input: { remote: REF2, allowedPrivileges: [] },
    steps: [done('inspect', installed()), done('privileges', NETWORK_NONE)],
    inputs: [
      { src: 'inspect', input: NAME },
      { src: 'privileges', input: { remote: REF2 } },
    ],
    outcome: 'Refused',
    remote: REF2,
  },
  {
    name: 'upgrade fails, rollback fails: failed, the desired reference reported',
    input: { remote: REF2 },
    steps: [
      ...upgradeStart,
      fail('upgrade', 'manifest unknown', false),
      ...failures(3, fail('rollbackDisable', 'x')),
    ],
    inputs: [
      { src: 'inspect', input: NAME },
      { src: 'privileges', input: { remote: REF2 } },
      { src: 'disable', input: NAME },
      { src: 'upgrade', input: { ...NAME, remote: REF2, privileges: NETWORK_NONE } },
      { src: 'disable', input: NAME },
      { src: 'disable', input: NAME },
      { src: 'disable', input: NAME },
    ],
    outcome: 'Failed',
    remote: REF2,
  },
  {
    name: 'enabled, wanted disabled, settings as desired: only disabled',
    input: { enabled: false, settings: DEBUG },
    steps: [done('inspect', installed({ settings: { Env: ['DEBUG=1'] } })), done('disable')],
    inputs: [
      { src: 'inspect', input: NAME },
      { src: 'disable', input: NAME },
    ],
    outcome: 'Installed',
    remote: REF1,
    message: /^swlvol \(.*:1\) installed, disabled on node n2$/,
  },
  {
    name: 'enabled, wanted disabled, settings differ: disabled, then set',
    input: { enabled: false, settings: DEBUG },
    steps: [
      done('inspect', installed({ settings: { Env: ['DEBUG=0'] } })),
      done('disable'),
      done('configure'),
    ],
    inputs: [
      { src: 'inspect', input: NAME },
      { src: 'disable', input: NAME },
      { src: 'configure', input: { ...NAME, settings: DEBUG } },
    ],
    outcome: 'Installed',
    remote: REF1,
    message: /installed, disabled on node n2$/,
  },
  {
    name: 'disabled, wanted disabled, settings differ: set without a disable',
    input: { enabled: false, settings: DEBUG },
    steps: [done('inspect', installed({ enabled: false })), done('configure')],
    inputs: [
      { src: 'inspect', input: NAME },
      { src: 'configure', input: { ...NAME, settings: DEBUG } },
    ],
    outcome: 'Installed',
    remote: REF1,
  },
  {
    name: 'disabled, wanted enabled: enabled without a disable',
    steps: [done('inspect', installed({ enabled: false })), done('enable'), done('listed', true)],
    inputs: [
      { src: 'inspect', input: NAME },
      { src: 'enable', input: NAME },
      { src: 'listed', input: NAME },
    ],
    outcome: 'Installed',
    remote: REF1,
  },
  {
    name: 'adopted plugin of no driver type: not verified in the node description',
    steps: [done('inspect', installed({ types: ['docker.authz/1.0'] }))],
    inputs: [{ src: 'inspect', input: NAME }],
    outcome: 'Installed',
    remote: REF1,
    message: /\(already installed\)$/,
  },
  {
    name: 'adopted plugin with a driver among other types: verified',
    steps: [
      done('inspect', installed({ types: ['docker.authz/1.0', 'docker.networkdriver/1.0'] })),
      done('listed', false),
      after('verifyInterval'),
      done('listed', true),
    ],
    inputs: [
      { src: 'inspect', input: NAME },
      { src: 'listed', input: NAME },
      { src: 'listed', input: NAME },
    ],
    outcome: 'Installed',
    remote: REF1,
  },
];

describe('plugin install machine: actor inputs and reported reference per path', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const run = drive(input(c.input), c.steps);
    expect(run.snapshot.status).toBe('done');
    expect(run.inputs).toEqual(c.inputs);
    expect(run.snapshot.output?.outcome).toBe(c.outcome);
    expect(run.snapshot.output?.remote).toBe(c.remote);
    if (c.message) expect(run.snapshot.output?.message).toMatch(c.message);
  });
});

describe('plugin install actor placeholders', () => {
  it.each(Object.keys(pluginInstallActors))('%s fails naming itself until provided', async (name) => {
    const logic = pluginInstallActors[name as keyof typeof pluginInstallActors];
    const actor = createActor(logic as typeof pluginInstallActors.inspect, { input: NAME });
    actor.subscribe({ error: () => undefined });
    actor.start();
    await expect(toPromise(actor)).rejects.toThrow(
      `plugin install actor "${name}" is not provided; use machine.provide({ actors })`,
    );
  });
});
