/**
 * Uninstalling a plugin from a node (disable, then remove), only where swarmkeeper installed or
 * adopted it (NodeOwnershipStore), and never while a volume on that node still uses it as driver.
 */
import type Docker from 'dockerode';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { FleetNode } from '../../machines/plugin-fleet.js';
import { normalizeDriver } from '../../reconciler/desired/volume.js';
import { dockerMessage, statusCodeOf } from '../docker/docker-errors.js';
import { dockerRequest } from '../docker/request.js';
import { nodeCallSignal } from '../machine-runner/kind-status.js';
import type { NodeEndpoints } from '../machine-runner/node-endpoints.js';
import type { NodeObject, NodeOwnershipStore } from '../machine-runner/node-ownership.js';
import type { MachineSnapshotStore } from '../machine-runner/snapshot-store.js';

/** Names of the volumes on the node whose driver is the plugin `name`. */
export async function volumesUsingDriver(
  docker: Docker,
  name: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const r = await dockerRequest<{ Volumes?: { Name: string; Driver: string }[] | null }>(docker, {
    method: 'GET',
    path: '/volumes',
    signal,
  });
  const driver = normalizeDriver(name);
  return (r.Volumes ?? [])
    .filter((v) => normalizeDriver(v.Driver) === driver)
    .map((v) => v.Name)
    .sort();
}

/** Disable (when enabled) and remove; a plugin that is not there is already uninstalled. */
export async function uninstallPlugin(docker: Docker, name: string, signal?: AbortSignal): Promise<void> {
  const path = `/plugins/${encodeURIComponent(name)}`;
  let p: { Enabled?: boolean };
  try {
    p = await dockerRequest(docker, { method: 'GET', path: `${path}/json`, signal });
  } catch (e) {
    if (statusCodeOf(e) === 404) return;
    throw e;
  }
  if (p.Enabled === true) await dockerRequest(docker, { method: 'POST', path: `${path}/disable`, signal });
  try {
    await dockerRequest(docker, { method: 'DELETE', path, signal });
  } catch (e) {
    if (statusCodeOf(e) !== 404) throw e;
  }
}

/** Why a node's plugin was not uninstalled. */
export interface UninstallProblem {
  node: string;
  plugin: string;
  /** Volumes that still use the plugin as driver on that node. */
  volumes?: string[];
  message: string;
}

export interface UninstallDeps {
  key: string;
  nodes: readonly FleetNode[];
  endpoints: NodeEndpoints;
  ownership: NodeOwnershipStore;
  store: MachineSnapshotStore;
  log: Logger;
  signal?: AbortSignal;
}

/**
 * Uninstalls each recorded plugin and drops its record. A record of a node that left the swarm and
 * that swarmkeeper cannot reach is dropped (nothing left to uninstall through the swarm).
 */
export async function uninstallRecorded(
  entries: readonly NodeObject[],
  deps: UninstallDeps,
): Promise<{ removed: NodeObject[]; problems: UninstallProblem[] }> {
  const removed: NodeObject[] = [];
  const problems: UninstallProblem[] = [];
  const limit = pLimit(4);
  await Promise.all(
    entries.map((entry) =>
      limit(async () => {
        const inSwarm = deps.nodes.find((n) => n.id === entry.nodeId);
        const node: FleetNode = inSwarm ?? {
          id: entry.nodeId,
          hostname: entry.hostname,
          role: 'worker',
          labels: {},
          state: 'gone',
        };
        const docker = deps.endpoints.docker(node);
        const forget = async () => {
          await deps.ownership.remove(deps.key, entry.nodeId, entry.name);
          await deps.store.remove(`${deps.key}@${entry.nodeId}`);
        };
        if (docker === undefined) {
          if (inSwarm === undefined) {
            deps.log.warn(
              { node: entry.hostname, plugin: entry.name },
              'the node left the swarm and has no endpoint: its plugin record is dropped',
            );
            await forget();
            return;
          }
          problems.push({
            node: entry.hostname,
            plugin: entry.name,
            message: `node ${entry.hostname} is unreachable (${deps.endpoints.describe(node)})`,
          });
          return;
        }
        try {
          const signal = nodeCallSignal(deps.signal);
          const volumes = await volumesUsingDriver(docker, entry.name, signal);
          if (volumes.length > 0) {
            problems.push({
              node: entry.hostname,
              plugin: entry.name,
              volumes,
              message: `plugin ${entry.name} is still used by volume(s) ${volumes.join(', ')} on node ${entry.hostname}`,
            });
            return;
          }
          await uninstallPlugin(docker, entry.name, signal);
          await forget();
          removed.push(entry);
        } catch (e) {
          const status = statusCodeOf(e);
          problems.push({
            node: entry.hostname,
            plugin: entry.name,
            message: `uninstall plugin ${entry.name} on node ${entry.hostname}: ${dockerMessage(e)}${status === undefined ? '' : ` (HTTP ${status})`}`,
          });
        }
      }),
    ),
  );
  return { removed, problems };
}

/**
 * One message for all problems: nodes blocked by the same volumes are named together, e.g.
 * `plugin swlvol is still used by volume(s) data on node(s) n1, n2, n3`.
 */
export function uninstallMessage(problems: readonly UninstallProblem[]): string {
  const byVolumes = new Map<string, { plugin: string; volumes: string; nodes: string[] }>();
  const other: string[] = [];
  for (const p of problems) {
    if (p.volumes === undefined) {
      other.push(p.message);
      continue;
    }
    const k = `${p.plugin}\0${p.volumes.join(', ')}`;
    const g = byVolumes.get(k) ?? { plugin: p.plugin, volumes: p.volumes.join(', '), nodes: [] };
    g.nodes.push(p.node);
    byVolumes.set(k, g);
  }
  const parts = [...byVolumes.values()].map(
    (g) =>
      `plugin ${g.plugin} is still used by volume(s) ${g.volumes} on node(s) ${g.nodes.sort().join(', ')}`,
  );
  return [...parts, ...other.sort()].join('; ');
}
