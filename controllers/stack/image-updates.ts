/**
 * The image update policies in a stack reconcile, around the pure decision
 * (reconciler/plan/image-update.ts): before planning, tell the poller which images the stack
 * follows and send what the last poll's facts decide; after an apply, the changes made (status,
 * Event, metric) and what a rollback would reject.
 */
import type { DesiredObject, DesiredState, ObservedObject } from '../../reconciler/model/objects.js';
import type { ImageResolution, ImageResolutions } from '../../reconciler/plan/image-pin.js';
import type { ServiceSpec } from '../../reconciler/model/engine-types.js';
import {
  applyImageUpdates,
  type ImageChange,
  imageChanges,
  rollbackRef,
} from '../../reconciler/plan/image-update.js';
import type { Logger } from 'pino';
import type { ActionResult, ImageResolver } from '../ports.js';
import { type ImageResolveInput, resolveImages } from './resolve-images.js';
import type { ImageUpdates, ImageWatch } from './image-update-poller.js';

const ROLLED_BACK = new Set(['rollback_started', 'rollback_paused', 'rollback_completed']);

export interface ImageUpdateStep {
  /** The desired objects with the images the policies decided. */
  objects: DesiredObject[];
  /** Digests the digest policy pins, by image. */
  resolutions: Record<string, ImageResolution>;
  decided: Set<string>;
  /** Images the last poll could not read (status warnings). */
  warnings: string[];
}

/** Before planning: the images to send for a stack's services. Nothing to do without policies or a poller. */
export function updateImages(
  updates: ImageUpdates | undefined,
  key: string,
  desired: DesiredState,
  observed: readonly ObservedObject[],
): ImageUpdateStep {
  const policies = desired.imageUpdates ?? {};
  const none = { objects: desired.objects, resolutions: {}, decided: new Set<string>(), warnings: [] };
  if (!updates) return none;
  const watches: ImageWatch[] = desired.objects.flatMap((o) =>
    o.kind === 'service' && policies[o.name]
      ? [{ image: o.spec.TaskTemplate.ContainerSpec.Image, policy: policies[o.name]! }]
      : [],
  );
  updates.watch(key, watches);
  if (watches.length === 0) return none;
  for (const o of observed)
    if (o.kind === 'service' && policies[o.name] && ROLLED_BACK.has(o.updateStatus?.State ?? ''))
      updates.rolledBack(o.name);
  const u = applyImageUpdates(
    desired.objects,
    policies,
    (image, policy) => updates.factsOf(image, policy),
    updates.rejected(),
    (name) => {
      const o = observed.find((x) => x.kind === 'service' && x.name === name);
      return (o?.spec as ServiceSpec | undefined)?.TaskTemplate?.ContainerSpec?.Image;
    },
  );
  return { ...u, warnings: updates.warningsOf(watches) };
}

/** The reconcile's own resolutions win over the poll's, except one that failed where the poll's did not. */
export function mergeResolutions(
  polled: Readonly<Record<string, ImageResolution>>,
  own: ImageResolutions,
): Record<string, ImageResolution> {
  const out: Record<string, ImageResolution> = { ...polled };
  for (const [image, r] of Object.entries(own)) if (r.ok || !polled[image]?.ok) out[image] = r;
  return out;
}

/** The digests this reconcile pins (resolve-images.ts) for the images the policies decided, and their warnings. */
export async function resolveForPlan(
  resolver: ImageResolver | undefined,
  step: ImageUpdateStep,
  input: Omit<ImageResolveInput, 'desired'>,
  log: Logger,
  signal?: AbortSignal,
): Promise<{ resolutions: Record<string, ImageResolution>; warnings: string[] }> {
  const r = await resolveImages(resolver, { ...input, desired: step.objects }, log, signal);
  return {
    resolutions: mergeResolutions(step.resolutions, r.resolutions),
    warnings: [...r.warnings, ...step.warnings],
  };
}

/** After an apply: the image changes the policies made to services the apply updated, remembered for rollbacks. */
export function appliedImageChanges(
  updates: ImageUpdates | undefined,
  step: ImageUpdateStep,
  desired: DesiredState,
  observed: readonly ObservedObject[],
  resolutions: ImageResolutions,
  results: readonly ActionResult[],
  at: Date,
): ImageChange[] {
  if (!updates || step.decided.size === 0) return [];
  const updated = new Set(
    results
      .filter((r) => r.ok && r.action.kind === 'service' && r.action.op !== 'remove')
      .map((r) => r.action.name),
  );
  const changes = imageChanges(step.objects, observed, step.decided, resolutions, at.toISOString()).filter(
    (c) => updated.has(c.service),
  );
  for (const c of changes) {
    const policy = desired.imageUpdates?.[c.service];
    const ref = policy ? rollbackRef(policy, c.to) : undefined;
    if (ref) updates.sent(c.service, ref);
  }
  return changes;
}
