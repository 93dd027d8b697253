/**
 * SwarmStack: a compose project, reconciled through the planner (planned-kind.ts).
 */
import type { KindReconciler } from '../ports.js';
import { plannedKind, type PlannedKindDeps } from './planned-kind.js';

export function swarmStackKind(deps: PlannedKindDeps): KindReconciler {
  return plannedKind(deps);
}
