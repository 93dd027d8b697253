import { describe, expect, it } from 'vitest';
import {
  aggregatePluginStatus,
  eligibleNodes,
  runningNodeState,
  type FleetNode,
} from '../../machines/plugin-fleet.js';

const node = (
  hostname: string,
  labels: Record<string, string> = {},
  role: FleetNode['role'] = 'worker',
): FleetNode => ({
  id: `id-${hostname}`,
  hostname,
  role,
  labels,
  state: 'ready',
});
const n1 = node('n1', { storage: 'ssd' }, 'manager');
const n2 = node('n2', { storage: 'ssd' });
const n3 = node('n3');

describe('plugin fleet', () => {
  it.each([
    [undefined, ['n1', 'n2', 'n3']],
    [{}, ['n1', 'n2', 'n3']],
    [{ storage: 'ssd' }, ['n1', 'n2']],
    [{ storage: 'hdd' }, []],
  ])('nodeSelector %j selects %j (workers included)', (nodeSelector, names) => {
    expect(eligibleNodes([n3, n2, n1], { nodeSelector }).map((n) => n.hostname)).toEqual(names);
  });

  const st = (n: string, state: string, message?: string) => [n, { node: n, state, message }] as const;
  it.each([
    [
      'all installed',
      [st('n1', 'Installed'), st('n2', 'Installed'), st('n3', 'Installed')],
      'Ready',
      '3/3 nodes',
    ],
    [
      'one still pulling',
      [st('n1', 'Installed'), st('n2', 'Pulling'), st('n3', 'Installed')],
      'Installing',
      '2/3 nodes',
    ],
    ['one not started', [st('n1', 'Installed'), st('n2', 'Installed')], 'Installing', '2/3 nodes'],
    [
      'one failed',
      [st('n1', 'Installed'), st('n2', 'Failed', 'x'), st('n3', 'Installed')],
      'Failed',
      '2/3 nodes',
    ],
    [
      'rolled back counts as failed',
      [st('n1', 'Installed'), st('n2', 'RolledBack'), st('n3', 'Installed')],
      'Failed',
      '2/3 nodes',
    ],
    [
      'unreachable node',
      [st('n1', 'Installed'), st('n2', 'Unreachable'), st('n3', 'Installed')],
      'Failed',
      '2/3 nodes',
    ],
    [
      'refused wins',
      [st('n1', 'Refused', 'plugin asks'), st('n2', 'Pulling'), st('n3', 'Failed')],
      'Refused',
      '0/3 nodes',
    ],
  ])('%s', (_name, entries, phase, progress) => {
    const s = aggregatePluginStatus([n1, n2, n3], new Map(entries));
    expect([s.phase, s.progress, s.readyNodes, s.desiredNodes, s.nodes.length]).toEqual([
      phase,
      progress,
      Number(progress[0]),
      3,
      3,
    ]);
  });

  it('lists the failed nodes in the message', () => {
    const s = aggregatePluginStatus(
      [n1, n2],
      new Map([st('n1', 'Installed'), st('n2', 'Failed', 'enable failed')]),
    );
    expect(s.message).toBe('n2: Failed (enable failed)');
  });

  it('no eligible node is Ready with 0/0', () => {
    expect(aggregatePluginStatus([], new Map())).toMatchObject({ phase: 'Ready', progress: '0/0 nodes' });
  });

  it.each([
    [{ pull: 'run' }, { attempt: 1 }, 'Pulling', 'pulling r:1'],
    [
      { pull: 'retry' },
      { attempt: 2, lastFailure: { message: 'boom', retryable: true } },
      'Pulling',
      'attempt 2 (last error: boom)',
    ],
    [
      { verify: 'wait' },
      { attempt: 1, verifyChecks: 4 },
      'Verifying',
      'waiting for the swarm manager to list the plugin (check 4)',
    ],
    [
      { rollingBack: { rollbackUpgrade: 'run' } },
      { attempt: 1, previousRemote: 'r:0' },
      'RollingBack',
      'rolling back to r:0',
    ],
  ])('running state %j', (value, ctx, state, message) => {
    expect(runningNodeState(value, { remote: 'r:1', verifyChecks: 0, ...ctx })).toEqual({ state, message });
  });
});
