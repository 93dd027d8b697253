/**
 * EventRecorder: what the controller tells about a resource (created, updated, removed, failed),
 * e.g. as Kubernetes Events (events.k8s.io/v1). Implementations rate-limit and never throw.
 * Messages never contain secret values.
 */
export interface ResourceEvent {
  /** `kind/namespace/name`. */
  key: string;
  type: 'Normal' | 'Warning';
  /** CamelCase reason, e.g. Applied, Pruned, ReconcileFailed. */
  reason: string;
  /** What happened: Reconcile, Delete, ... (events.k8s.io `action`). */
  action: string;
  note: string;
}

export interface EventRecorder {
  record(e: ResourceEvent): void;
}

export const noEvents: EventRecorder = { record: () => undefined };

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
