import { Errors, type SwarmkeeperError } from '../../reconciler/errors.js';
import { type Plan, summarize } from '../../reconciler/plan/types.js';
import type { ActionResult, ResourceEvent } from '../ports.js';
import type { ImageChange } from '../../reconciler/plan/image-update.js';

/**
 * What docker stack deploy would ignore in a resource (its load warnings), as one Warning Event
 * `IgnoredComposeOptions` when they change: none when there are none or they are what the status
 * already holds (a resync tells nothing new).
 */
export function warningsEvent(
  key: string,
  before: readonly string[] | undefined,
  now: readonly string[],
): ResourceEvent | undefined {
  if (now.length === 0 || JSON.stringify(before) === JSON.stringify(now)) return undefined;
  return { key, type: 'Warning', reason: 'IgnoredComposeOptions', action: 'Reconcile', note: now.join('\n') };
}

/** Tells what a reconcile did (Kubernetes Events with --kube): created, updated, removed, failed. */
export function outcomeEvent(
  key: string,
  plan: Plan | undefined,
  results: ActionResult[] | undefined,
  error: SwarmkeeperError | undefined,
  drift: boolean,
): ResourceEvent | undefined {
  if (error)
    return {
      key,
      // a deploy hook running is no warning
      type: error.code === Errors.HOOK_RUNNING.code ? 'Normal' : 'Warning',
      reason: error.reason,
      action: 'Reconcile',
      note: error.message,
    };
  if (!plan || !results || results.length === 0) return undefined;
  const s = summarize(plan);
  const parts = [
    s.create ? `${s.create} created` : '',
    s.update ? `${s.update} updated` : '',
    s.recreate ? `${s.recreate} recreated` : '',
    s.remove ? `${s.remove} removed` : '',
  ].filter(Boolean);
  const names = results.map((x) => `${x.action.op} ${x.action.kind} ${x.action.name}`);
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
  return {
    key,
    type: 'Normal',
    reason: drift ? 'DriftCorrected' : 'Applied',
    action: 'Reconcile',
    note: `${parts.join(', ')}: ${shown}`,
  };
}

/** The image changes the update policies made (one Normal Event `ImageUpdated`), none when there are none. */
export function imagesEvent(key: string, changes: readonly ImageChange[]): ResourceEvent | undefined {
  if (changes.length === 0) return undefined;
  return {
    key,
    type: 'Normal',
    reason: 'ImageUpdated',
    action: 'Reconcile',
    note: changes.map((c) => `${c.service}: ${c.from} -> ${c.to}`).join('\n'),
  };
}
