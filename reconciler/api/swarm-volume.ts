import { z } from 'zod';
import {
  cel,
  correctingSpecFields,
  labels,
  nonEmpty,
  recreatePolicy,
  stringMap,
  swarmName,
} from './common.js';
import { commonStatusFields, machineStatusFields, nodeStateSchema } from './status.js';
import { volumePresetSchema } from './volume-preset.js';

/** What a volume is (shared with SwarmVolumeMigration's inline target). */
export const volumeFields = {
  name: swarmName.optional().describe('Docker volume name. Defaults to metadata.name.'),
  driver: nonEmpty.optional().describe('Volume driver: local when unset, or the driver of the preset.'),
  driverOpts: stringMap.optional(),
  labels: labels.optional(),
  nodeSelector: labels
    .optional()
    .describe('Create the volume on nodes with these node labels (all nodes when unset).'),
  preset: volumePresetSchema.optional(),
};

const PRESET_RULE = 'a preset sets driver and driverOpts itself; remove driver/driverOpts or the preset';

/** Zod and CEL check of the rule that a preset excludes driver and driverOpts. */
export function presetExclusive<T extends z.ZodObject>(schema: T): T {
  return schema
    .superRefine((v: { preset?: unknown; driver?: unknown; driverOpts?: unknown }, ctx) => {
      if (v.preset !== undefined && (v.driver !== undefined || v.driverOpts !== undefined))
        ctx.addIssue({ code: 'custom', path: ['preset'], message: PRESET_RULE });
    })
    .meta(
      cel({
        rule: '!has(self.preset) || (!has(self.driver) && !has(self.driverOpts))',
        message: PRESET_RULE,
      }),
    );
}

export const swarmVolumeSpecSchema = presetExclusive(
  z.strictObject({
    ...volumeFields,
    recreatePolicy: recreatePolicy.describe(
      'Volume options are immutable. Never: block and report. Always: recreate (data in the old volume is lost).',
    ),
    adopt: z
      .boolean()
      .default(false)
      .describe(
        'Take over a volume of the same name without swarmkeeper owner labels (it is then removed with the resource).',
      ),
    ...correctingSpecFields,
  }),
);

export const swarmVolumeStatusSchema = z.strictObject({
  ...commonStatusFields,
  ...machineStatusFields,
  nodes: z.array(nodeStateSchema).optional(),
});

export type SwarmVolumeSpec = z.output<typeof swarmVolumeSpecSchema>;
export type SwarmVolumeSpecInput = z.input<typeof swarmVolumeSpecSchema>;
export type SwarmVolumeStatus = z.output<typeof swarmVolumeStatusSchema>;
