// The SwarmPlugin verdict of a fleet still installing, and the grouping of uninstall problems into
// one message (cases the kind tests do not reach).
import { describe, expect, it } from 'vitest';
import { pluginVerdict } from '../../../controllers/plugin/plugin-kind.js';
import { uninstallMessage } from '../../../controllers/plugin/plugin-uninstall.js';

describe('pluginVerdict', () => {
  it('a fleet still installing is Installing, reconciling, looked at again', () => {
    const v = pluginVerdict('K', {
      phase: 'Installing',
      progress: '0/1 nodes',
      message: 'installing on 1 node(s)',
      nodes: [{ node: 'n1', state: 'Pulling' }],
      readyNodes: 0,
      desiredNodes: 1,
    });
    expect(v).toEqual({
      verdict: { ready: false, reason: 'Installing', message: 'installing on 1 node(s)', reconciling: true },
      retry: true,
    });
  });
});

describe('uninstallMessage', () => {
  it.each([
    [
      'plugin and volumes do not run together in the grouping',
      [
        { node: 'n1', plugin: 'p1', volumes: ['x'], message: '' },
        { node: 'n2', plugin: 'p', volumes: ['1x'], message: '' },
      ],
      'plugin p1 is still used by volume(s) x on node(s) n1; plugin p is still used by volume(s) 1x on node(s) n2',
    ],
    [
      'different volumes are different groups; volumes listed with commas',
      [
        { node: 'n1', plugin: 'p', volumes: ['a', 'b'], message: '' },
        { node: 'n2', plugin: 'p', volumes: ['c'], message: '' },
        { node: 'n3', plugin: 'p', volumes: ['a', 'b'], message: '' },
      ],
      'plugin p is still used by volume(s) a, b on node(s) n1, n3; plugin p is still used by volume(s) c on node(s) n2',
    ],
    [
      'other problems come after, sorted',
      [
        { node: 'n2', plugin: 'p', message: 'node n2 is unreachable' },
        { node: 'n1', plugin: 'p', message: 'node n1 is unreachable' },
      ],
      'node n1 is unreachable; node n2 is unreachable',
    ],
  ])('%s', (_, problems, message) => {
    expect(uninstallMessage(problems)).toBe(message);
  });
});
