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
  /** Apply order: kinds that others usually need come first (reconciler/source/order.ts). */
  rank: number;
  /** Removal order of orphans: resources that use others go first (the reverse of the apply order). */
  removeRank: number;
  /**
   * Planned: compiled to Swarm objects and applied by the planner (reconciler/plan). Otherwise the
   * kind runs as state machines over the swarm's nodes (controllers/<kind folder>/).
   */
  planned: boolean;
  /** What the controller's ClusterRole grants on the kind (deploy/kubernetes/cluster-role.yaml). */
  rbac: KindRbac;
}

export type RbacVerb = 'get' | 'list' | 'watch' | 'create' | 'patch' | 'update' | 'delete';

/** Verbs on the resource, its status and its finalizers subresources. */
export interface KindRbac {
  resource: readonly RbacVerb[];
  status: readonly RbacVerb[];
  finalizers: readonly RbacVerb[];
}

/** What every kind needs today: watch the resources, write their status, drop finalizers. */
export const DEFAULT_KIND_RBAC: KindRbac = {
  resource: ['get', 'list', 'watch', 'patch', 'update'],
  status: ['get', 'patch', 'update'],
  finalizers: ['update'],
};

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
    rank: 4,
    removeRank: 1,
    planned: true,
    rbac: DEFAULT_KIND_RBAC,
  },
  SwarmNetwork: {
    kind: 'SwarmNetwork',
    plural: 'swarmnetworks',
    singular: 'swarmnetwork',
    shortNames: ['snet'],
    specSchema: swarmNetworkSpecSchema,
    statusSchema: swarmNetworkStatusSchema,
    printerColumns: [col('Driver', '.spec.driver')],
    rank: 2,
    removeRank: 3,
    planned: true,
    rbac: DEFAULT_KIND_RBAC,
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
    rank: 3,
    removeRank: 2,
    planned: false,
    rbac: DEFAULT_KIND_RBAC,
  },
  SwarmPlugin: {
    kind: 'SwarmPlugin',
    plural: 'swarmplugins',
    singular: 'swarmplugin',
    shortNames: ['splug'],
    specSchema: swarmPluginSpecSchema,
    statusSchema: swarmPluginStatusSchema,
    printerColumns: [col('Remote', '.spec.remote'), col('Progress', '.status.progress')],
    rank: 1,
    removeRank: 4,
    planned: false,
    rbac: DEFAULT_KIND_RBAC,
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
    rank: 0,
    removeRank: 5,
    planned: false,
    rbac: DEFAULT_KIND_RBAC,
  },
  SwarmVolumeMigration: {
    kind: 'SwarmVolumeMigration',
    plural: 'swarmvolumemigrations',
    singular: 'swarmvolumemigration',
    shortNames: ['svm'],
    specSchema: swarmVolumeMigrationSpecSchema,
    statusSchema: swarmVolumeMigrationStatusSchema,
    printerColumns: [col('Phase', '.status.phase'), col('Progress', '.status.progress')],
    rank: 5,
    removeRank: 0,
    planned: false,
    rbac: DEFAULT_KIND_RBAC,
  },
};

export const KIND_LIST: readonly KindDefinition[] = KIND_NAMES.map((k) => KINDS[k]);

/** Apply order of a kind; an unknown kind goes last. */
export function kindRank(kind: string): number {
  return isKindName(kind) ? KINDS[kind].rank : KIND_LIST.length;
}

/** Removal order of a kind; an unknown kind goes first. */
export function removeRank(kind: string): number {
  return isKindName(kind) ? KINDS[kind].removeRank : 0;
}

/** The planned kinds and the machine kinds, each in apply order. */
export function kindsByRank(planned: boolean): KindDefinition[] {
  return KIND_LIST.filter((k) => k.planned === planned).sort((a, b) => a.rank - b.rank);
}

export function isKindName(kind: unknown): kind is KindName {
  return typeof kind === 'string' && (KIND_NAMES as readonly string[]).includes(kind);
}
