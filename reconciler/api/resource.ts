import { z } from 'zod';
import {
  API_VERSION,
  count,
  KIND_NAMES,
  type KindName,
  namespaceName,
  resourceName,
  stringMap,
} from './common.js';
import type { SwarmNetworkSpec, SwarmNetworkStatus } from './swarm-network.js';
import type { SwarmNodeSpec, SwarmNodeStatus } from './swarm-node.js';
import type { SwarmPluginSpec, SwarmPluginStatus } from './swarm-plugin.js';
import type { SwarmStackSpec, SwarmStackStatus } from './swarm-stack.js';
import type { SwarmVolumeMigrationSpec, SwarmVolumeMigrationStatus } from './swarm-volume-migration.js';
import type { SwarmVolumeSpec, SwarmVolumeStatus } from './swarm-volume.js';

export const DEFAULT_NAMESPACE = 'default';

/** metadata of a custom resource; server-set fields (uid, resourceVersion, ...) pass through. */
export const metadataSchema = z.looseObject({
  name: resourceName,
  namespace: namespaceName.default(DEFAULT_NAMESPACE),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  generation: count.optional(),
});
export type ResourceMetadata = z.output<typeof metadataSchema>;

/** The envelope of a custom-resource document; spec and status are checked per kind. */
export const envelopeSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.enum(KIND_NAMES),
  metadata: metadataSchema,
  spec: z.unknown(),
  status: z.unknown().optional(),
});

interface ResourceOf<K extends KindName, Spec, Status> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ResourceMetadata;
  spec: Spec;
  /** Present when read from the Kubernetes API; not validated by parseResource. */
  status?: Status;
}

export type SwarmStack = ResourceOf<'SwarmStack', SwarmStackSpec, SwarmStackStatus>;
export type SwarmNetwork = ResourceOf<'SwarmNetwork', SwarmNetworkSpec, SwarmNetworkStatus>;
export type SwarmVolume = ResourceOf<'SwarmVolume', SwarmVolumeSpec, SwarmVolumeStatus>;
export type SwarmPlugin = ResourceOf<'SwarmPlugin', SwarmPluginSpec, SwarmPluginStatus>;
export type SwarmNode = ResourceOf<'SwarmNode', SwarmNodeSpec, SwarmNodeStatus>;
export type SwarmVolumeMigration = ResourceOf<
  'SwarmVolumeMigration',
  SwarmVolumeMigrationSpec,
  SwarmVolumeMigrationStatus
>;

export type Resource =
  SwarmStack | SwarmNetwork | SwarmVolume | SwarmPlugin | SwarmNode | SwarmVolumeMigration;
export type ResourceOfKind<K extends KindName> = Extract<Resource, { kind: K }>;
