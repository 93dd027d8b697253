/** Services: created, updated where a field the user controls differs, adopted, or blocked. */
import type { ServiceSpec } from '../model/engine-types.js';
import type { DesiredService, ObservedObject } from '../model/objects.js';
import { LABEL_SPEC_HASH } from '../model/ownership.js';
import { findObserved, isAdoptable, isOwned, ownershipConflict, type PlanContext } from './context.js';
import { SERVICE_PROFILE } from './defaults.js';
import { diffSpec } from './diff.js';
import { pinImage } from './image-pin.js';
import { isIgnored, overlayIgnored } from './ignore.js';
import { Errors } from '../errors.js';
import type { CreateAction, FieldChange, RecreateAction, UpdateAction } from './types.js';

const HASH_PATH = `Labels[${JSON.stringify(LABEL_SPEC_HASH)}]`;

/** Labels is a map (SERVICE_PROFILE): its changes are always per key. */
function isLabelPath(path: string): boolean {
  return path.startsWith('Labels[') || path.startsWith('Labels.');
}

/** The spec to send: desired, with observed values at ignored paths, and this owner's labels kept. */
export function specToSend(ctx: PlanContext, d: DesiredService, observed: unknown): ServiceSpec {
  const spec = overlayIgnored(d.spec, observed, ctx.ignore);
  if (spec === d.spec) return spec;
  return { ...spec, Labels: { ...(spec.Labels ?? {}), ...(d.spec.Labels ?? {}) } };
}

function observedHash(o: ObservedObject): string | undefined {
  return o.labels[LABEL_SPEC_HASH] ?? (o.spec as ServiceSpec | undefined)?.Labels?.[LABEL_SPEC_HASH];
}

/** Changes between the spec to send and the observed one; strict when the spec hash differs. */
export function serviceChanges(
  ctx: PlanContext,
  d: DesiredService,
  o: ObservedObject,
  forceStrict = false,
): FieldChange[] {
  const send = specToSend(ctx, d, o.spec);
  const want = d.spec.Labels?.[LABEL_SPEC_HASH];
  const have = observedHash(o);
  const strict = forceStrict || want !== have;
  const changes = diffSpec(send, o.spec, { profile: SERVICE_PROFILE, strict }).filter(
    (c) => !isIgnored(c.path, ctx.ignore),
  );
  // The hash label alone differs (e.g. a removed field equal to its server default): still update.
  if (changes.length === 0 && want !== have)
    changes.push({ path: HASH_PATH, ...(have === undefined ? {} : { from: have }), to: want });
  return changes;
}

function update(
  d: DesiredService,
  o: ObservedObject,
  spec: ServiceSpec,
  changes: FieldChange[],
  adopt: boolean,
): UpdateAction {
  const a: UpdateAction = {
    op: 'update',
    kind: 'service',
    name: d.name,
    id: o.id,
    version: o.version,
    desired: { ...d, spec },
    changes,
    labelsOnly: changes.every((c) => isLabelPath(c.path)),
  };
  if (adopt) a.adopt = true;
  return a;
}

type ModeKind = 'replicated' | 'global' | 'replicated-job' | 'global-job';

/** The kind of a service's mode (replicated when unset, as the Engine fills it). */
export function modeKind(spec: ServiceSpec | undefined): ModeKind {
  // job modes are read loosely: the Engine types may not name them yet
  const m = (spec?.Mode ?? {}) as Record<string, unknown>;
  if (m['Global']) return 'global';
  if (m['ReplicatedJob']) return 'replicated-job';
  if (m['GlobalJob']) return 'global-job';
  return 'replicated';
}

/**
 * Swarm cannot change a service's mode kind in place (`service mode change is not allowed`): the
 * service is removed and created again with recreatePolicy Always, else the change is blocked.
 */
function planModeSwitch(
  ctx: PlanContext,
  d: DesiredService,
  o: ObservedObject,
  changes: FieldChange[],
): RecreateAction | undefined {
  const from = modeKind(o.spec as ServiceSpec | undefined);
  const to = modeKind(d.spec);
  const what = `its mode from ${from} to ${to} (Swarm cannot change a service's mode in place)`;
  if (ctx.opts.recreatePolicy !== 'Always') {
    ctx.blocked.push({
      kind: 'service',
      name: d.name,
      code: Errors.RECREATE_BLOCKED.code,
      message: `service ${d.name} must be removed and created again to change ${what} and recreatePolicy is Never; set recreatePolicy: Always to allow it (its tasks stop and new ones start)`,
      changes,
      affectedServices: [d.name],
    });
    return undefined;
  }
  const desired = { ...d, spec: specToSend(ctx, d, undefined) };
  return {
    op: 'recreate',
    kind: 'service',
    name: d.name,
    id: o.id,
    desired,
    changes,
    affectedServices: [d.name],
  };
}

/**
 * What a no-change verdict for this stamped service depends on besides the object itself: the
 * observed service's id and version (its spec), ownership, the image resolution and the ignore
 * paths. Undefined when it cannot be remembered (no memo, a desired object that is not frozen and
 * reused, an observed service without a version).
 */
function unchangedKey(
  ctx: PlanContext,
  want: DesiredService,
  o: ObservedObject,
  owned: boolean,
): string | undefined {
  if (!ctx.opts.unchanged || !Object.isFrozen(want) || o.version === undefined) return undefined;
  const image = ctx.opts.images?.[want.spec.TaskTemplate.ContainerSpec.Image] ?? null;
  return JSON.stringify([o.id, o.version, owned, image, ctx.opts.ignore]);
}

export function planServices(ctx: PlanContext): (CreateAction | UpdateAction | RecreateAction)[] {
  const out: (CreateAction | UpdateAction | RecreateAction)[] = [];
  for (const want of ctx.desired) {
    if (want.kind !== 'service') continue;
    const o = findObserved(ctx, 'service', want.name);
    const d = pinImage(want, o?.spec, ctx.opts.images);
    if (o === undefined) {
      out.push({ op: 'create', kind: 'service', name: d.name, desired: d });
      continue;
    }
    const owned = isOwned(ctx, o);
    if (!owned && !isAdoptable(ctx, d, o)) {
      ctx.blocked.push(ownershipConflict(ctx, d, o));
      continue;
    }
    const seen = unchangedKey(ctx, want, o, owned);
    if (seen !== undefined && ctx.opts.unchanged?.get(want) === seen) continue;
    const changes = serviceChanges(ctx, d, o, !owned);
    if (changes.length === 0) {
      if (seen !== undefined) ctx.opts.unchanged?.set(want, seen);
      continue;
    }
    if (modeKind(d.spec) !== modeKind(o.spec as ServiceSpec | undefined)) {
      const detail = 'its mode differs and adopting it would mean recreating it; remove it first';
      const r = owned ? planModeSwitch(ctx, d, o, changes) : undefined;
      if (r) out.push(r);
      else if (!owned) ctx.blocked.push(ownershipConflict(ctx, d, o, detail));
      continue;
    }
    const send = specToSend(ctx, d, o.spec);
    // Only labels differ: send the Engine's own spec with the new labels, so that the task template
    // stays byte-identical (no field the Engine normalised is rewritten, no task restarts).
    // (an observed service without spec differs in its TaskTemplate: never labels only)
    const labelsOnly = changes.every((c) => isLabelPath(c.path));
    const spec = labelsOnly ? { ...(o.spec as ServiceSpec), Labels: send.Labels ?? {} } : send;
    out.push(update(d, o, spec, changes, !owned));
  }
  return out;
}
