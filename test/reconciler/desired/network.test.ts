import { describe, expect, it } from 'vitest';
import { networkDesiredState, type SwarmNetworkSpecInput } from '../../../reconciler/desired/network.js';

const owner = { kind: 'SwarmNetwork', namespace: 'ns', name: 'front' };
const OWN = { 'swarmkeeper.io/owner': 'SwarmNetwork/ns/front', 'swarmkeeper.io/instance': 'i1' };

describe('networkDesiredState', () => {
  it.each<[string, SwarmNetworkSpecInput, Record<string, unknown>]>([
    ['defaults', {}, { Name: 'front', Driver: 'overlay', Scope: 'swarm', Labels: OWN }],
    [
      'name, driver, flags, options, labels (owner labels win)',
      {
        name: 'edge',
        driver: 'macvlan',
        attachable: true,
        internal: true,
        driverOpts: { parent: 'eth0' },
        labels: { tier: 'web', 'swarmkeeper.io/owner': 'x' },
      },
      {
        Name: 'edge',
        Driver: 'macvlan',
        Scope: 'swarm',
        Attachable: true,
        Internal: true,
        Options: { parent: 'eth0' },
        Labels: { tier: 'web', ...OWN },
      },
    ],
    [
      'false flags and empty options are left out',
      { attachable: false, internal: false, driverOpts: {} },
      { Name: 'front', Driver: 'overlay', Scope: 'swarm', Labels: OWN },
    ],
    [
      'IPAM without config',
      { ipam: { config: [] } },
      { Name: 'front', Driver: 'overlay', Scope: 'swarm', Labels: OWN, IPAM: { Driver: 'default' } },
    ],
    [
      'IPAM with config: only the fields set',
      {
        ipam: {
          driver: 'custom',
          config: [
            {
              subnet: '10.1.0.0/24',
              ipRange: '10.1.0.0/25',
              gateway: '10.1.0.1',
              auxAddresses: { a: '10.1.0.9' },
            },
            { subnet: '10.2.0.0/24', ipRange: '', gateway: '' },
          ],
        },
      },
      {
        Name: 'front',
        Driver: 'overlay',
        Scope: 'swarm',
        Labels: OWN,
        IPAM: {
          Driver: 'custom',
          Config: [
            {
              Subnet: '10.1.0.0/24',
              IPRange: '10.1.0.0/25',
              Gateway: '10.1.0.1',
              AuxiliaryAddresses: { a: '10.1.0.9' },
            },
            { Subnet: '10.2.0.0/24' },
          ],
        },
      },
    ],
  ])('%s', (_n, spec, want) => {
    expect(networkDesiredState(owner, spec, 'i1')).toEqual({
      owner,
      objects: [{ kind: 'network', name: want['Name'], spec: want }],
    });
  });

  it('the options are a copy', () => {
    const driverOpts = { a: '1' };
    const s = networkDesiredState(owner, { driverOpts }, 'i1').objects[0]?.spec as { Options: object };
    expect(s.Options).not.toBe(driverOpts);
  });
});
