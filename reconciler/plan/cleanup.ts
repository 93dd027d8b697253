/**
 * Removal of owned objects that are no longer desired: old config/secret versions past retention
 * (`retired`, always) and the rest (`pruned`, only with prune). Nothing still used after the plan
 * is removed, and nothing that is not owned by this resource.
 */
import { compareNames } from '../model/order.js';
import type { ServiceSpec } from '../model/engine-types.js';
import type { ObjectKind, ObservedObject } from '../model/objects.js';
import { LABEL_LOGICAL_NAME } from '../model/ownership.js';
import { isOwned, keyOf, type PlanContext } from './context.js';
import { serviceRefs } from './refs.js';
import type { CreateAction, RecreateAction, RemoveAction, UpdateAction } from './types.js';

/** Service removes (pruned owned services). */
export function planServiceRemoves(ctx: PlanContext): RemoveAction[] {
  if (!ctx.opts.prune) return [];
  const desired = new Set(ctx.desired.filter((d) => d.kind === 'service').map((d) => d.name));
  return ctx.observed
    .filter(
      (o) =>
        o.kind === 'service' &&
        isOwned(ctx, o) &&
        !desired.has(o.name) &&
        !ctx.external.has(keyOf('service', o.name)),
    )
    .sort((a, b) => compareNames(a.name, b.name))
    .map((o) => ({ op: 'remove', kind: 'service', name: o.name, id: o.id, why: 'pruned' }));
}

/** Keys (`kind/name`) of every object some service uses once the plan is applied. */
export function usedAfter(
  ctx: PlanContext,
  services: readonly (CreateAction | UpdateAction | RecreateAction)[],
  removes: readonly RemoveAction[],
): Set<string> {
  const removed = new Set(removes.map((r) => r.id));
  const next = new Map<string, ServiceSpec | undefined>();
  for (const o of ctx.observed)
    if (o.kind === 'service' && !removed.has(o.id)) next.set(o.name, o.spec as ServiceSpec);
  for (const a of services) next.set(a.name, a.desired.spec as ServiceSpec);
  const used = new Set<string>();
  for (const spec of next.values()) for (const k of serviceRefs(spec)) used.add(k);
  return used;
}

function newestFirst(a: ObservedObject, b: ObservedObject): number {
  const ta = a.createdAt ?? '';
  const tb = b.createdAt ?? '';
  return (ta < tb ? 1 : ta > tb ? -1 : 0) || compareNames(b.name, a.name);
}

const REMOVE_ORDER: ObjectKind[] = ['secret', 'config', 'volume', 'network'];

/** Removes of secrets, configs, volumes and networks, in that order. */
export function planObjectRemoves(ctx: PlanContext, used: Set<string>): RemoveAction[] {
  const desired = new Set(ctx.desired.map((d) => keyOf(d.kind, d.name)));
  const logical = new Set(
    ctx.desired.flatMap((d) =>
      d.kind === 'config' || d.kind === 'secret' ? [keyOf(d.kind, d.logicalName)] : [],
    ),
  );
  const out: RemoveAction[] = [];
  for (const kind of REMOVE_ORDER) {
    const stale = ctx.observed.filter(
      (o) =>
        o.kind === kind &&
        isOwned(ctx, o) &&
        !desired.has(keyOf(kind, o.name)) &&
        !ctx.external.has(keyOf(kind, o.name)),
    );
    const retired: ObservedObject[] = [];
    const pruned: ObservedObject[] = [];
    const groups = new Map<string, ObservedObject[]>();
    for (const o of stale) {
      const ln = o.labels[LABEL_LOGICAL_NAME];
      // (only configs and secrets have logical names)
      if (ln !== undefined && logical.has(keyOf(kind, ln))) {
        groups.set(ln, [...(groups.get(ln) ?? []), o]);
      } else if (ctx.opts.prune) pruned.push(o);
    }
    const r = ctx.opts.configRetention;
    const keep = Number.isFinite(r) ? Math.max(0, Math.floor(r)) : 2;
    for (const versions of groups.values()) retired.push(...versions.sort(newestFirst).slice(keep));
    const removes: RemoveAction[] = [
      ...retired.map((o): RemoveAction => ({ op: 'remove', kind, name: o.name, id: o.id, why: 'retired' })),
      ...pruned.map((o): RemoveAction => ({ op: 'remove', kind, name: o.name, id: o.id, why: 'pruned' })),
    ];
    out.push(
      ...removes.filter((r) => !used.has(keyOf(kind, r.name))).sort((a, b) => compareNames(a.name, b.name)),
    );
  }
  return out;
}
