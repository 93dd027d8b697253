// The plugin install machine's Docker operations (dockerPluginOps) against one fake node: which
// Engine calls each makes, its idempotence on retry or resume, and its errors (message with the
// HTTP status, retryable unless retrying cannot fix it).
import { describe, expect, it } from 'vitest';
import { dockerPluginOps } from '../../../controllers/plugin/plugin-actors.js';
import { StepError } from '../../../machines/step-policy.js';
import { FakePluginSwarm, VOLUME_TYPES, type Fault } from './fake-plugin-swarm.js';
import { NETWORK_NONE, REF1, REF2 } from './plugin-harness.js';

const signal = new AbortController().signal;

function setup() {
  const s = new FakePluginSwarm();
  s.registry.set(REF1, NETWORK_NONE);
  s.registry.set(REF2, NETWORK_NONE);
  const n = s.node('n1');
  const ops = dockerPluginOps({ node: s.endpoints.docker(n)!, manager: s.manager, nodeId: n.id });
  const call = <I, O>(op: (a: { input: I; signal: AbortSignal }) => Promise<O>, input: I) =>
    op({ input, signal });
  return { s, n, ops, call };
}

const stepError = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(StepError);
  return { message: (e as StepError).message, retryable: (e as StepError).retryable };
};

describe('dockerPluginOps', () => {
  it('inspect: null when absent, the observed fields otherwise (defaults for missing ones)', async () => {
    const { s, n, ops, call } = setup();
    expect(await call(ops.inspect, { name: 'swlvol' })).toBeNull();
    s.plugin(n, 'swlvol', REF1, { Enabled: false, Settings: { Env: ['A=1'], Args: [], Mounts: [] } });
    expect(await call(ops.inspect, { name: 'swlvol' })).toEqual({
      remote: REF1,
      enabled: false,
      types: VOLUME_TYPES,
      settings: { Env: ['A=1'], Args: [], Mounts: [] },
    });
    n.plugins.set('bare', { Name: 'bare' } as never);
    expect(await call(ops.inspect, { name: 'bare' })).toEqual({
      remote: '',
      enabled: false,
      types: [],
      settings: {},
    });
    expect(s.calls.at(-1)).toBe('n1 GET /plugins/bare/json');
  });

  it('names are encoded in paths', async () => {
    const { s, ops, call } = setup();
    await call(ops.inspect, { name: 'reg:5000/a/b:1' });
    expect(s.calls).toEqual(['n1 GET /plugins/reg%3A5000%2Fa%2Fb%3A1/json']);
  });

  it.each<[string, Fault, string, boolean]>([
    ['500', { status: 500, message: ' daemon busy ' }, 'inspect swlvol: daemon busy (HTTP 500)', true],
    ['no status', { status: -1, message: 'socket hang up' }, 'inspect swlvol: socket hang up', true],
    [
      'permanent',
      { status: 400, message: 'invalid reference format' },
      'inspect swlvol: invalid reference format (HTTP 400)',
      false,
    ],
  ])('inspect error %s -> StepError with message and retry policy', async (_, fault, message, retryable) => {
    const { s, ops, call } = setup();
    s.faults.set('GET /plugins/swlvol/json', fault);
    expect(await stepError(call(ops.inspect, { name: 'swlvol' }))).toEqual({ message, retryable });
  });

  it('an Engine error is kept as the cause of the step error', async () => {
    const { s, ops, call } = setup();
    s.faults.set('GET /plugins/swlvol/json', { status: 500, message: 'boom' });
    const e = await call(ops.inspect, { name: 'swlvol' }).catch((x: unknown) => x);
    expect((e as Error).cause).toEqual({ statusCode: 500, json: { message: 'boom' } });
  });

  it.each([
    ['incorrect privileges', false],
    ['env FOO not found in the plugin configuration', false],
    ['mount data is not settable', false],
    ['Invalid Reference Format', false],
    ['manifest unknown: x', false],
    ['i/o timeout', true],
  ])('a pull whose stream says %j is retryable: %s', async (message, retryable) => {
    const { s, ops, call } = setup();
    s.faults.set('POST /plugins/pull', { status: 0, message });
    const e = await stepError(call(ops.pull, { name: 'swlvol', remote: REF1, privileges: [] }));
    expect(e).toEqual({ message: `pull ${REF1} as swlvol: ${message}`, retryable });
  });

  it('privileges: what the registry asks for, [] for null; errors name the remote', async () => {
    const { s, ops, call } = setup();
    expect(await call(ops.privileges, { remote: REF1 })).toEqual(NETWORK_NONE);
    expect(await call(ops.privileges, { remote: 'none' })).toEqual([]);
    s.faults.set('GET /plugins/privileges', { status: 500, message: 'registry down' });
    expect(await stepError(call(ops.privileges, { remote: REF1 }))).toEqual({
      message: `privileges of ${REF1}: registry down (HTTP 500)`,
      retryable: true,
    });
  });

  it('pull: with the privileges as body; a pull already done is adopted; another reference refused', async () => {
    const { s, n, ops, call } = setup();
    const out = await call(ops.pull, { name: 'swlvol', remote: REF1, privileges: NETWORK_NONE });
    expect(out).toEqual({ types: VOLUME_TYPES });
    expect(s.writes).toEqual([
      `n1 POST /plugins/pull {"remote":"${REF1}","name":"swlvol"} ${JSON.stringify(NETWORK_NONE)}`,
    ]);
    s.calls.length = 0;
    expect(await call(ops.pull, { name: 'swlvol', remote: REF1, privileges: NETWORK_NONE })).toEqual({
      types: VOLUME_TYPES,
    });
    expect(s.writes).toEqual([]);
    n.plugins.get('swlvol')!.PluginReference = REF2;
    expect(await stepError(call(ops.pull, { name: 'swlvol', remote: REF1, privileges: [] }))).toEqual({
      message: `pull ${REF1} as swlvol: a plugin swlvol with reference ${REF2} is already installed`,
      retryable: false,
    });
    s.faults.set('POST /plugins/pull', { status: 500, message: 'no space' });
    n.plugins.clear();
    expect(await stepError(call(ops.pull, { name: 'swlvol', remote: REF1, privileges: [] }))).toEqual({
      message: `pull ${REF1} as swlvol: no space (HTTP 500)`,
      retryable: true,
    });
  });

  it('a pull that leaves no plugin behind fails retryably', async () => {
    const { s, ops, call } = setup();
    s.faults.set('GET /plugins/swlvol/json', { status: 404, message: 'gone' });
    expect(await stepError(call(ops.pull, { name: 'swlvol', remote: REF1, privileges: [] }))).toEqual({
      message: 'plugin swlvol is not installed',
      retryable: true,
    });
  });

  it.each([
    ['disable', true, ['n1 POST /plugins/swlvol/disable']],
    ['disable', false, []],
    ['enable', false, ['n1 POST /plugins/swlvol/enable {"timeout":0}']],
    ['enable', true, []],
  ] as const)('%s of a plugin enabled=%s calls %j', async (op, enabled, writes) => {
    const { s, n, ops, call } = setup();
    s.plugin(n, 'swlvol', REF1, { Enabled: enabled });
    await call(ops[op], { name: 'swlvol' });
    expect(s.writes).toEqual(writes);
    expect(n.plugins.get('swlvol')!.Enabled).toBe(op === 'enable');
  });

  it.each(['disable', 'enable', 'configure', 'upgrade'] as const)(
    '%s of a missing plugin fails',
    async (op) => {
      const { ops, call } = setup();
      const input = { name: 'swlvol', remote: REF1, settings: { env: ['A=1'] } };
      expect(await stepError(call(ops[op] as never, input))).toEqual({
        message: 'plugin swlvol is not installed',
        retryable: true,
      });
    },
  );

  it.each([
    ['enable', 'POST /plugins/swlvol/enable', false, 'enable swlvol: boom (HTTP 500)'],
    ['disable', 'POST /plugins/swlvol/disable', true, 'disable swlvol: boom (HTTP 500)'],
  ] as const)('%s errors name the operation', async (op, route, enabled, message) => {
    const { s, n, ops, call } = setup();
    s.plugin(n, 'swlvol', REF1, { Enabled: enabled });
    s.faults.set(route, { status: 500, message: 'boom' });
    expect(await stepError(call(ops[op], { name: 'swlvol' }))).toEqual({ message, retryable: true });
  });

  it('upgrade: to the new reference with the given or asked privileges; a no-op when already there', async () => {
    const { s, n, ops, call } = setup();
    s.plugin(n, 'swlvol', REF1, { Enabled: false });
    expect(await call(ops.upgrade, { name: 'swlvol', remote: REF1 })).toEqual({ types: VOLUME_TYPES });
    expect(s.calls).toEqual(['n1 GET /plugins/swlvol/json']);
    await call(ops.upgrade, { name: 'swlvol', remote: REF2 });
    expect(s.calls).toContain(`n1 GET /plugins/privileges {"remote":"${REF2}"}`);
    expect(s.writes).toEqual([
      `n1 POST /plugins/swlvol/upgrade {"remote":"${REF2}"} ${JSON.stringify(NETWORK_NONE)}`,
    ]);
    s.calls.length = 0;
    const granted = [{ Name: 'mount', Description: '', Value: ['/data'] }];
    await call(ops.upgrade, { name: 'swlvol', remote: REF1, privileges: granted });
    expect(s.calls.some((c) => c.includes('privileges'))).toBe(false);
    expect(s.writes).toEqual([
      `n1 POST /plugins/swlvol/upgrade {"remote":"${REF1}"} ${JSON.stringify(granted)}`,
    ]);
  });

  it('upgrade: the stream error or a reference that did not change fail the step', async () => {
    const { s, n, ops, call } = setup();
    s.plugin(n, 'swlvol', REF1, { Enabled: false });
    s.faults.set('POST /plugins/swlvol/upgrade', { status: 0, message: 'manifest unknown', times: 1 });
    expect(await stepError(call(ops.upgrade, { name: 'swlvol', remote: REF2, privileges: [] }))).toEqual({
      message: `upgrade swlvol to ${REF2}: manifest unknown`,
      retryable: false,
    });
    s.upgradeIgnored = true;
    expect(await stepError(call(ops.upgrade, { name: 'swlvol', remote: REF2, privileges: [] }))).toEqual({
      message: `upgrade swlvol to ${REF2}: the plugin still has reference ${REF1}`,
      retryable: true,
    });
    n.plugins.get('swlvol')!.Enabled = true; // the fake refuses to upgrade an enabled plugin
    expect(await stepError(call(ops.upgrade, { name: 'swlvol', remote: REF2, privileges: [] }))).toEqual({
      message: `upgrade swlvol to ${REF2}: plugin must be disabled before upgrading (HTTP 500)`,
      retryable: true,
    });
  });

  it('configure: sets env, mounts and named args; nothing to set makes no call', async () => {
    const { s, n, ops, call } = setup();
    s.plugin(n, 'swlvol', REF1, { Config: { Interface: { Types: [] }, Args: { Name: 'opts' } } });
    await call(ops.configure, { name: 'swlvol', settings: undefined });
    await call(ops.configure, { name: 'swlvol', settings: {} });
    expect(s.writes).toEqual([]);
    await call(ops.configure, {
      name: 'swlvol',
      settings: { env: ['K=v=w'], mounts: [{ name: 'state', source: '/srv' }], args: ['-a', '-b'] },
    });
    expect(s.writes).toEqual(['n1 POST /plugins/swlvol/set ["K=v=w","state.source=/srv","opts=-a -b"]']);
    s.faults.set('POST /plugins/swlvol/set', { status: 500, message: 'env K is not settable' });
    expect(await stepError(call(ops.configure, { name: 'swlvol', settings: { env: ['K=secret'] } }))).toEqual(
      {
        message: 'set K on swlvol: env K is not settable (HTTP 500)',
        retryable: false,
      },
    );
  });

  it.each([
    ['', 'swlvol', true],
    [':latest', 'swlvol', true],
    [':1', 'swlvol', false],
    ['', 'other', false],
  ])('listed: the manager lists the plugin as <name>%s, asked for %s -> %s', async (suffix, name, want) => {
    const { s, n, ops, call } = setup();
    s.listSuffix = suffix;
    s.plugin(n, 'swlvol', REF1);
    expect(await call(ops.listed, { name })).toBe(want);
    expect(s.calls).toEqual(['manager GET /nodes/N-n1']);
  });

  it.each([
    ['no Description', {}],
    ['no Engine', { Description: {} }],
    ['no Plugins', { Description: { Engine: {} } }],
    ['a plugin without a name', { Description: { Engine: { Plugins: [{ Type: 'Volume' }] } } }],
  ])('listed: a node description with %s is false', async (_, description) => {
    const { s, ops, call } = setup();
    s.descriptions.set('N-n1', description);
    expect(await call(ops.listed, { name: 'swlvol' })).toBe(false);
  });

  it.each([
    ['no Config', {}],
    ['no Interface nor Args', { Config: {} }],
    ['no Types nor Name', { Config: { Interface: {}, Args: {} } }],
  ])('a plugin inspected with %s: no types; args set under "args"', async (_, over) => {
    const { s, n, ops, call } = setup();
    n.plugins.set('swlvol', { Name: 'swlvol', PluginReference: REF1, Enabled: true, ...over } as never);
    expect(await call(ops.inspect, { name: 'swlvol' })).toMatchObject({ types: [] });
    expect(await call(ops.pull, { name: 'swlvol', remote: REF1, privileges: [] })).toEqual({ types: [] });
    expect(await call(ops.upgrade, { name: 'swlvol', remote: REF1 })).toEqual({ types: [] });
    n.plugins.get('swlvol')!.Settings = { Env: [], Args: [], Mounts: [] };
    await call(ops.configure, { name: 'swlvol', settings: { args: ['-x'] } });
    expect(s.writes).toEqual(['n1 POST /plugins/swlvol/set ["args=-x"]']);
  });

  it('listed: a manager error names the node; a description without plugins is false', async () => {
    const { s, ops, call } = setup();
    expect(await call(ops.listed, { name: 'swlvol' })).toBe(false);
    s.faults.set('GET /nodes/N-n1', { status: 503, message: 'no leader' });
    expect(await stepError(call(ops.listed, { name: 'swlvol' }))).toEqual({
      message: 'inspect node N-n1: no leader (HTTP 503)',
      retryable: true,
    });
  });
});
