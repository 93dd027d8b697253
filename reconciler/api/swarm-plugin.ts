import { z } from 'zod';
import { correctingSpecFields, count, labels, nonEmpty } from './common.js';
import { commonStatusFields, machineStatusFields, nodeStateSchema } from './status.js';

export const pluginSettingsSchema = z.strictObject({
  env: z
    .array(z.string().regex(/^[^=]+=/, { error: 'must have the form KEY=VALUE' }))
    .optional()
    .describe('KEY=VALUE settings (docker plugin set KEY=VALUE).'),
  mounts: z
    .array(z.strictObject({ name: nonEmpty, source: nonEmpty.describe('Host path.') }))
    .optional()
    .describe('Sources of the mounts the plugin declares (docker plugin set <name>.source=...).'),
  devices: z
    .array(z.strictObject({ name: nonEmpty, path: nonEmpty.describe('Host device path.') }))
    .optional()
    .describe('Paths of the devices the plugin declares (docker plugin set <name>.path=...).'),
  args: z.array(z.string()).optional().describe('Plugin arguments (docker plugin set args=...).'),
});

export const pluginPrivilegeSchema = z.strictObject({
  name: nonEmpty.describe('Privilege name, e.g. network, mount, capabilities.'),
  value: z.array(z.string()),
});

export const swarmPluginSpecSchema = z.strictObject({
  remote: nonEmpty.describe('Plugin image reference, e.g. vieux/sshfs:latest.'),
  alias: nonEmpty.optional().describe('Local plugin name. Defaults to the remote reference.'),
  settings: pluginSettingsSchema.optional(),
  allowedPrivileges: z
    .array(pluginPrivilegeSchema)
    .optional()
    .describe('Privileges granted. Installation fails when the plugin asks for more or different ones.'),
  enabled: z.boolean().default(true),
  nodeSelector: labels.optional().describe('Install on nodes with these node labels (all nodes when unset).'),
  adopt: z
    .boolean()
    .default(false)
    .describe(
      'Take over a plugin of the same name that swarmkeeper did not install (it is then changed and removed with the resource).',
    ),
  ...correctingSpecFields,
});

export const swarmPluginStatusSchema = z.strictObject({
  ...commonStatusFields,
  ...machineStatusFields,
  nodes: z.array(nodeStateSchema).optional(),
  readyNodes: count.optional(),
  desiredNodes: count.optional(),
});

export type SwarmPluginSpec = z.output<typeof swarmPluginSpecSchema>;
export type SwarmPluginSpecInput = z.input<typeof swarmPluginSpecSchema>;
export type SwarmPluginStatus = z.output<typeof swarmPluginStatusSchema>;
export type PluginPrivilege = z.output<typeof pluginPrivilegeSchema>;
