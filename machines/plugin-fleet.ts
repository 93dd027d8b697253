/**
 * A SwarmPlugin over the swarm's nodes: which nodes get it (nodeSelector over node labels, workers
 * included), the per-node state of a running or finished install machine, and the aggregate status
 * (phase Installing | Ready | Refused | Failed, progress "2/3 nodes", per-node states). Pure.
 */
import { compareNames } from '../reconciler/model/order.js';
import type { SwarmPluginSpec } from '../reconciler/api/swarm-plugin.js';
import type { PluginInstallContext, PluginInstallOutput } from './plugin-install.types.js';
import { withPolicy, type StepPolicy } from './step-policy.js';
import type { PluginInstallInput } from './plugin-install.types.js';

/** A swarm node as the fleet needs it. */
export interface FleetNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  /** Spec.Labels (node labels set with `docker node update --label-add`). */
  labels: Record<string, string>;
  /** Status.State: ready | down | unknown | disconnected. */
  state: string;
  /** Status.Addr */
  addr?: string;
}

export type PluginPhase = 'Installing' | 'Ready' | 'Refused' | 'Failed';

export interface PluginNodeState {
  node: string;
  state: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface PluginFleetStatus {
  phase: PluginPhase;
  progress: string;
  message: string;
  nodes: PluginNodeState[];
  readyNodes: number;
  desiredNodes: number;
}

/** States of a node that are final for this reconcile (Conflict: a plugin swarmkeeper does not own). */
export const FINAL_NODE_STATES = [
  'Installed',
  'Refused',
  'Failed',
  'RolledBack',
  'Unreachable',
  'Conflict',
] as const;

export function matchesSelector(node: FleetNode, selector: Record<string, string> | undefined): boolean {
  if (selector === undefined) return true;
  return Object.entries(selector).every(([k, v]) => node.labels[k] === v);
}

/** Nodes the plugin belongs on, sorted by hostname (stable status). */
export function eligibleNodes(
  nodes: readonly FleetNode[],
  spec: Pick<SwarmPluginSpec, 'nodeSelector'>,
): FleetNode[] {
  return nodes
    .filter((n) => matchesSelector(n, spec.nodeSelector))
    .sort((a, b) => compareNames(a.hostname, b.hostname) || compareNames(a.id, b.id));
}

/** The local plugin name: spec.alias, else the remote reference. */
export function pluginName(spec: Pick<SwarmPluginSpec, 'alias' | 'remote'>): string {
  return spec.alias ?? spec.remote;
}

export function installInput(
  spec: SwarmPluginSpec,
  node: FleetNode,
  policy: Partial<StepPolicy> = {},
): PluginInstallInput {
  return {
    node: node.hostname,
    name: pluginName(spec),
    remote: spec.remote,
    allowedPrivileges: spec.allowedPrivileges,
    settings: spec.settings,
    enabled: spec.enabled,
    policy: withPolicy(policy),
  };
}

const STATE_NAMES: Record<string, string> = {
  inspect: 'Inspecting',
  decide: 'Inspecting',
  adopted: 'Verifying',
  privileges: 'CheckingPrivileges',
  privilegesRead: 'CheckingPrivileges',
  pull: 'Pulling',
  disable: 'Disabling',
  upgrade: 'Upgrading',
  configure: 'Configuring',
  configuring: 'Configuring',
  configured: 'Configuring',
  enable: 'Enabling',
  verify: 'Verifying',
  rollingBack: 'RollingBack',
};

/** Per-node state of a machine snapshot that is still running. */
export function runningNodeState(
  value: unknown,
  context: Pick<
    PluginInstallContext,
    'attempt' | 'lastFailure' | 'verifyChecks' | 'remote' | 'previousRemote'
  >,
): { state: string; message: string } {
  const top = typeof value === 'string' ? value : (Object.keys(value as object)[0] ?? 'inspect');
  const state = STATE_NAMES[top] ?? top;
  const retry = context.attempt > 1 || context.lastFailure !== undefined;
  const why = context.lastFailure ? ` (last error: ${context.lastFailure.message})` : '';
  if (state === 'Verifying') {
    return {
      state,
      message: `waiting for the swarm manager to list the plugin (check ${context.verifyChecks})`,
    };
  }
  if (state === 'RollingBack') return { state, message: `rolling back to ${context.previousRemote}${why}` };
  return {
    state,
    message: retry ? `attempt ${context.attempt}${why}` : `${state.toLowerCase()} ${context.remote}`,
  };
}

export function finalNodeState(output: PluginInstallOutput): { state: string; message: string } {
  return { state: output.outcome, message: output.message };
}

/** The status of the plugin over its nodes. `states` has one entry per eligible node (by hostname). */
export function aggregatePluginStatus(
  desired: readonly FleetNode[],
  states: ReadonlyMap<string, PluginNodeState>,
): PluginFleetStatus {
  const nodes = desired.map(
    (n): PluginNodeState =>
      states.get(n.hostname) ?? { node: n.hostname, state: 'Pending', message: 'not started' },
  );
  const count = (s: string) => nodes.filter((n) => n.state === s).length;
  const ready = count('Installed');
  const total = nodes.length;
  const progress = `${ready}/${total} nodes`;
  const finalStates: readonly string[] = FINAL_NODE_STATES;
  const running = nodes.filter((n) => !finalStates.includes(n.state)).length;
  const bad = nodes.filter((n) => n.state !== 'Installed' && finalStates.includes(n.state));
  const summary = bad.map((n) => `${n.node}: ${n.state}${n.message ? ` (${n.message})` : ''}`).join('; ');
  let phase: PluginPhase;
  let message: string;
  if (count('Refused') > 0) {
    phase = 'Refused';
    // Stryker disable next-line OptionalChaining: equivalent, count('Refused') > 0: find finds a node
    message = nodes.find((n) => n.state === 'Refused')?.message ?? 'refused';
  } else if (running > 0) {
    phase = 'Installing';
    message = `installing on ${running} node(s)${summary ? `; ${summary}` : ''}`;
  } else if (bad.length > 0) {
    phase = 'Failed';
    message = summary;
  } else {
    phase = 'Ready';
    message = total === 0 ? 'no node matches the nodeSelector' : `installed on ${progress}`;
  }
  return { phase, progress, message, nodes, readyNodes: ready, desiredNodes: total };
}
