/**
 * Image resolution before the pure plan (reconciler/plan/image-pin.ts): which images to ask the
 * registry about for this reconcile, one call per distinct image, and docker's warning for each
 * one that could not be resolved (the tag is then kept; it is not an error).
 */
import type { Logger } from 'pino';
import type { DesiredObject, ObservedObject } from '../../reconciler/model/objects.js';
import {
  digestWarning,
  type ImageResolution,
  imagesToResolve,
  isDigestWarning,
  type ResolveImageMode,
} from '../../reconciler/plan/image-pin.js';
import type { ImageResolver } from '../ports.js';

export interface ImageResolveInput {
  mode: ResolveImageMode;
  desired: readonly DesiredObject[];
  observed: readonly ObservedObject[];
  /** A desired state not yet applied (or no memory of one: the CLI): `always` resolves everything. */
  newDesired: boolean;
  /**
   * The warnings of the last reconcile: an image that could not be resolved stays reported until a
   * later reconcile resolves it (a resync does not ask the registry again).
   */
  prevWarnings?: readonly string[];
}

export interface ImageResolveResult {
  resolutions: Record<string, ImageResolution>;
  /** docker's warning, one per image that could not be resolved. */
  warnings: string[];
}

const IMAGE_OF_WARNING = /^image (\S+) could not be accessed/;

/** The images of the last reconcile's digest warnings. */
function failedBefore(warnings: readonly string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const w of warnings ?? []) {
    const m = isDigestWarning(w) ? IMAGE_OF_WARNING.exec(w) : null;
    if (m?.[1]) out.add(m[1]);
  }
  return out;
}

/** The distinct images this reconcile resolves. */
export function imagesFor(input: ImageResolveInput): string[] {
  return imagesToResolve(input.desired, input.observed, input.mode, input.newDesired);
}

/** Images of the last reconcile's warnings that are still desired and not resolved this time. */
function carried(
  input: ImageResolveInput,
  before: ReadonlySet<string>,
  asked: ReadonlySet<string>,
): string[] {
  if (input.mode === 'never') return [];
  const desired = new Set<string>();
  for (const d of input.desired)
    if (d.kind === 'service') desired.add(d.spec.TaskTemplate.ContainerSpec.Image);
  return [...before].filter((i) => desired.has(i) && !asked.has(i));
}

export async function resolveImages(
  resolver: ImageResolver | undefined,
  input: ImageResolveInput,
  log: Logger,
  signal?: AbortSignal,
): Promise<ImageResolveResult> {
  const images = resolver ? imagesFor(input) : [];
  const resolutions: Record<string, ImageResolution> = {};
  const failed: string[] = [];
  const known = failedBefore(input.prevWarnings);
  await Promise.all(
    images.map(async (image) => {
      try {
        const r = await resolver!.resolveImage(image, signal);
        resolutions[image] = { ok: true, digest: r.digest, platforms: r.platforms };
      } catch (e) {
        if (signal?.aborted) throw e;
        resolutions[image] = { ok: false };
        failed.push(image);
        // once per outage, not on every retry: the status keeps the warning
        if (!known.has(image)) log.warn({ err: e as Error, image }, 'image not pinned to a digest');
      }
    }),
  );
  const warnings = [...failed, ...carried(input, known, new Set(images))].sort().map((i) => digestWarning(i));
  if (images.length > 0) log.debug({ images: images.length }, 'images resolved');
  return { resolutions, warnings };
}
