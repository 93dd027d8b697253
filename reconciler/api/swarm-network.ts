import { z } from 'zod';
import { commonSpecFields, labels, nonEmpty, recreatePolicy, stringMap, swarmName } from './common.js';
import { commonStatusFields } from './status.js';

export const ipamConfigSchema = z.strictObject({
  subnet: nonEmpty.optional().describe('CIDR, e.g. 10.20.0.0/24.'),
  ipRange: nonEmpty.optional().describe('CIDR sub-range to allocate container IPs from.'),
  gateway: nonEmpty.optional(),
  auxAddresses: stringMap.optional().describe('Host name to IP address reserved in the subnet.'),
});

export const swarmNetworkSpecSchema = z.strictObject({
  name: swarmName.optional().describe('Docker network name. Defaults to metadata.name.'),
  driver: nonEmpty.default('overlay'),
  attachable: z.boolean().default(false).describe('Let standalone containers attach.'),
  internal: z.boolean().default(false).describe('No external connectivity.'),
  enableIPv6: z.boolean().optional(),
  driverOpts: stringMap.optional(),
  ipam: z
    .strictObject({
      driver: nonEmpty.default('default'),
      config: z.array(ipamConfigSchema).optional(),
      options: stringMap.optional(),
    })
    .optional(),
  labels: labels.optional(),
  recreatePolicy: recreatePolicy.describe(
    'Network specs are immutable. Never: block and report a changed spec. Always: recreate the network.',
  ),
  ...commonSpecFields,
});

export const swarmNetworkStatusSchema = z.strictObject({
  ...commonStatusFields,
  networkId: z.string().optional(),
});

export type SwarmNetworkSpec = z.output<typeof swarmNetworkSpecSchema>;
export type SwarmNetworkSpecInput = z.input<typeof swarmNetworkSpecSchema>;
export type SwarmNetworkStatus = z.output<typeof swarmNetworkStatusSchema>;
export type IpamConfig = z.output<typeof ipamConfigSchema>;
