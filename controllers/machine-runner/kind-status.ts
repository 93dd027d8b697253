/**
 * Status helpers shared by the per-node kinds (SwarmPlugin, SwarmVolume): parse the resource with
 * its defaults, turn a verdict into the Ready / Reconciling / Stalled conditions, and keep a node's
 * lastTransitionTime while its state does not change (so a converged resync writes no status).
 * Pure: no I/O here.
 */
import { API_VERSION } from '../../reconciler/api/common.js';
import { parseResource } from '../../reconciler/api/parse.js';
import type { Resource } from '../../reconciler/api/resource.js';
import type { SwarmkeeperError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { setCondition, type Condition } from '../../reconciler/status/conditions.js';
import type { EventRecorder, KindStatus, SwarmEvent } from '../ports.js';

/** The resource validated against its kind's schema, with defaults; throws SK_ERR_RESOURCE_INVALID. */
export function parseKind<R extends Resource>(res: DesiredResource): R {
  const doc = res.document ?? {
    apiVersion: API_VERSION,
    kind: res.kind,
    metadata: { name: res.name, namespace: res.namespace },
    spec: res.spec,
  };
  return parseResource(doc, res.origin.file) as R;
}

export interface KindVerdict {
  ready: boolean;
  /** CamelCase condition reason. */
  reason: string;
  message: string;
  /** Only a spec change can help (Stalled=True). */
  stalled?: boolean;
  /** Still working towards Ready (Reconciling=True). */
  reconciling?: boolean;
}

export function kindConditions(
  prev: readonly Condition[] | undefined,
  v: KindVerdict,
  now: Date,
  generation?: number,
): Condition[] {
  const gen = generation === undefined ? {} : { observedGeneration: generation };
  let c = setCondition(
    prev ?? [],
    { type: 'Ready', status: v.ready ? 'True' : 'False', reason: v.reason, message: v.message, ...gen },
    now,
  );
  c = setCondition(
    c,
    v.reconciling
      ? { type: 'Reconciling', status: 'True', reason: v.reason, message: v.message, ...gen }
      : { type: 'Reconciling', status: 'False', reason: 'Idle', message: '', ...gen },
    now,
  );
  c = setCondition(
    c,
    v.stalled
      ? { type: 'Stalled', status: 'True', reason: v.reason, message: v.message, ...gen }
      : { type: 'Stalled', status: 'False', reason: 'NotStalled', message: '', ...gen },
    now,
  );
  return c;
}

/** The status of a resource whose spec is invalid or whose step failed before any node was worked on. */
export function errorStatus(
  prev: KindStatus | undefined,
  error: SwarmkeeperError,
  now: Date,
  generation?: number,
): KindStatus {
  const status: KindStatus = {
    ...(prev ?? {}),
    conditions: kindConditions(
      prev?.conditions,
      {
        ready: false,
        reason: error.reason,
        message: error.message,
        stalled: error.policy === 'terminal',
        reconciling: error.policy !== 'terminal',
      },
      now,
      generation,
    ),
  };
  if (generation !== undefined && error.policy === 'terminal') status.observedGeneration = generation;
  return status;
}

/** A removal that cannot finish yet (objects in use, nodes refusing): phase Removing, with why. */
export function removalBlockedStatus(
  prev: KindStatus | undefined,
  inUse: boolean,
  message: string,
  now: Date,
): KindStatus {
  return {
    ...(prev ?? {}),
    phase: 'Removing',
    conditions: kindConditions(
      prev?.conditions,
      { ready: false, reason: inUse ? 'InUse' : 'RemoveBlocked', message, reconciling: true },
      now,
    ),
  };
}

/** spec.suspend: nothing is changed; the status says so and keeps the rest. */
export function suspendedStatus(prev: KindStatus | undefined, now: Date, generation?: number): KindStatus {
  const ready = prev?.conditions.find((c) => c.type === 'Ready');
  return {
    ...(prev ?? {}),
    conditions: setCondition(
      ready
        ? (prev?.conditions ?? [])
        : kindConditions(
            undefined,
            { ready: false, reason: 'Suspended', message: 'spec.suspend is true' },
            now,
            generation,
          ),
      {
        type: 'Reconciling',
        status: 'False',
        reason: 'Suspended',
        message: 'spec.suspend is true: nothing is changed',
        ...(generation === undefined ? {} : { observedGeneration: generation }),
      },
      now,
    ),
  };
}

export interface NodeStateLike {
  node: string;
  state: string;
  message?: string;
  lastTransitionTime?: string;
}

/** Node states with the previous lastTransitionTime kept where the state did not change. */
export function keepTransitionTimes<T extends NodeStateLike>(prev: unknown, nodes: readonly T[]): T[] {
  const before = new Map(
    (Array.isArray(prev) ? (prev as NodeStateLike[]) : []).map((n) => [n.node, n] as const),
  );
  return nodes.map((n) => {
    const p = before.get(n.node);
    return p?.state === n.state && p.lastTransitionTime !== undefined
      ? { ...n, lastTransitionTime: p.lastTransitionTime }
      : n;
  });
}

/** A node joined, changed role/labels/availability, or changed state: per-node kinds look again. */
export function isNodeEvent(e: SwarmEvent): boolean {
  return e.type === 'node' && (e.action === 'create' || e.action === 'update');
}

/** `a, b and 2 more` */
export function listNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/**
 * Per-node messages that differ only in the node name, said once:
 * `volume v on node n1 differs in x` + `... node n2 ...` -> `volume v on node(s) n1, n2 differs in x`.
 * Messages that do not name their node are prefixed with it.
 */
export function groupNodeMessages(items: readonly { node: string; message: string }[]): string {
  const groups = new Map<string, string[]>();
  for (const { node, message } of items) {
    const marker = `node ${node}`;
    const template = message.includes(marker)
      ? message.split(marker).join('node \u0000')
      : `node \u0000: ${message}`;
    groups.set(template, [...(groups.get(template) ?? []), node]);
  }
  return [...groups]
    .map(([t, nodes]) =>
      t.split('node \u0000').join(nodes.length === 1 ? `node ${nodes[0]}` : `node(s) ${nodes.join(', ')}`),
    )
    .join('; ');
}

/** Per-node Docker calls give up after this long (a node whose daemon does not answer). */
export const NODE_CALL_TIMEOUT_MS = 30_000;

/** The reconcile's signal, also aborted after `ms` (one node's calls never hold the worker). */
export function nodeCallSignal(signal: AbortSignal | undefined, ms = NODE_CALL_TIMEOUT_MS): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/**
 * A Normal Event listing what a kind removed from nodes (`note: <name> on <node>, ...`); none when
 * nothing was removed.
 */
export function recordRemovals(
  recorder: EventRecorder | undefined,
  e: { key: string; reason: string; action: 'Reconcile' | 'Delete'; note: string },
  removed: readonly { name: string; hostname: string }[],
): void {
  if (removed.length === 0) return;
  recorder?.record({
    key: e.key,
    type: 'Normal',
    reason: e.reason,
    action: e.action,
    note: `${e.note}: ${removed.map((r) => `${r.name} on ${r.hostname}`).join(', ')}`,
  });
}
