/**
 * Entry point for the controller: reconcile one SwarmPlugin over the swarm.
 *
 *   const status = await reconcilePlugin(resource, { manager, endpoints, store });
 *
 * Lists the nodes on a manager, picks the eligible ones (nodeSelector; workers included; nodes that
 * joined since the last reconcile are simply new eligible nodes), runs the per-node install machine on
 * each (resuming persisted snapshots), and returns the aggregate status (phase, progress, per-node
 * states) for status.{phase,progress,nodes,readyNodes,desiredNodes}. Never throws for a node's failure:
 * it is in the status. Throws only when the node list cannot be read.
 */
import type Docker from 'dockerode';
import pLimit from 'p-limit';
import type { SwarmPlugin } from '../../reconciler/api/resource.js';
import { ownerKey } from '../../reconciler/model/ownership.js';
import {
  aggregatePluginStatus,
  eligibleNodes,
  finalNodeState,
  installInput,
  runningNodeState,
  type FleetNode,
  type PluginFleetStatus,
  type PluginNodeState,
} from '../../machines/plugin-fleet.js';
import { pluginInstallMachine } from '../../machines/plugin-install.machine.js';
import type { PluginInstallOutput } from '../../machines/plugin-install.types.js';
import type { StepPolicy } from '../../machines/step-policy.js';
import { runMachine } from '../machine-runner/machine-runner.js';
import type { NodeEndpoints } from '../machine-runner/node-endpoints.js';
import { dockerPluginActors } from './plugin-actors.js';
import type { MachineSnapshotStore } from '../machine-runner/snapshot-store.js';
import { listFleetNodes } from '../machine-runner/swarm-nodes.js';

export interface PluginReconcileDeps {
  /** A manager's daemon (node list, node descriptions). */
  manager: Docker;
  endpoints: NodeEndpoints;
  store: MachineSnapshotStore;
  policy?: Partial<StepPolicy>;
  /** Nodes worked on at the same time (default 4). */
  concurrency?: number;
  /** Per node, give up after this long (the snapshot stays; the next reconcile resumes). Default 10 min. */
  nodeDeadlineMs?: number;
  /** Called whenever a node's state changes (for live status updates). */
  onProgress?: (status: PluginFleetStatus) => void;
  now?: () => Date;
  /** The swarm's nodes when the caller listed them already (saves a GET /nodes). */
  nodes?: FleetNode[];
  /** Before a node's machine runs: a final state to report instead of running it (e.g. not owned). */
  beforeNode?: (node: FleetNode, docker: Docker) => Promise<{ state: string; message: string } | undefined>;
  /** After a node's machine finished (e.g. to record ownership). */
  afterNode?: (node: FleetNode, output: PluginInstallOutput) => Promise<void>;
}

/** Store key of a node's machine: `SwarmPlugin/<namespace>/<name>@<node id>`. */
export function pluginMachineKey(resource: SwarmPlugin, nodeId: string): string {
  return `${ownerKey({ kind: resource.kind, namespace: resource.metadata.namespace, name: resource.metadata.name })}@${nodeId}`;
}

export async function reconcilePlugin(
  resource: SwarmPlugin,
  deps: PluginReconcileDeps,
): Promise<PluginFleetStatus> {
  const now = deps.now ?? (() => new Date());
  const nodes = eligibleNodes(deps.nodes ?? (await listFleetNodes(deps.manager)), resource.spec);
  const states = new Map<string, PluginNodeState>();
  const set = (node: FleetNode, s: { state: string; message: string }) => {
    const prev = states.get(node.hostname);
    if (prev?.state === s.state && prev.message === s.message) return;
    // every state set has its time: a node whose state stays keeps the time it entered it
    const since = prev?.state === s.state ? prev.lastTransitionTime : undefined;
    states.set(node.hostname, {
      node: node.hostname,
      state: s.state,
      message: s.message,
      lastTransitionTime: since ?? now().toISOString(),
    });
    deps.onProgress?.(aggregatePluginStatus(nodes, states));
  };

  const limit = pLimit(deps.concurrency ?? 4);
  await Promise.all(
    nodes.map((node) =>
      limit(async () => {
        const docker = deps.endpoints.docker(node);
        if (node.state !== 'ready' || docker === undefined) {
          const why =
            node.state !== 'ready'
              ? `node is ${node.state}`
              : `no Docker endpoint for node ${node.hostname} (${deps.endpoints.describe(node)})`;
          set(node, { state: 'Unreachable', message: why });
          return;
        }
        const machine = pluginInstallMachine.provide({
          actors: dockerPluginActors({ node: docker, manager: deps.manager, nodeId: node.id }),
        });
        try {
          const skip = await deps.beforeNode?.(node, docker);
          if (skip !== undefined) {
            set(node, skip);
            return;
          }
          const { output } = await runMachine({
            machine,
            input: installInput(resource.spec, node, deps.policy),
            key: pluginMachineKey(resource, node.id),
            store: deps.store,
            deadlineMs: deps.nodeDeadlineMs ?? 600_000,
            onSnapshot: (s) => {
              if (s.status === 'active') set(node, runningNodeState(s.value, s.context));
            },
          });
          set(node, finalNodeState(output));
          await deps.afterNode?.(node, output);
        } catch (e) {
          set(node, { state: 'Failed', message: e instanceof Error ? e.message : String(e) });
        }
      }),
    ),
  );
  return aggregatePluginStatus(nodes, states);
}
