/**
 * The event map: which resources a Docker event concerns, as a pure function of the event and
 * the kinds' predicates (controller-runtime's handler.EnqueueRequestsFromMapFunc with predicates).
 * The manager performs what it returns: invalidate the resync snapshots first, then look the
 * object's name up in the owner index (shared by every replica) and enqueue its owner, and enqueue
 * every resource of each kind that wants the event.
 */
import { SNAPSHOT_EVENT_TYPES } from '../docker/swarm-snapshot.js';
import type { KindReconcilers, SwarmEvent } from '../ports.js';

export interface EventTargets {
  /** It changes what resync snapshots hold: every replica's is stale before anything is enqueued. */
  invalidatesSnapshots: boolean;
  /** The object's name: its owner (through the owner index) is enqueued. */
  objectName?: string;
  /** Kinds every resource of which the event concerns (e.g. a node joined: every SwarmNode). */
  kinds: string[];
}

/** Predicate: the event changes a service, network, config or secret (what snapshots hold). */
export function invalidatesSnapshots(e: SwarmEvent): boolean {
  return SNAPSHOT_EVENT_TYPES.has(e.type);
}

/** Predicate per kind: the kinds whose reconciler wants the event (sorted). */
export function kindsWanting(e: SwarmEvent, kinds: KindReconcilers): string[] {
  return Object.entries(kinds)
    .filter(([, r]) => r?.wantsEvent?.(e) === true)
    .map(([kind]) => kind)
    .sort();
}

export function mapEvent(e: SwarmEvent, kinds: KindReconcilers): EventTargets {
  return {
    invalidatesSnapshots: invalidatesSnapshots(e),
    ...(e.name ? { objectName: e.name } : {}),
    kinds: kindsWanting(e, kinds),
  };
}

/** The keys (`kind/namespace/name`) of `keys` that are of one of `kinds`. */
export function keysOfKinds(kinds: readonly string[], keys: readonly string[]): string[] {
  return keys.filter((key) => kinds.some((kind) => key.startsWith(`${kind}/`)));
}
