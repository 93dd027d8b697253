import type { DesiredState } from '../model/objects.js';
import { ownerLabels, type OwnerRef } from '../model/ownership.js';
import type { NetworkSpec } from '../model/engine-types.js';

/** The spec fields of a SwarmNetwork this translation reads (validated by the API schema first). */
export interface SwarmNetworkSpecInput {
  name?: string;
  driver?: string;
  attachable?: boolean;
  internal?: boolean;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
  ipam?: {
    driver?: string;
    config?: { subnet?: string; ipRange?: string; gateway?: string; auxAddresses?: Record<string, string> }[];
  };
}

/** A SwarmNetwork is one overlay (by default) network, named `spec.name` or the resource name. */
export function networkDesiredState(
  owner: OwnerRef,
  spec: SwarmNetworkSpecInput,
  instanceId: string,
): DesiredState {
  const name = spec.name ?? owner.name;
  const net: NetworkSpec = {
    Name: name,
    Driver: spec.driver ?? 'overlay',
    Scope: 'swarm',
    Labels: { ...(spec.labels ?? {}), ...ownerLabels(owner, instanceId) },
  };
  if (spec.attachable) net.Attachable = true;
  if (spec.internal) net.Internal = true;
  if (spec.driverOpts && Object.keys(spec.driverOpts).length > 0) net.Options = { ...spec.driverOpts };
  if (spec.ipam) {
    net.IPAM = { Driver: spec.ipam.driver ?? 'default' };
    if (spec.ipam.config?.length) {
      net.IPAM.Config = spec.ipam.config.map((c) => ({
        ...(c.subnet ? { Subnet: c.subnet } : {}),
        ...(c.ipRange ? { IPRange: c.ipRange } : {}),
        ...(c.gateway ? { Gateway: c.gateway } : {}),
        ...(c.auxAddresses ? { AuxiliaryAddresses: c.auxAddresses } : {}),
      }));
    }
  }
  return { owner, objects: [{ kind: 'network', name, spec: net }] };
}
