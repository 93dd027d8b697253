/** Kubernetes-style conditions (type, status, reason, message, lastTransitionTime, observedGeneration). */
import { compareNames } from '../model/order.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';
export type ConditionType = 'Ready' | 'Reconciling' | 'Stalled' | 'Drifted' | (string & {});

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/**
 * Sets one condition, keeping lastTransitionTime when the status did not change
 * (the apimachinery meta.SetStatusCondition rule). Returns a new list, sorted by type.
 */
export function setCondition(conditions: readonly Condition[], next: ConditionInput, now: Date): Condition[] {
  const prev = conditions.find((c) => c.type === next.type);
  const lastTransitionTime =
    prev && prev.status === next.status
      ? prev.lastTransitionTime
      : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const merged: Condition = { ...next, lastTransitionTime };
  return [...conditions.filter((c) => c.type !== next.type), merged].sort((a, b) =>
    compareNames(a.type, b.type),
  );
}

export function removeCondition(conditions: readonly Condition[], type: ConditionType): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

export function getCondition(
  conditions: readonly Condition[] | undefined,
  type: ConditionType,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isTrue(conditions: readonly Condition[] | undefined, type: ConditionType): boolean {
  return getCondition(conditions, type)?.status === 'True';
}

/** Semantic equality ignoring lastTransitionTime: used to skip no-op status writes. */
export function sameConditions(
  a: readonly Condition[] | undefined,
  b: readonly Condition[] | undefined,
): boolean {
  const strip = (cs: readonly Condition[] | undefined) =>
    JSON.stringify(
      (cs ?? [])
        .map(({ lastTransitionTime: _t, ...rest }) => rest)
        .sort((x, y) => compareNames(x.type, y.type)),
    );
  return strip(a) === strip(b);
}
