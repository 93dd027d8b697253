import type { z } from 'zod';
import { type KindName, KIND_NAMES } from './common.js';
import { swarmNetworkSpecSchema, swarmNetworkStatusSchema } from './swarm-network.js';
import { swarmNodeSpecSchema, swarmNodeStatusSchema } from './swarm-node.js';
import { swarmPluginSpecSchema, swarmPluginStatusSchema } from './swarm-plugin.js';
import { swarmStackSpecSchema, swarmStackStatusSchema } from './swarm-stack.js';
import {
  swarmVolumeMigrationSpecSchema,
  swarmVolumeMigrationStatusSchema,
} from './swarm-volume-migration.js';
import { swarmVolumeSpecSchema, swarmVolumeStatusSchema } from './swarm-volume.js';

/** An additionalPrinterColumns entry of a CRD version. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDefinition<K extends KindName = KindName> {
  kind: K;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  specSchema: z.ZodType;
  statusSchema: z.ZodType;
  /** Kind-specific columns; Ready, Reason and Age are added to every kind. */
  printerColumns: readonly PrinterColumn[];
}

const col = (name: string, jsonPath: string, type: PrinterColumn['type'] = 'string'): PrinterColumn => ({
  name,
  type,
  jsonPath,
});

export const COMMON_PRINTER_COLUMNS: readonly PrinterColumn[] = [
  col('Ready', '.status.conditions[?(@.type=="Ready")].status'),
  col('Reason', '.status.conditions[?(@.type=="Ready")].reason'),
  col('Age', '.metadata.creationTimestamp', 'date'),
];

export const KINDS: { readonly [K in KindName]: KindDefinition<K> } = {
  SwarmStack: {
    kind: 'SwarmStack',
    plural: 'swarmstacks',
    singular: 'swarmstack',
    shortNames: ['sst'],
    specSchema: swarmStackSpecSchema,
    statusSchema: swarmStackStatusSchema,
    printerColumns: [col('Services', '.status.serviceCount', 'integer')],
  },
  SwarmNetwork: {
    kind: 'SwarmNetwork',
    plural: 'swarmnetworks',
    singular: 'swarmnetwork',
    shortNames: ['snet'],
    specSchema: swarmNetworkSpecSchema,
    statusSchema: swarmNetworkStatusSchema,
    printerColumns: [col('Driver', '.spec.driver')],
  },
  SwarmVolume: {
    kind: 'SwarmVolume',
    plural: 'swarmvolumes',
    singular: 'swarmvolume',
    shortNames: ['svol'],
    specSchema: swarmVolumeSpecSchema,
    statusSchema: swarmVolumeStatusSchema,
    printerColumns: [
      col('Driver', '.spec.driver'),
      col('Preset', '.spec.preset.type'),
      col('Progress', '.status.progress'),
    ],
  },
  SwarmPlugin: {
    kind: 'SwarmPlugin',
    plural: 'swarmplugins',
    singular: 'swarmplugin',
    shortNames: ['splug'],
    specSchema: swarmPluginSpecSchema,
    statusSchema: swarmPluginStatusSchema,
    printerColumns: [col('Remote', '.spec.remote'), col('Progress', '.status.progress')],
  },
  SwarmNode: {
    kind: 'SwarmNode',
    plural: 'swarmnodes',
    singular: 'swarmnode',
    shortNames: ['snode'],
    specSchema: swarmNodeSpecSchema,
    statusSchema: swarmNodeStatusSchema,
    printerColumns: [
      col('Role', '.spec.role'),
      col('Availability', '.spec.availability'),
      col('Phase', '.status.phase'),
    ],
  },
  SwarmVolumeMigration: {
    kind: 'SwarmVolumeMigration',
    plural: 'swarmvolumemigrations',
    singular: 'swarmvolumemigration',
    shortNames: ['svm'],
    specSchema: swarmVolumeMigrationSpecSchema,
    statusSchema: swarmVolumeMigrationStatusSchema,
    printerColumns: [col('Phase', '.status.phase'), col('Progress', '.status.progress')],
  },
};

export const KIND_LIST: readonly KindDefinition[] = KIND_NAMES.map((k) => KINDS[k]);

export function isKindName(kind: unknown): kind is KindName {
  return typeof kind === 'string' && (KIND_NAMES as readonly string[]).includes(kind);
}
