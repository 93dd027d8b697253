import { describe, expect, it } from 'vitest';
import { hasSettings, pluginSetArgs, settingsDrift } from '../../machines/plugin-settings.js';

describe('plugin settings', () => {
  it.each([
    [undefined, '', []],
    [{ env: ['A=1', 'B=x=y'] }, '', ['A=1', 'B=x=y']],
    [{ mounts: [{ name: 'state', source: '/srv' }] }, '', ['state.source=/srv']],
    [{ devices: [{ name: 'disk', path: '/dev/sdb' }] }, '', ['disk.path=/dev/sdb']],
    [{ args: ['-v', '--x'] }, 'myargs', ['myargs=-v --x']],
    [{ args: ['-v'] }, '', ['args=-v']],
    [{ args: [] }, '', ['args=']],
    [
      {
        env: ['A=1'],
        mounts: [{ name: 'm', source: '/s' }],
        devices: [{ name: 'd', path: '/p' }],
        args: ['x'],
      },
      'a',
      ['A=1', 'm.source=/s', 'd.path=/p', 'a=x'],
    ],
  ])('%j -> set %j', (settings, argsName, out) => {
    expect(pluginSetArgs(settings, argsName)).toEqual(out);
  });

  it.each([
    [{ env: ['A=1'] }, { Env: ['A=1', 'B=2'] }, []],
    [{ env: ['A=1'] }, { Env: ['A=2'] }, ['env A']],
    [{ mounts: [{ name: 'm', source: '/a' }] }, { Mounts: [{ Name: 'm', Source: '/b' }] }, ['mount m']],
    [{ devices: [{ name: 'd', path: '/dev/x' }] }, { Devices: [{ Name: 'd', Path: '/dev/x' }] }, []],
    [{ args: ['a'] }, { Args: [] }, ['args']],
    [undefined, { Env: ['A=1'] }, []],
    // Equal args are no drift: a plugin reported as drifted is disabled and set again on every reconcile.
    [{ args: ['-v', '--x'] }, { Args: ['-v', '--x'] }, []],
    [{ args: [] }, { Args: null }, []],
    [{ args: [] }, {}, []],
    [{ args: ['--x', '-v'] }, { Args: ['-v', '--x'] }, ['args']],
    [{ args: ['a', 'b'] }, { Args: ['ab'] }, ['args']],
    [{ args: ['a b'] }, { Args: ['a', 'b'] }, ['args']],
    [{ args: ['a'] }, undefined, ['args']],
    // Devices: a changed path, a device the plugin does not have.
    [
      { devices: [{ name: 'd', path: '/dev/x' }] },
      { Devices: [{ Name: 'd', Path: '/dev/y' }] },
      ['device d'],
    ],
    [
      { devices: [{ name: 'd', path: '/dev/x' }] },
      { Devices: [{ Name: 'e', Path: '/dev/x' }] },
      ['device d'],
    ],
    [{ devices: [{ name: 'd', path: '/dev/x' }] }, { Devices: null }, ['device d']],
    [{ devices: [{ name: 'd', path: '/dev/x' }] }, undefined, ['device d']],
    [
      { devices: [{ name: 'd', path: '/dev/x' }] },
      {
        Devices: [
          { Name: 'e', Path: '/dev/y' },
          { Name: 'd', Path: '/dev/x' },
        ],
      },
      [],
    ],
    // Mounts: equal, missing, found by name among others.
    [{ mounts: [{ name: 'm', source: '/a' }] }, { Mounts: [{ Name: 'm', Source: '/a' }] }, []],
    [{ mounts: [{ name: 'm', source: '/a' }] }, { Mounts: null }, ['mount m']],
    [{ mounts: [{ name: 'm', source: '/a' }] }, { Mounts: [{ Name: 'n', Source: '/a' }] }, ['mount m']],
    [
      { mounts: [{ name: 'm', source: '/a' }] },
      {
        Mounts: [
          { Name: 'n', Source: '/b' },
          { Name: 'm', Source: '/a' },
        ],
      },
      [],
    ],
    [{ env: ['A=1'] }, { Env: null }, ['env A']],
    [{ env: ['LONG_NAME=x=y'] }, undefined, ['env LONG_NAME']],
    // All kinds at once, in a fixed order.
    [
      {
        env: ['A=1'],
        mounts: [{ name: 'm', source: '/a' }],
        devices: [{ name: 'd', path: '/x' }],
        args: ['z'],
      },
      {},
      ['env A', 'mount m', 'device d', 'args'],
    ],
  ])('drift of %j against %j', (desired, observed, drift) => {
    expect(settingsDrift(desired, observed)).toEqual(drift);
  });

  it('unnamed args are set as `args`', () => {
    expect(pluginSetArgs({ args: ['-v'] })).toEqual(['args=-v']);
  });

  it.each([
    [{ mounts: [{ name: 'm', source: '/a' }] }, undefined, ['mount m']],
    // Mounts and devices the spec does not name are the plugin's own: no drift, even unnamed ones.
    [{ env: ['A=1'] }, { Env: ['A=1'], Mounts: [{ Source: '/x' }], Devices: [{ Path: '/dev/x' }] }, []],
  ])('drift of %j against %j (partial)', (desired, observed, drift) => {
    expect(settingsDrift(desired, observed)).toEqual(drift);
  });

  it.each([
    [undefined, false],
    [{}, false],
    [{ env: [] }, false],
    [{ env: ['A=1'] }, true],
    [{ mounts: [{ name: 'm', source: '/a' }] }, true],
    [{ devices: [{ name: 'd', path: '/x' }] }, true],
    [{ args: [] }, true],
  ])('hasSettings(%j) = %s', (settings, expected) => {
    expect(hasSettings(settings)).toBe(expected);
  });
});
