import type { ResourceEvent } from '../ports.js';

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
  if (now.length === 0 || JSON.stringify(before ?? []) === JSON.stringify(now)) return undefined;
  return { key, type: 'Warning', reason: 'IgnoredComposeOptions', action: 'Reconcile', note: now.join('\n') };
}
