// SwarmPlugin over its nodes: selector and order, the install input, running states, status messages.
import { describe, expect, it } from 'vitest';
import {
  aggregatePluginStatus,
  eligibleNodes,
  finalNodeState,
  installInput,
  matchesSelector,
  pluginName,
  runningNodeState,
  type FleetNode,
  type PluginNodeState,
} from '../../machines/plugin-fleet.js';
import { DEFAULT_STEP_POLICY } from '../../machines/step-policy.js';
import type { SwarmPluginSpec } from '../../reconciler/api/swarm-plugin.js';

const node = (hostname: string, labels: Record<string, string> = {}, id = `id-${hostname}`): FleetNode => ({
  id,
  hostname,
  role: 'worker',
  labels,
  state: 'ready',
});
const st = (n: string, state: string, message?: string): [string, PluginNodeState] => [
  n,
  { node: n, state, ...(message !== undefined ? { message } : {}) },
];

describe('plugin fleet: nodes and inputs', () => {
  it.each([
    [{ a: '1', b: '2' }, { a: '1' }, true],
    [{ a: '1', b: '2' }, { a: '1', b: '2' }, true],
    [{ a: '1' }, { a: '1', b: '2' }, false],
    [{ a: '1' }, { a: '' }, false],
    [{}, {}, true],
  ])('labels %j match selector %j: %s', (labels, selector, expected) => {
    expect(matchesSelector(node('n', labels), selector)).toBe(expected);
  });

  it('same hostname: ordered by ID, whatever the input order', () => {
    const a = node('n1', {}, 'B');
    const b = node('n1', {}, 'A');
    const c = node('n0', {}, 'Z');
    expect(eligibleNodes([a, b, c], {}).map((n) => n.id)).toEqual(['Z', 'A', 'B']);
    expect(eligibleNodes([c, b, a], {}).map((n) => n.id)).toEqual(['Z', 'A', 'B']);
  });

  it.each([
    [{ remote: 'r/p:1' }, 'r/p:1'],
    [{ remote: 'r/p:1', alias: 'p' }, 'p'],
  ])('plugin name of %j is %s', (spec, name) => {
    expect(pluginName(spec)).toBe(name);
  });

  it('the install input of a node: its hostname, the spec, the policy with overrides', () => {
    const spec: SwarmPluginSpec = {
      remote: 'r/p:1',
      alias: 'p',
      enabled: false,
      adopt: false,
      settings: { env: ['A=1'] },
      allowedPrivileges: [{ name: 'network', value: ['host'] }],
    } as SwarmPluginSpec;
    expect(installInput(spec, node('n2'), { maxAttempts: 5 })).toEqual({
      node: 'n2',
      name: 'p',
      remote: 'r/p:1',
      allowedPrivileges: [{ name: 'network', value: ['host'] }],
      settings: { env: ['A=1'] },
      enabled: false,
      policy: { ...DEFAULT_STEP_POLICY, maxAttempts: 5 },
    });
    expect(installInput(spec, node('n2')).policy).toEqual(DEFAULT_STEP_POLICY);
  });
});

describe('plugin fleet: running and final states', () => {
  const base = { remote: 'r:1', verifyChecks: 0, attempt: 1 };
  it.each<[unknown, object, string, string]>([
    ['inspect', {}, 'Inspecting', 'inspecting r:1'],
    ['decide', {}, 'Inspecting', 'inspecting r:1'],
    [
      'adopted',
      { verifyChecks: 1 },
      'Verifying',
      'waiting for the swarm manager to list the plugin (check 1)',
    ],
    [{ privilegesRead: 'x' }, {}, 'CheckingPrivileges', 'checkingprivileges r:1'],
    [{ configured: 'x' }, {}, 'Configuring', 'configuring r:1'],
    [{ somethingNew: 'x' }, {}, 'somethingNew', 'somethingnew r:1'],
    [{}, {}, 'Inspecting', 'inspecting r:1'],
    [
      { pull: 'run' },
      { lastFailure: { message: 'boom', retryable: true } },
      'Pulling',
      'attempt 1 (last error: boom)',
    ],
    [{ pull: 'run' }, { attempt: 2 }, 'Pulling', 'attempt 2'],
    [
      { rollingBack: 'x' },
      { previousRemote: 'r:0', lastFailure: { message: 'boom', retryable: true } },
      'RollingBack',
      'rolling back to r:0 (last error: boom)',
    ],
  ])('%j', (value, over, state, message) => {
    expect(runningNodeState(value, { ...base, ...over })).toEqual({ state, message });
  });

  it('a final state is the outcome and its message', () => {
    expect(finalNodeState({ outcome: 'RolledBack', message: 'm', remote: 'r:0' })).toEqual({
      state: 'RolledBack',
      message: 'm',
    });
  });
});

describe('plugin fleet: status messages', () => {
  const nodes = [node('n1'), node('n2'), node('n3')];
  it.each<[string, [string, PluginNodeState][], string, string]>([
    [
      'all installed',
      [st('n1', 'Installed'), st('n2', 'Installed'), st('n3', 'Installed')],
      'Ready',
      'installed on 3/3 nodes',
    ],
    [
      'installing, nothing wrong',
      [st('n1', 'Installed'), st('n2', 'Pulling')],
      'Installing',
      'installing on 2 node(s)',
    ],
    [
      'installing, one failed',
      [st('n1', 'Failed', 'EOF'), st('n2', 'Pulling'), st('n3', 'Installed')],
      'Installing',
      'installing on 1 node(s); n1: Failed (EOF)',
    ],
    [
      'failed and conflicting, without a message',
      [st('n1', 'Failed', 'EOF'), st('n2', 'Conflict'), st('n3', 'Installed')],
      'Failed',
      'n1: Failed (EOF); n2: Conflict',
    ],
    [
      'refused: its message',
      [st('n1', 'Installed'), st('n2', 'Refused', 'asks for host'), st('n3', 'Refused', 'other')],
      'Refused',
      'asks for host',
    ],
    ['refused without a message', [st('n1', 'Refused')], 'Refused', 'refused'],
  ])('%s', (_n, entries, phase, message) => {
    const s = aggregatePluginStatus(nodes, new Map(entries));
    expect([s.phase, s.message]).toEqual([phase, message]);
  });

  it('no node matches: Ready, says so', () => {
    expect(aggregatePluginStatus([], new Map()).message).toBe('no node matches the nodeSelector');
  });

  it('a node not started yet is Pending, in the order of the nodes', () => {
    const s = aggregatePluginStatus(nodes, new Map([st('n3', 'Installed')]));
    expect(s.nodes).toEqual([
      { node: 'n1', state: 'Pending', message: 'not started' },
      { node: 'n2', state: 'Pending', message: 'not started' },
      { node: 'n3', state: 'Installed' },
    ]);
    expect(s.readyNodes).toBe(1);
  });
});
