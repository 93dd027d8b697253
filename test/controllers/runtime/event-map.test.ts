import { describe, expect, it } from 'vitest';
import type { KindReconcilers, SwarmEvent } from '../../../controllers/ports.js';
import { keysOfKinds, mapEvent } from '../../../controllers/runtime/event-map.js';

const ev = (type: string, action: string, name?: string): SwarmEvent => ({
  type,
  action,
  id: 'id1',
  attributes: name ? { name } : {},
  ...(name ? { name } : {}),
});

const noop = () => Promise.reject(new Error('not called'));
const kinds: KindReconcilers = {
  SwarmStack: { reconcile: noop },
  SwarmNode: { reconcile: noop, wantsEvent: (e) => e.type === 'node' },
  SwarmPlugin: { reconcile: noop, wantsEvent: (e) => e.type === 'plugin' || e.type === 'node' },
};

describe('mapEvent', () => {
  it.each([
    [
      'a service update',
      ev('service', 'update', 'app_web'),
      { invalidatesSnapshots: true, objectName: 'app_web', kinds: [] },
    ],
    [
      'a network removal',
      ev('network', 'destroy', 'app_net'),
      { invalidatesSnapshots: true, objectName: 'app_net', kinds: [] },
    ],
    [
      'a config',
      ev('config', 'create', 'app_c.1'),
      { invalidatesSnapshots: true, objectName: 'app_c.1', kinds: [] },
    ],
    [
      'a secret',
      ev('secret', 'remove', 'app_s.1'),
      { invalidatesSnapshots: true, objectName: 'app_s.1', kinds: [] },
    ],
    [
      'a volume (node-local: not in snapshots)',
      ev('volume', 'create', 'data'),
      { invalidatesSnapshots: false, objectName: 'data', kinds: [] },
    ],
    [
      'a node joined',
      ev('node', 'create', 'node-2'),
      { invalidatesSnapshots: false, objectName: 'node-2', kinds: ['SwarmNode', 'SwarmPlugin'] },
    ],
    [
      'a plugin enabled',
      ev('plugin', 'enable', 'vieux/sshfs'),
      { invalidatesSnapshots: false, objectName: 'vieux/sshfs', kinds: ['SwarmPlugin'] },
    ],
    ['a service event without a name', ev('service', 'update'), { invalidatesSnapshots: true, kinds: [] }],
    ['an event nobody wants', ev('container', 'start'), { invalidatesSnapshots: false, kinds: [] }],
  ])('%s', (_what, e, want) => {
    expect(mapEvent(e, kinds)).toEqual(want);
  });

  it('no kind reconcilers: only the owner of the name', () => {
    expect(mapEvent(ev('node', 'update', 'n1'), {})).toEqual({
      invalidatesSnapshots: false,
      objectName: 'n1',
      kinds: [],
    });
  });
});

describe('keysOfKinds', () => {
  const keys = [
    'SwarmNode/default/n1',
    'SwarmNodeX/default/n2',
    'SwarmPlugin/default/p',
    'SwarmStack/default/app',
  ];
  it.each([
    [['SwarmNode'], ['SwarmNode/default/n1']],
    [
      ['SwarmNode', 'SwarmPlugin'],
      ['SwarmNode/default/n1', 'SwarmPlugin/default/p'],
    ],
    [[], []],
  ])('%j', (k, want) => {
    expect(keysOfKinds(k, keys)).toEqual(want);
  });
});
