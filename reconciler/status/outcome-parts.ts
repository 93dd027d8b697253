/**
 * Parts of a stack reconcile's outcome (resource-status.ts) read from its plan and its observation,
 * pure: the drift a plan would put back, the deploy hooks as status shows them, and the networks of
 * the stack that the Swarm has not allocated.
 */
import type { DesiredState, ObservedObject } from '../model/objects.js';
import { compareText } from '../model/order.js';
import type { FieldChange, Plan } from '../plan/types.js';
import type { HookStatus } from './resource-status.js';

/** What drift a plan would put back, as field paths (`<kind> <name>: <path>`). */
export function driftChanges(p: Plan): FieldChange[] {
  return p.actions.flatMap((a): FieldChange[] => {
    if (a.op === 'update' || a.op === 'recreate')
      return a.changes.map((c) => ({ ...c, path: `${a.kind} ${a.name}: ${c.path}` }));
    return [{ path: `${a.kind} ${a.name}: ${a.op === 'create' ? 'missing' : 'unexpected'}` }];
  });
}

/** The hook steps of a plan as status shows them (no log lines: the Ready message has them). */
export function hookStatuses(p: Plan): HookStatus[] {
  return (p.hooks ?? []).map((h) => ({
    phase: h.phase,
    service: h.service,
    revision: h.revision,
    state: h.state,
    ...(h.exitCode === undefined ? {} : { exitCode: h.exitCode }),
  }));
}

/**
 * The stack's networks (its own and the external ones it uses) that the Swarm has not allocated yet
 * (observe reports their Driver as unknown): tasks on them stay pending until it does, for a moment
 * after a create, for good when a subnet overlaps another network's. Sorted names.
 */
export function unallocatedNetworks(desired: DesiredState, observed: readonly ObservedObject[]): string[] {
  const names = new Set<string>();
  for (const o of desired.objects) if (o.kind === 'network') names.add(o.name);
  for (const e of desired.external ?? []) if (e.kind === 'network') names.add(e.name);
  return observed
    .filter((o) => o.kind === 'network' && names.has(o.name) && (o.unknownFields?.length ?? 0) > 0)
    .map((o) => o.name)
    .sort(compareText);
}
