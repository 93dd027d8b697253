/**
 * The per-kind reconcilers `swarmkeeper run` gives the controller: the kinds that run as machines
 * over the swarm's nodes. Each entry is added by the module that implements the kind.
 */
import { type KindReconcilerDeps } from './machine-runner/kind-deps.js';
import type { KindReconcilers } from './ports.js';
import { swarmVolumeMigrationKind } from './volume-migration/migration-kind.js';
import { nodeKindReconciler } from './node/node-kind.js';
import { swarmPluginKind } from './plugin/plugin-kind.js';
import { swarmVolumeKind } from './volume/volume-kind.js';

export type { KindReconcilerDeps };

export function createKindReconcilers(deps: KindReconcilerDeps): KindReconcilers {
  return {
    SwarmPlugin: swarmPluginKind(deps),
    SwarmVolume: swarmVolumeKind(deps),
    SwarmVolumeMigration: swarmVolumeMigrationKind(deps),
    SwarmNode: nodeKindReconciler(deps),
  };
}
