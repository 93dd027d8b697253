// Shared by plugin-volume-verdicts.test.ts and resource-node-endpoints.test.ts: a plugin key and a
// plugin fleet status builder.
import type { PluginFleetStatus } from '../../../machines/plugin-fleet.js';

export const KEY = 'SwarmPlugin/default/swlvol';
export const fleet = (
  phase: PluginFleetStatus['phase'],
  states: string[],
  message = 'm',
): PluginFleetStatus => ({
  phase,
  progress: `${states.filter((s) => s === 'Installed').length}/${states.length} nodes`,
  message,
  nodes: states.map((state, i) => ({ node: `n${i + 1}`, state })),
  readyNodes: states.filter((s) => s === 'Installed').length,
  desiredNodes: states.length,
});
