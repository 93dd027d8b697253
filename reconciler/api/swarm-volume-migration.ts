import { z } from 'zod';
import { cel, correctingSpecFields, namespaceName, nonEmpty, resourceName } from './common.js';
import { commonStatusFields, machineStatusFields } from './status.js';
import { presetExclusive, volumeFields } from './swarm-volume.js';

const TARGET_RULE = 'set exactly one of volumeRef or spec';
const immutable = (field: string) => ({
  rule: 'self == oldSelf',
  message: `${field} is immutable; create a new SwarmVolumeMigration`,
});

export const migrationTargetSchema = z
  .strictObject({
    volumeRef: z
      .strictObject({ name: resourceName, namespace: namespaceName.optional() })
      .optional()
      .describe('An existing SwarmVolume to copy into.'),
    spec: presetExclusive(z.strictObject(volumeFields)).optional().describe('An inline volume to create.'),
    node: nonEmpty.describe('Swarm node (hostname or ID) the target volume lives on.'),
  })
  .superRefine((t, ctx) => {
    if ((t.volumeRef === undefined) === (t.spec === undefined))
      ctx.addIssue({ code: 'custom', path: [], message: TARGET_RULE });
  })
  .meta(cel({ rule: 'has(self.volumeRef) != has(self.spec)', message: TARGET_RULE }, immutable('target')));

export const swarmVolumeMigrationSpecSchema = z.strictObject({
  source: z
    .strictObject({
      volume: nonEmpty.describe('Docker volume name on the source node.'),
      node: nonEmpty.describe('Swarm node (hostname or ID) holding the volume.'),
    })
    .meta(cel(immutable('source'))),
  target: migrationTargetSchema,
  consumers: z
    .array(nonEmpty)
    .optional()
    .describe('Swarm services scaled to zero during the copy and pointed at the target afterwards.'),
  deleteSource: z.boolean().default(false).describe('Remove the source volume after a successful copy.'),
  ...correctingSpecFields,
});

export const swarmVolumeMigrationStatusSchema = z.strictObject({
  ...commonStatusFields,
  ...machineStatusFields,
  startedAt: z.iso.datetime().optional(),
  completedAt: z.iso.datetime().optional(),
  bytesCopied: z.int().min(0).optional(),
  scaledDown: z
    .array(z.strictObject({ service: z.string(), replicas: z.int().min(0) }))
    .optional()
    .describe('Consumers scaled down, with their replicas before, to restore them.'),
});

export type SwarmVolumeMigrationSpec = z.output<typeof swarmVolumeMigrationSpecSchema>;
export type SwarmVolumeMigrationSpecInput = z.input<typeof swarmVolumeMigrationSpecSchema>;
export type SwarmVolumeMigrationStatus = z.output<typeof swarmVolumeMigrationStatusSchema>;
