/**
 * Node labels of a SwarmNode. Pure.
 *
 * swarmkeeper puts its owner labels on the node (`swarmkeeper.io/owner` = SwarmNode/ns/name,
 * `swarmkeeper.io/instance`) and records the keys of the spec labels it set in
 * `swarmkeeper.io/node-labels` (comma-separated), so a label removed from the spec is removed from
 * the node while labels someone else set by hand are never touched. `spec.labels` unset: labels are
 * not managed (only the owner labels are ensured).
 */
import { LABEL_INSTANCE, LABEL_OWNER } from '../reconciler/model/ownership.js';

export const LABEL_NODE_LABELS = 'swarmkeeper.io/node-labels';

export interface LabelChange {
  set: Record<string, string>;
  remove: string[];
}

export type NodeOwnership = 'mine' | 'free' | 'other';

/** Whether the node carries this resource's owner labels, none, or another owner's. */
export function nodeOwnership(
  labels: Readonly<Record<string, string>>,
  owner: string,
  instance: string,
): NodeOwnership {
  const o = labels[LABEL_OWNER];
  const i = labels[LABEL_INSTANCE];
  if (o === undefined && i === undefined) return 'free';
  return o === owner && i === instance ? 'mine' : 'other';
}

function managedKeys(labels: Readonly<Record<string, string>>): string[] {
  const v = labels[LABEL_NODE_LABELS];
  return v === undefined || v === '' ? [] : v.split(',');
}

/** What to change so the node has the owner labels and exactly the spec labels swarmkeeper manages. */
export function nodeLabelChange(
  current: Readonly<Record<string, string>>,
  desired: Readonly<Record<string, string>> | undefined,
  owner: string,
  instance: string,
): LabelChange {
  const want: Record<string, string> = { [LABEL_OWNER]: owner, [LABEL_INSTANCE]: instance };
  const remove: string[] = [];
  if (desired !== undefined) {
    const keys = Object.keys(desired)
      .filter((k) => !k.startsWith('swarmkeeper.io/'))
      .sort();
    for (const k of keys) want[k] = desired[k]!;
    if (keys.length > 0) want[LABEL_NODE_LABELS] = keys.join(',');
    else if (current[LABEL_NODE_LABELS] !== undefined) remove.push(LABEL_NODE_LABELS);
    for (const k of managedKeys(current)) if (!keys.includes(k) && k in current) remove.push(k);
  }
  const set: Record<string, string> = {};
  for (const [k, v] of Object.entries(want)) if (current[k] !== v) set[k] = v;
  return { set, remove: remove.sort() };
}

export function isEmptyChange(c: LabelChange): boolean {
  return Object.keys(c.set).length === 0 && c.remove.length === 0;
}

export function applyLabelChange(
  current: Readonly<Record<string, string>>,
  change: LabelChange,
): Record<string, string> {
  const out: Record<string, string> = { ...current };
  for (const k of change.remove) delete out[k];
  Object.assign(out, change.set);
  return out;
}

/** The labels shown to users: without swarmkeeper's bookkeeping labels. */
export function userLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!k.startsWith('swarmkeeper.io/')) out[k] = v;
  return out;
}
