/**
 * Removal of a resource's Swarm objects: when its key left every source (prune), or when it is
 * being deleted through a finalizer (deletionPolicy Delete removes them, Orphan leaves them and
 * marks the key so its later disappearance prunes nothing). Returns the loop's Verdict; nothing
 * here writes status, Events or metrics.
 */
import type { Logger } from 'pino';
import { parseOwnerKey } from '../../reconciler/model/ownership.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import type {
  KindReconcileContext,
  KindReconcilers,
  KindStatus,
  OrphanMarks,
  PlannerSwarmPort,
  ResourceEvent,
  ResourceLifecycle,
  StatusStore,
} from '../ports.js';
import { planOrphans } from './orphans.js';
import type { Verdict } from './verdict.js';

export interface FinalizerDeps {
  swarm: PlannerSwarmPort;
  instanceId: string;
  marks: OrphanMarks;
  kinds: KindReconcilers;
  statuses: Pick<StatusStore, 'get'>;
  /** The keys still desired (their objects are never pruned). */
  desiredKeys(): string[];
  kindContext(key: string, prev: KindStatus | undefined, root: string): Promise<KindReconcileContext>;
}

/** The key is no longer desired (or is being deleted): remove the objects it owns (only owned ones). */
export async function prune(
  d: FinalizerDeps,
  key: string,
  log: Logger,
  opts: { deleting: boolean; res?: DesiredResource; root?: string },
): Promise<Verdict> {
  if (!opts.deleting && (await d.marks.clear(key))) {
    log.info('resource removed with deletionPolicy Orphan: its objects are left in the Swarm');
    return {};
  }
  const kind = d.kinds[parseOwnerKey(key)?.kind ?? ''];
  let wroteSwarm = false;
  if (kind?.remove) {
    const prev = (await d.statuses.get(key)) as KindStatus | undefined;
    const r = await kind.remove(key, opts.res, await d.kindContext(key, prev, opts.root ?? '.'));
    wroteSwarm = kind.writesServices === true;
    if (!r.done) {
      const v: Verdict = { wroteSwarm, ...(r.status ? { status: r.status } : {}) };
      if (!r.error) return { ...v, requeueAfterMs: r.requeueAfterMs ?? 5000 };
      const e = r.error;
      const warning: ResourceEvent = {
        key,
        type: 'Warning',
        reason: e.reason,
        action: 'Delete',
        note: e.message,
      };
      return { ...v, error: e, events: [warning] };
    }
  }
  const events: ResourceEvent[] = [];
  try {
    const keep = new Set(d.desiredKeys());
    keep.delete(key);
    const plans = (await planOrphans(d.swarm, d.instanceId, keep)).filter((p) => p.owner === key);
    for (const p of plans) {
      const results = await d.swarm.apply(p);
      if (results.length > 0) wroteSwarm = true;
      const failed = results.find((r) => !r.ok);
      if (failed?.error) return { events, wroteSwarm, error: failed.error };
      log.info({ removed: p.actions.length }, 'pruned objects of a resource removed from its source');
      events.push({
        key,
        type: 'Normal',
        reason: 'Pruned',
        action: 'Delete',
        note: `${p.actions.length} Swarm object(s) removed: ${p.actions
          .map((a) => `${a.kind} ${a.name}`)
          .slice(0, 5)
          .join(', ')}`,
      });
    }
  } catch (error) {
    return { events, wroteSwarm, error };
  }
  return { status: null, conflicts: [], forget: true, events, wroteSwarm };
}

/** A resource being deleted: remove its objects (deletionPolicy Delete) or leave them; the loop then releases it, after the Events. */
export async function finalize(
  d: FinalizerDeps,
  key: string,
  stored: { resource: DesiredResource; root: string },
  policy: 'Delete' | 'Orphan',
  lifecycle: ResourceLifecycle,
  log: Logger,
): Promise<Verdict> {
  let v: Verdict = {};
  if (policy === 'Delete') {
    v = await prune(d, key, log, { deleting: true, res: stored.resource, root: stored.root });
    if (v.requeueAfterMs !== undefined || v.error !== undefined) return v; // not removed yet: keep the finalizer
  } else await d.marks.mark(key);
  const release = async (): Promise<void> => {
    await lifecycle.finalized(stored.resource);
    log.info({ deletionPolicy: policy }, 'finalized a deleted resource');
  };
  return { ...v, release };
}
