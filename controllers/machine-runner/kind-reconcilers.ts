/**
 * The per-kind reconcilers `swarmkeeper run` gives the controller: the kinds that run as machines
 * over the swarm's nodes. Each entry is added by the module that implements the kind.
 */
import type Docker from 'dockerode';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventRecorder } from '../reconcile/event-recorder.js';
import type { KindReconcilers } from '../reconcile/kind-reconciler.js';
import type { SecretResolver } from '../reconcile/secret-resolver.js';
import { swarmVolumeMigrationKind } from '../volume-migration/migration-kind.js';
import type { NodeEndpoints } from './node-endpoints.js';
import { nodeKindReconciler } from '../node/node-kind.js';
import { swarmPluginKind } from '../plugin/plugin-kind.js';
import { swarmVolumeKind } from '../volume/volume-kind.js';

export interface KindReconcilerDeps {
  /** The manager's daemon (DOCKER_HOST). */
  docker: Docker;
  redis: Redis;
  instanceId: string;
  logger: Logger;
  secrets: SecretResolver;
  recorder?: EventRecorder;
  /** Node daemons given on the command line (--node-endpoint HOSTNAME=URL); SwarmNode specs add theirs. */
  staticEndpoints?: NodeEndpoints;
}

export function createKindReconcilers(deps: KindReconcilerDeps): KindReconcilers {
  return {
    SwarmPlugin: swarmPluginKind(deps),
    SwarmVolume: swarmVolumeKind(deps),
    SwarmVolumeMigration: swarmVolumeMigrationKind(deps),
    SwarmNode: nodeKindReconciler(deps),
  };
}
