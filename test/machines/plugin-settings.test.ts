import { describe, expect, it } from 'vitest';
import { pluginSetArgs, settingsDrift } from '../../machines/plugin-settings.js';

describe('plugin settings', () => {
  it.each([
    [undefined, '', []],
    [{ env: ['A=1', 'B=x=y'] }, '', ['A=1', 'B=x=y']],
    [{ mounts: [{ name: 'state', source: '/srv' }] }, '', ['state.source=/srv']],
    [{ devices: [{ name: 'disk', path: '/dev/sdb' }] }, '', ['disk.path=/dev/sdb']],
    [{ args: ['-v', '--x'] }, 'myargs', ['myargs=-v --x']],
    [{ args: ['-v'] }, '', ['args=-v']],
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
  ])('drift of %j against %j', (desired, observed, drift) => {
    expect(settingsDrift(desired, observed)).toEqual(drift);
  });
});
