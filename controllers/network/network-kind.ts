/**
 * SwarmNetwork: a planned kind (one overlay network), reconciled like a stack through the planner.
 */
import type { KindReconciler } from '../ports.js';
import { plannedKind, type PlannedKindDeps } from '../stack/planned-kind.js';

export function swarmNetworkKind(deps: PlannedKindDeps): KindReconciler {
  return plannedKind(deps);
}
