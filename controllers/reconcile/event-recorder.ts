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
