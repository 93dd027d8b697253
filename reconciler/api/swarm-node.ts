import { z } from 'zod';
import { detectingSpecFields, labels, nonEmpty, secretRef } from './common.js';
import { commonStatusFields, machineStatusFields } from './status.js';

const DOCKER_URL = /^(tcp|unix|ssh|http|https):\/\/.+$/;

export const swarmNodeSpecSchema = z.strictObject({
  address: z
    .string()
    .regex(DOCKER_URL, { error: 'must be a Docker API URL (tcp://, unix://, ssh://, http:// or https://)' })
    .describe('Docker Engine API URL of the node, e.g. tcp://10.0.0.5:2376.'),
  tls: z
    .strictObject({
      secretRef: secretRef.describe('Secret with ca.crt, tls.crt and tls.key for the Docker API.'),
    })
    .optional(),
  role: z.enum(['manager', 'worker']).optional().describe('Desired Swarm role; unchanged when unset.'),
  availability: z
    .enum(['active', 'pause', 'drain'])
    .optional()
    .describe('Desired availability; unchanged when unset.'),
  labels: labels.optional().describe('Node labels (docker node update --label-add).'),
  advertiseAddr: nonEmpty.optional().describe('Address advertised to the swarm when the node joins.'),
  listenAddr: nonEmpty.optional().describe('Listen address for swarm traffic when the node joins.'),
  force: z
    .boolean()
    .default(false)
    .describe('Force leaving the old swarm when joining, or leaving on deletion.'),
  ...detectingSpecFields,
});

export const swarmNodeStatusSchema = z.strictObject({
  ...commonStatusFields,
  ...machineStatusFields,
  nodeId: z.string().optional(),
  hostname: z.string().optional(),
  role: z.string().optional(),
  availability: z.string().optional(),
  state: z.string().optional().describe('Swarm node state (ready, down, ...).'),
  engineVersion: z.string().optional(),
});

export type SwarmNodeSpec = z.output<typeof swarmNodeSpecSchema>;
export type SwarmNodeSpecInput = z.input<typeof swarmNodeSpecSchema>;
export type SwarmNodeStatus = z.output<typeof swarmNodeStatusSchema>;
