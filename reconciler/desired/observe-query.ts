/**
 * What one reconcile observes (ObserveQuery): the objects its resource owns, every name it desires
 * (external ones too: the planner checks that they exist) and its stack namespace (adoption).
 *
 * The stack's objects are listed by name and name prefix (ObserveQuery.namePrefixes), never by its
 * namespace label, and the owned ones by ownership label too, except when narrow.
 *
 * Narrow (by name only: ObserveQuery.ownedByName) when the status shows this same desired state
 * applied, and no error or block since. Then every object the resource owns is one it desires or a
 * version of a desired config or secret: the reconcile that applied this desired state observed
 * by label and pruned the rest (or failed, which is no settled status), and the reconciles since
 * created only desired objects. Those are all named in the desired state, `<namespace>_…`, or
 * `<logical name>-<hash>`, so lists by those names and prefixes find them all, from dockerd's name
 * index instead of a scan of every object (what a drift correction at 10,000 services waits on).
 * Whatever slips past (an owned object relabelled out of band) is found by the next resync,
 * which always observes by label or from its snapshot.
 */
import type { ObjectKind } from '../model/objects.js';
import type { ObserveQuery } from '../ports.js';
import type { ResourceStatus } from '../status/resource-status.js';
import type { DesiredFor } from './desired-for.js';

/** Ready reasons of a reconcile that applied with no error and no blocked change. */
const SETTLED_REASONS: ReadonlySet<string> = new Set([
  'ReconciliationSucceeded',
  'Progressing',
  'RolledBack',
  'RolloutPaused',
]);

/** The status shows `desiredHash` applied, and the last reconcile ended with no error or block. */
export function settled(prev: ResourceStatus | undefined, desiredHash: string): boolean {
  if (prev?.desiredHash !== desiredHash) return false;
  const ready = prev.conditions.find((c) => c.type === 'Ready');
  const stalled = prev.conditions.find((c) => c.type === 'Stalled');
  // Unknown: a new generation started (startedStatus), which hides how the last reconcile ended
  return (
    ready !== undefined &&
    ready.status !== 'Unknown' &&
    SETTLED_REASONS.has(ready.reason) &&
    stalled?.status !== 'True'
  );
}

export function observeQuery(
  d: DesiredFor,
  q: { instanceId: string; owner: string; narrow: boolean },
): ObserveQuery {
  const names: Partial<Record<ObjectKind, string[]>> = {};
  for (const o of [...d.desired.objects, ...(d.desired.external ?? [])]) (names[o.kind] ??= []).push(o.name);
  const query: ObserveQuery = {
    instanceId: q.instanceId,
    owner: q.owner,
    names,
    ...(d.stackNamespace ? { stackNamespaces: [d.stackNamespace] } : {}),
  };
  // a stack's unowned objects matter under a desired name or a config's or secret's logical name,
  // `<namespace>_…` or the logical name itself: every version of a desired config or secret is
  // `<logical name>-<hash>`, so the logical name is their prefix (and docker's own name for one)
  const prefixes = d.stackNamespace ? [`${d.stackNamespace}_`] : [];
  for (const o of d.desired.objects)
    if ((o.kind === 'config' || o.kind === 'secret') && !prefixes.some((p) => o.logicalName.startsWith(p)))
      prefixes.push(o.logicalName);
  return { ...query, namePrefixes: prefixes, ...(q.narrow ? { ownedByName: true } : {}) };
}
