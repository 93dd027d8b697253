// SwarmPlugin/SwarmVolume kinds: verdicts and status helpers (pure, table-driven).
import { describe, expect, it } from 'vitest';
import {
  groupNodeMessages,
  isNodeEvent,
  keepTransitionTimes,
  kindConditions,
} from '../../../controllers/machine-runner/kind-status.js';
import { pluginVerdict } from '../../../controllers/plugin/plugin-kind.js';
import { uninstallMessage } from '../../../controllers/plugin/plugin-uninstall.js';
import { volumeFleet, volumeWantsEvent } from '../../../controllers/volume/volume-kind.js';
import { KEY, fleet } from './plugin-volume-fleet.js';

describe('pluginVerdict', () => {
  it.each([
    ['all installed', fleet('Ready', ['Installed', 'Installed']), true, 'Installed', undefined, false, false],
    ['no node selected', fleet('Ready', []), true, 'Installed', undefined, false, false],
    [
      'refused',
      fleet('Refused', ['Refused', 'Refused']),
      false,
      'PrivilegesRefused',
      'SK_ERR_PRIVILEGES_REFUSED',
      true,
      false,
    ],
    [
      'not owned',
      fleet('Failed', ['Installed', 'Conflict']),
      false,
      'OwnershipConflict',
      'SK_ERR_OWNERSHIP_CONFLICT',
      true,
      false,
    ],
    [
      'rolled back',
      fleet('Failed', ['RolledBack', 'Installed']),
      false,
      'RolledBack',
      'SK_ERR_UPGRADE_ROLLED_BACK',
      true,
      false,
    ],
    [
      'a step failed',
      fleet('Failed', ['Failed', 'Unreachable']),
      false,
      'InstallFailed',
      'SK_ERR_DOCKER_API',
      false,
      false,
    ],
    [
      'unreachable',
      fleet('Failed', ['Installed', 'Unreachable']),
      false,
      'NodeUnreachable',
      undefined,
      false,
      true,
    ],
  ])('%s', (_, f, ready, reason, code, stalled, retry) => {
    const v = pluginVerdict(KEY, f);
    expect(v.verdict.ready).toBe(ready);
    expect(v.verdict.reason).toBe(reason);
    expect(v.error?.code).toBe(code);
    expect(v.verdict.stalled === true).toBe(stalled);
    expect(v.retry === true).toBe(retry);
    if (v.error) expect(v.error.message).toBe(`${KEY}: m`);
  });
});

describe('volumeFleet', () => {
  const n = (node: string, state: string, message = `volume v on node ${node} x`) => ({
    node,
    state,
    message,
  });
  it.each([
    [
      'ready everywhere',
      [n('a', 'Ready'), n('b', 'Ready')],
      'Ready',
      '2/2 nodes',
      'VolumeReady',
      undefined,
      'volume v on 2/2 nodes',
    ],
    [
      'no node selected',
      [],
      'Ready',
      '0/0 nodes',
      'VolumeReady',
      undefined,
      'no node matches the nodeSelector',
    ],
    [
      'conflict',
      [n('a', 'Ready'), n('b', 'Conflict')],
      'Blocked',
      '1/2 nodes',
      'OwnershipConflict',
      'SK_ERR_OWNERSHIP_CONFLICT',
      'volume v on node b x',
    ],
    [
      'recreate blocked, grouped',
      [n('a', 'RecreateBlocked'), n('b', 'RecreateBlocked')],
      'Blocked',
      '0/2 nodes',
      'RecreateBlocked',
      'SK_ERR_RECREATE_BLOCKED',
      'volume v on node(s) a, b x',
    ],
    [
      'failed',
      [n('a', 'Failed'), n('b', 'InUse')],
      'Failed',
      '0/2 nodes',
      'VolumeFailed',
      'SK_ERR_DOCKER_API',
      'volume v on node(s) a, b x',
    ],
    [
      'in use',
      [n('a', 'InUse'), n('b', 'Ready')],
      'Blocked',
      '1/2 nodes',
      'InUse',
      undefined,
      'volume v on node a x',
    ],
    [
      'driver not enabled yet',
      [n('a', 'WaitingForDriver'), n('b', 'Unreachable', 'node b is down')],
      'Pending',
      '0/2 nodes',
      'WaitingForDriver',
      undefined,
      'volume v on node a x; node b is down',
    ],
    [
      'unreachable',
      [n('a', 'Unreachable', 'node a is down')],
      'Pending',
      '0/1 nodes',
      'NodeUnreachable',
      undefined,
      'node a is down',
    ],
  ])('%s', (_, nodes, phase, progress, reason, code, message) => {
    const f = volumeFleet('SwarmVolume/default/v', 'v', nodes);
    expect([f.phase, f.progress, f.verdict.reason, f.error?.code, f.verdict.message]).toEqual([
      phase,
      progress,
      reason,
      code,
      message,
    ]);
    expect(f.verdict.ready).toBe(phase === 'Ready');
  });
});

describe('status helpers', () => {
  it('groups messages that differ only in the node', () => {
    expect(
      groupNodeMessages([
        { node: 'n1', message: 'plugin p on node n1 failed' },
        { node: 'n2', message: 'plugin p on node n2 failed' },
        { node: 'n3', message: 'timeout' },
      ]),
    ).toBe('plugin p on node(s) n1, n2 failed; node n3: timeout');
  });

  it('keeps lastTransitionTime while the state does not change', () => {
    const prev = [
      { node: 'a', state: 'Installed', lastTransitionTime: 'T0' },
      { node: 'b', state: 'Pulling', lastTransitionTime: 'T0' },
    ];
    const next = [
      { node: 'a', state: 'Installed', lastTransitionTime: 'T1' },
      { node: 'b', state: 'Installed', lastTransitionTime: 'T1' },
      { node: 'c', state: 'Installed', lastTransitionTime: 'T1' },
    ];
    expect(keepTransitionTimes(prev, next).map((n) => n.lastTransitionTime)).toEqual(['T0', 'T1', 'T1']);
  });

  it('sets Ready, Reconciling and Stalled from a verdict', () => {
    const c = kindConditions(
      undefined,
      { ready: false, reason: 'RolledBack', message: 'm', stalled: true },
      new Date(0),
      3,
    );
    expect(c.map((x) => [x.type, x.status, x.reason, x.observedGeneration])).toEqual([
      ['Ready', 'False', 'RolledBack', 3],
      ['Reconciling', 'False', 'Idle', 3],
      ['Stalled', 'True', 'RolledBack', 3],
    ]);
  });

  it.each([
    [{ type: 'node', action: 'create' }, true, true],
    [{ type: 'node', action: 'update' }, true, true],
    [{ type: 'node', action: 'remove' }, false, false],
    [{ type: 'volume', action: 'destroy' }, false, true],
    [{ type: 'service', action: 'update' }, false, false],
  ])('event %j: plugin %s, volume %s', (e, plugin, volume) => {
    const ev = { ...e, id: 'x', attributes: {} };
    expect(isNodeEvent(ev)).toBe(plugin);
    expect(volumeWantsEvent(ev)).toBe(volume);
  });

  it('names the volumes that keep a plugin, per group of nodes', () => {
    expect(
      uninstallMessage([
        { node: 'n2', plugin: 'p', volumes: ['data'], message: '' },
        { node: 'n1', plugin: 'p', volumes: ['data'], message: '' },
        { node: 'n3', plugin: 'p', message: 'node n3 is unreachable (n3: no endpoint)' },
      ]),
    ).toBe(
      'plugin p is still used by volume(s) data on node(s) n1, n2; node n3 is unreachable (n3: no endpoint)',
    );
  });
});
