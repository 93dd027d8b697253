/**
 * Finding and removing the volumes a SwarmVolume owns on every node: the recorded ones plus the ones
 * carrying its owner labels; a volume is removed only when no container uses it, and a node that left
 * the swarm without an endpoint has its record dropped.
 */
import type Docker from 'dockerode';
import pLimit from 'p-limit';
import type { FleetNode } from '../../machines/plugin-fleet.js';
import type { OwnerRef } from '../../reconciler/model/ownership.js';
import { labelledVolumes } from '../docker/volumes.js';
import type { KindReconcileContext } from '../ports.js';
import { nodeCallSignal } from '../machine-runner/kind-status.js';
import type { NodeEndpoints } from '../machine-runner/node-endpoints.js';
import type { NodeObject, NodeOwnershipStore } from '../machine-runner/node-ownership.js';
import { removeOwnedVolume } from './volume-node.js';

/** What finding and removing needs of the kind's deps. */
export interface VolumeRemovalDeps {
  manager: Docker;
  instanceId: string;
  ownership: NodeOwnershipStore;
}

export interface Found extends NodeObject {
  node?: FleetNode;
}

/** Recorded volumes plus the ones carrying the owner labels on every node swarmkeeper can reach. */
export async function ownedEverywhere(
  key: string,
  deps: VolumeRemovalDeps,
  nodes: readonly FleetNode[],
  endpoints: NodeEndpoints,
  signal?: AbortSignal,
): Promise<{ found: Found[]; unreachable: string[] }> {
  const found = new Map<string, Found>();
  for (const r of await deps.ownership.list(key))
    found.set(`${r.nodeId}/${r.name}`, {
      ...r,
      ...(nodes.find((n) => n.id === r.nodeId) ? { node: nodes.find((n) => n.id === r.nodeId)! } : {}),
    });
  const unreachable: string[] = [];
  await Promise.all(
    nodes.map(async (n) => {
      const docker = endpoints.docker(n);
      if (docker === undefined) {
        unreachable.push(n.hostname);
        return;
      }
      try {
        for (const name of await labelledVolumes(docker, key, deps.instanceId, nodeCallSignal(signal)))
          if (!found.has(`${n.id}/${name}`))
            found.set(`${n.id}/${name}`, { nodeId: n.id, hostname: n.hostname, name, node: n });
      } catch {
        unreachable.push(n.hostname);
      }
    }),
  );
  return { found: [...found.values()], unreachable: unreachable.sort() };
}

/** Deletes owned volumes; returns the problems (in use, unreachable, failed). */
export async function removeAll(
  key: string,
  owner: OwnerRef,
  entries: readonly Found[],
  deps: VolumeRemovalDeps,
  endpoints: NodeEndpoints,
  ctx: KindReconcileContext,
): Promise<{ removed: Found[]; problems: string[] }> {
  const removed: Found[] = [];
  const problems: string[] = [];
  const limit = pLimit(4);
  await Promise.all(
    entries.map((e) =>
      limit(async () => {
        const node = e.node ?? {
          id: e.nodeId,
          hostname: e.hostname,
          role: 'worker' as const,
          labels: {},
          state: 'gone',
        };
        const docker = endpoints.docker(node);
        if (docker === undefined) {
          if (e.node === undefined) {
            ctx.log.warn(
              { node: e.hostname, volume: e.name },
              'the node left the swarm and has no endpoint: its volume record is dropped',
            );
            await deps.ownership.remove(key, e.nodeId, e.name);
          } else
            problems.push(
              `volume ${e.name} on node ${e.hostname}: node unreachable (${endpoints.describe(node)})`,
            );
          return;
        }
        const r = await removeOwnedVolume({
          key,
          owner,
          instanceId: deps.instanceId,
          record: e,
          docker,
          manager: deps.manager,
          signal: nodeCallSignal(ctx.signal),
        });
        if (!r.done) {
          problems.push(r.message ?? `volume ${e.name} on node ${e.hostname} not removed`);
          return;
        }
        if (r.message) ctx.log.info({ node: e.hostname, volume: e.name }, r.message);
        await deps.ownership.remove(key, e.nodeId, e.name);
        removed.push(e);
      }),
    ),
  );
  return { removed, problems: problems.sort() };
}
