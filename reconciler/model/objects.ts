import type { ConfigSpec, Labels, NetworkSpec, ServiceSpec, VolumeSpec } from './engine-types.js';
import type { OwnerRef } from './ownership.js';
import type { Sensitive } from './sensitive.js';

/** The kinds of Swarm objects the planner manages, in dependency order. */
export const OBJECT_KINDS = ['network', 'volume', 'config', 'secret', 'service'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export interface DesiredNetwork {
  kind: 'network';
  name: string;
  spec: NetworkSpec;
}

export interface DesiredVolume {
  kind: 'volume';
  name: string;
  spec: VolumeSpec;
}

export interface DesiredConfig {
  kind: 'config';
  /** Swarm name, with the content-hash suffix. */
  name: string;
  /** Name before hashing (`<stack>_<config>`), shared by every version. */
  logicalName: string;
  hash: string;
  spec: ConfigSpec;
}

export interface SecretSpec {
  Name: string;
  Labels?: Labels;
  /** `{Name: "golang"}`: the Engine expands Go templates in the value for each task. */
  Templating?: { Name: string };
  /** base64 of the secret value; never printed. */
  Data: Sensitive<string>;
}

export interface DesiredSecret {
  kind: 'secret';
  name: string;
  logicalName: string;
  hash: string;
  spec: SecretSpec;
}

export interface DesiredService {
  kind: 'service';
  name: string;
  spec: ServiceSpec;
}

export type DesiredObject = DesiredNetwork | DesiredVolume | DesiredConfig | DesiredSecret | DesiredService;

/** An object the resource uses but never manages (compose `external: true`). */
export interface ExternalRef {
  kind: ObjectKind;
  name: string;
  /** Where it is declared, for errors: `web/docker-compose.yml: secrets.db`. */
  source?: string;
}

/** Everything one resource wants to exist, already carrying its ownership labels. */
export interface DesiredState {
  owner: OwnerRef;
  objects: DesiredObject[];
  /** External objects (external: true) that must exist but are never created, changed or removed. */
  external?: ExternalRef[];
  /**
   * What docker stack deploy would accept but ignore or print a warning for (e.g. `Ignoring
   * unsupported options: build`); shown by the CLI, in status and as Kubernetes Events.
   */
  warnings?: string[];
  /** Image update policies by Swarm service name (x-swarmkeeper image-update, spec.imageUpdate); absent: none. */
  imageUpdates?: Record<string, ImageUpdatePolicy>;
}

/** How a service's image is kept current (plan/image-update.ts). */
export type ImageUpdatePolicy = { kind: 'off' } | { kind: 'digest' } | { kind: 'semver'; range: string };

/** Rollout status Swarm reports for a service (`UpdateStatus`). */
export interface ObservedUpdateStatus {
  State?: 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';
  Message?: string;
}

/** A Swarm object as read back from the Engine. */
export interface ObservedObject {
  kind: ObjectKind;
  id: string;
  name: string;
  /** Version index for swarm objects (services, configs, secrets, nodes); absent for networks and volumes. */
  version?: number;
  labels: Labels;
  /** The Engine's spec as returned (services: Spec; networks: the inspect body mapped to NetworkSpec). */
  spec: unknown;
  createdAt?: string;
  updateStatus?: ObservedUpdateStatus;
  /**
   * Spec fields the Engine has not filled yet, as `diff` paths; never compared. A swarm network the
   * Swarm has not allocated (just created, or a subnet that overlaps another) reports its Driver and
   * IPAM driver as "" and no Options or IPAM config.
   */
  unknownFields?: string[];
}

export interface ObservedState {
  objects: ObservedObject[];
}
