/** Shared state of one planning run and the ownership helpers every step uses. */
import { Errors } from '../errors.js';
import type { Labels } from '../model/engine-types.js';
import type { DesiredObject, DesiredState, ObjectKind, ObservedObject } from '../model/objects.js';
import {
  LABEL_CONTENT_HASH,
  LABEL_INSTANCE,
  LABEL_LOGICAL_NAME,
  LABEL_OWNER,
  LABEL_STACK_NAMESPACE,
  isOwnedBy,
  ownerKey,
  ownerLabels,
  type OwnerRef,
} from '../model/ownership.js';
import { compileIgnore } from './ignore.js';
import { resolveRefNames } from './ref-names.js';
import type { Pattern } from './paths.js';
import { withSpecHash } from './spec-hash.js';
import type { BlockedChange, PlanOptions } from './types.js';

export interface PlanContext {
  owner: OwnerRef;
  ownerKey: string;
  opts: PlanOptions;
  ignore: Pattern[];
  /** Desired objects with their ownership labels (and services with their spec hash). */
  desired: DesiredObject[];
  observed: ObservedObject[];
  external: Set<string>;
  /** `kind/name` of unowned configs/secrets this plan adopts under their own names (ref-names.ts). */
  adopted: Set<string>;
  blocked: BlockedChange[];
}

export const keyOf = (kind: ObjectKind, name: string): string => `${kind}/${name}`;

/** Desired object with the labels swarmkeeper needs to recognise it later. */
export function stamp(
  obj: DesiredObject,
  owner: OwnerRef,
  instanceId: string,
  ignore: Pattern[],
): DesiredObject {
  const labels = { ...(obj.spec.Labels ?? {}), ...ownerLabels(owner, instanceId) };
  if (obj.kind === 'service') return { ...obj, spec: withSpecHash({ ...obj.spec, Labels: labels }, ignore) };
  if (obj.kind === 'network' || obj.kind === 'volume') return withLabels(obj, labels);
  return withLabels(obj, {
    ...labels,
    [LABEL_LOGICAL_NAME]: obj.logicalName,
    [LABEL_CONTENT_HASH]: obj.hash,
  });
}

function withLabels<T extends DesiredObject>(obj: T, labels: Labels): T {
  return { ...obj, spec: { ...obj.spec, Labels: labels } };
}

/** stamp, or the stamp kept for this frozen object with the same owner, instance and ignore paths. */
function stampOnce(obj: DesiredObject, owner: OwnerRef, opts: PlanOptions, ignore: Pattern[]): DesiredObject {
  const memo = opts.stamps;
  if (!memo || !Object.isFrozen(obj)) return stamp(obj, owner, opts.instanceId, ignore);
  const by = JSON.stringify([ownerKey(owner), opts.instanceId, opts.ignore]);
  const hit = memo.get(obj);
  if (hit?.by === by) return hit.stamped;
  // frozen where it is new (the rest is the frozen object's): shared by the plans that follow
  const stamped = Object.freeze(stamp(obj, owner, opts.instanceId, ignore));
  Object.freeze(stamped.spec);
  Object.freeze(stamped.spec.Labels); // every stamp has labels
  memo.set(obj, { by, stamped });
  return stamped;
}

export function makeContext(
  desired: DesiredState,
  observed: ObservedObject[],
  opts: PlanOptions,
): PlanContext {
  const ignore = compileIgnore(opts.ignore);
  const external = new Set(desired.external?.map((e) => keyOf(e.kind, e.name)));
  const wanted = desired.objects.filter((o) => !external.has(keyOf(o.kind, o.name)));
  const named = resolveRefNames(wanted, observed, desired.owner, opts);
  return {
    owner: desired.owner,
    ownerKey: ownerKey(desired.owner),
    opts,
    ignore,
    desired: named.objects.map((o) => stampOnce(o, desired.owner, opts, ignore)),
    observed,
    external,
    adopted: named.adopted,
    blocked: [],
  };
}

export function isOwned(ctx: PlanContext, o: ObservedObject): boolean {
  return isOwnedBy(o.labels, ctx.owner, ctx.opts.instanceId);
}

/** The observed object a desired name maps to (this owner's first, when names repeat). */
export function findObserved(ctx: PlanContext, kind: ObjectKind, name: string): ObservedObject | undefined {
  const same = ctx.observed.filter((o) => o.kind === kind && o.name === name);
  return same.find((o) => isOwned(ctx, o)) ?? same[0];
}

function desiredLabels(d: DesiredObject): Record<string, string> {
  return d.spec.Labels ?? {};
}

/** Unowned, made by `docker stack deploy` with the desired stack namespace, and adopt is set. */
export function isAdoptable(ctx: PlanContext, d: DesiredObject, o: ObservedObject): boolean {
  return ctx.opts.adopt && isSameStackUnowned(d, o);
}

/**
 * Unowned and labelled with the desired stack namespace (made by `docker stack deploy`). Such an
 * immutable object (network, volume, config, secret) with an equal spec is used as it is, adopt or
 * not: using it changes nothing about it, and its labels cannot be changed to take ownership.
 */
export function isSameStackUnowned(d: DesiredObject, o: ObservedObject): boolean {
  const ns = desiredLabels(d)[LABEL_STACK_NAMESPACE];
  return (
    o.labels[LABEL_OWNER] === undefined &&
    o.labels[LABEL_INSTANCE] === undefined &&
    ns !== undefined &&
    o.labels[LABEL_STACK_NAMESPACE] === ns
  );
}

function ownerDescription(o: ObservedObject): string {
  const owner = o.labels[LABEL_OWNER];
  const instance = o.labels[LABEL_INSTANCE];
  if (owner === undefined) return instance === undefined ? 'none' : `none, instance ${instance}`;
  return instance === undefined ? owner : `${owner}, instance ${instance}`;
}

/** SK_ERR_OWNERSHIP_CONFLICT for an object with a desired name that this resource does not own. */
export function ownershipConflict(
  ctx: PlanContext,
  d: DesiredObject,
  o: ObservedObject,
  detail?: string,
): BlockedChange {
  const head = `${d.kind} ${d.name} exists and is not owned by ${ctx.ownerKey} (owner: ${ownerDescription(o)})`;
  let tail = 'set adopt or rename';
  if (detail !== undefined) tail = detail;
  else if (ctx.opts.adopt) {
    const ns = desiredLabels(d)[LABEL_STACK_NAMESPACE];
    tail =
      ns === undefined
        ? 'adopt only takes objects of a stack (com.docker.stack.namespace label); rename or remove it'
        : `adopt only takes objects without an owner labelled ${LABEL_STACK_NAMESPACE}=${ns}; rename or remove it`;
  }
  return { kind: d.kind, name: d.name, code: Errors.OWNERSHIP_CONFLICT.code, message: `${head}; ${tail}` };
}
