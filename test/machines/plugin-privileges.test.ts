import { describe, expect, it } from 'vitest';
import { privilegeDifference, privilegeRefusal } from '../../machines/plugin-privileges.js';

const net = { Name: 'network', Value: ['none'] };
describe('plugin privileges', () => {
  it.each([
    ['nothing asked', [], [], []],
    ['granted exactly', [net], [{ name: 'network', value: ['none'] }], []],
    ['granted more', [net], [{ name: 'network', value: ['none', 'host'] }], []],
    ['other value', [net], [{ name: 'network', value: ['host'] }], [{ name: 'network', value: ['none'] }]],
    [
      'two missing',
      [
        net,
        { Name: 'mount', Value: ['/var/lib'] },
        { Name: 'capabilities', Value: ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'] },
      ],
      [
        { name: 'network', value: ['none'] },
        { name: 'capabilities', value: ['CAP_NET_ADMIN'] },
      ],
      [
        { name: 'mount', value: ['/var/lib'] },
        { name: 'capabilities', value: ['CAP_SYS_ADMIN'] },
      ],
    ],
    [
      'valueless privilege not granted',
      [{ Name: 'allow-all-devices', Value: [] }],
      [],
      [{ name: 'allow-all-devices', value: [''] }],
    ],
    [
      'valueless privilege granted',
      [{ Name: 'allow-all-devices', Value: [] }],
      [{ name: 'allow-all-devices', value: [] }],
      [],
    ],
    [
      'one privilege granted in two entries',
      [{ Name: 'network', Value: ['none', 'host'] }],
      [
        { name: 'network', value: ['none'] },
        { name: 'network', value: ['host'] },
      ],
      [],
    ],
    [
      'one privilege asked for in two entries',
      [
        { Name: 'mount', Value: ['/a'] },
        { Name: 'mount', Value: ['/b'] },
      ],
      [],
      [{ name: 'mount', value: ['/a', '/b'] }],
    ],
  ])('%s', (_n, requested, allowed, diff) => {
    expect(privilegeDifference(requested, allowed)).toEqual(diff);
  });

  it('names the reference and the difference', () => {
    expect(
      privilegeRefusal(
        'lab/swlvol:1',
        [
          { Name: 'mount', Value: ['/var/lib'] },
          { Name: 'capabilities', Value: ['CAP_SYS_ADMIN'] },
        ],
        [],
      ),
    ).toBe(
      'plugin lab/swlvol:1 asks for privileges not allowed: mount=[/var/lib], capabilities=[CAP_SYS_ADMIN]',
    );
    expect(privilegeRefusal('x', [net], [{ name: 'network', value: ['none'] }])).toBeUndefined();
    expect(privilegeRefusal('x', [net], undefined)).toBe(
      'plugin x asks for privileges not allowed: network=[none]',
    );
    expect(privilegeRefusal('x', [{ Name: 'mount', Value: ['/a', '/b'] }], undefined)).toBe(
      'plugin x asks for privileges not allowed: mount=[/a, /b]',
    );
  });
});
