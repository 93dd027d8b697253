/** Networks, volumes, configs and secrets: created when missing, immutable once they exist. */
import { Errors } from '../errors.js';
import type { ServiceSpec } from '../model/engine-types.js';
import type { DesiredObject, ObservedObject } from '../model/objects.js';
import { withoutOwnershipLabels } from '../model/ownership.js';
import {
  findObserved,
  isSameStackUnowned,
  isOwned,
  keyOf,
  ownershipConflict,
  type PlanContext,
} from './context.js';
import { NETWORK_PROFILE, VOLUME_PROFILE } from './defaults.js';
import { diffSpec } from './diff.js';
import { usersOf } from './refs.js';
import type { CreateAction, FieldChange, RecreateAction, UpdateAction } from './types.js';

export interface ObjectSteps {
  creates: CreateAction[];
  /** Label updates that take ownership of adopted configs and secrets. */
  adoptions: UpdateAction[];
  recreates: RecreateAction[];
}

/** Differences of a network or volume spec the user controls (server-filled fields are not differences). */
export function immutableChanges(
  d: DesiredObject,
  observedSpec: unknown,
  withoutOwnership = false,
  unknown: readonly string[] = [],
): FieldChange[] {
  if (d.kind !== 'network' && d.kind !== 'volume') return [];
  const o = (observedSpec ?? {}) as Record<string, unknown>;
  const dSpec: Record<string, unknown> = { ...d.spec };
  const oSpec: Record<string, unknown> = { ...o };
  if (withoutOwnership) {
    dSpec['Labels'] = withoutOwnershipLabels(d.spec.Labels);
    oSpec['Labels'] = withoutOwnershipLabels(o['Labels'] as Record<string, string> | undefined);
  }
  if (d.kind === 'volume') return diffSpec(dSpec, oSpec, { profile: VOLUME_PROFILE, strict: true });
  // IPAM config is server-assigned when the user set none; a gateway or range the user left out is too.
  const config = d.spec.IPAM?.Config ?? [];
  const skip = [
    ...unknown,
    ...(config.length === 0
      ? ['IPAM.Config']
      : config.flatMap((c, i) =>
          (['Gateway', 'IPRange'] as const).filter((k) => !c[k]).map((k) => `IPAM.Config[${i}].${k}`),
        )),
  ];
  return diffSpec(dSpec, oSpec, { profile: NETWORK_PROFILE, strict: true, skip });
}

/** The observed specs by name (only a service spec has a TaskTemplate: only services use objects). */
function observedSpecs(ctx: PlanContext): [string, ServiceSpec | undefined][] {
  return ctx.observed.map((o) => [o.name, o.spec as ServiceSpec | undefined]);
}

function planImmutable(ctx: PlanContext, d: DesiredObject, o: ObservedObject, steps: ObjectSteps): void {
  const changes = immutableChanges(d, o.spec, false, o.unknownFields);
  if (changes.length === 0) return;
  const services = observedSpecs(ctx);
  const affected = usersOf(d.kind, d.name, services);
  const kind = d.kind as 'network' | 'volume';
  const code = Errors.RECREATE_BLOCKED.code;
  const what = changes.map((c) => c.path).join(', ');
  if (ctx.opts.recreatePolicy !== 'Always') {
    const users = affected.length > 0 ? `; affected services: ${affected.join(', ')}` : '';
    const message = `${kind} ${d.name} must be recreated to change ${what} (${kind}s are immutable) and recreatePolicy is Never${users}; set recreatePolicy: Always to allow it`;
    ctx.blocked.push({ kind, name: d.name, code, message, changes, affectedServices: affected });
    return;
  }
  const foreign = ctx.observed
    .filter((s) => s.kind === 'service' && affected.includes(s.name) && !isOwned(ctx, s))
    .map((s) => s.name)
    .sort();
  if (foreign.length > 0) {
    const message = `${kind} ${d.name} must be recreated to change ${what}, but services not owned by ${ctx.ownerKey} use it: ${foreign.join(', ')}`;
    ctx.blocked.push({ kind, name: d.name, code, message, changes, affectedServices: affected });
    return;
  }
  steps.recreates.push({
    op: 'recreate',
    kind,
    name: d.name,
    id: o.id,
    desired: d,
    changes,
    affectedServices: affected,
  });
}

/**
 * Unowned object with the desired name: used as is when it belongs to the same stack (made by
 * `docker stack deploy`) and is equal, else a conflict. Never changed or removed.
 */
function planForeign(ctx: PlanContext, d: DesiredObject, o: ObservedObject): void {
  if (!isSameStackUnowned(d, o)) {
    ctx.blocked.push(ownershipConflict(ctx, d, o));
    return;
  }
  let changes: FieldChange[] = [];
  if (d.kind === 'network' || d.kind === 'volume')
    changes = immutableChanges(d, o.spec, true, o.unknownFields);
  else if (d.kind === 'config') {
    const data = (o.spec as { Data?: string } | undefined)?.Data;
    if (data !== undefined && data !== d.spec.Data) changes = [{ path: 'Data', from: data, to: d.spec.Data }];
  }
  if (changes.length === 0) return;
  const detail = `it differs from the desired ${d.kind} (${changes.map((c) => c.path).join(', ')}) and cannot be changed in place; remove or rename it`;
  ctx.blocked.push({ ...ownershipConflict(ctx, d, o, detail), changes });
}

/** Takes ownership of a config/secret made by `docker stack deploy`: a label-only update. */
type Adoptable = DesiredObject & { kind: 'config' | 'secret' };

function adoptLabels(d: Adoptable, o: ObservedObject): UpdateAction {
  const from = o.labels;
  const to = d.spec.Labels ?? {};
  const changes: FieldChange[] = Object.keys(to)
    .filter((k) => from[k] !== to[k])
    .sort()
    .map((k) => ({
      path: `Labels[${JSON.stringify(k)}]`,
      ...(k in from ? { from: from[k] } : {}),
      to: to[k],
    }));
  return {
    op: 'update',
    kind: d.kind,
    name: d.name,
    id: o.id,
    version: o.version,
    desired: d,
    changes,
    labelsOnly: true,
    adopt: true,
  };
}

export function planObjects(ctx: PlanContext): ObjectSteps {
  const steps: ObjectSteps = { creates: [], adoptions: [], recreates: [] };
  for (const d of ctx.desired) {
    if (d.kind === 'service') continue;
    const o = findObserved(ctx, d.kind, d.name);
    if (o === undefined) steps.creates.push({ op: 'create', kind: d.kind, name: d.name, desired: d });
    // only configs and secrets are adopted (ref-names.ts)
    else if (ctx.adopted.has(keyOf(d.kind, d.name))) steps.adoptions.push(adoptLabels(d as Adoptable, o));
    else if (!isOwned(ctx, o)) planForeign(ctx, d, o);
    // Owned configs and secrets are immutable and named by content: the name matching is enough
    // (immutableChanges has none for them).
    else planImmutable(ctx, d, o, steps);
  }
  return steps;
}
