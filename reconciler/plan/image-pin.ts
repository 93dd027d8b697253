/**
 * Image digest pinning, as `docker stack deploy --resolve-image always|changed|never` does it:
 * a resolved tag is sent as `name:tag@sha256:…` with the platforms of its manifest in
 * `Placement.Platforms`. Resolution itself is I/O (the controller asks the Engine's distribution
 * endpoint before planning); this module decides which images to resolve and what to send.
 *
 * The rule for drift: the planner compares the desired *tag* with the observed `tag@digest`.
 * - A resolved digest is sent: the same digest plans nothing, a new one is an image update.
 * - Without a resolution (mode `never`, an image `changed` does not re-resolve, a registry that
 *   cannot be reached) an observed `name:tag@digest` of the desired `name:tag` is kept as it is,
 *   with its platforms: a pinned image is never drift (e.g. `docker service update --image` of
 *   the same tag, or a stack `docker stack deploy` pinned). Any other image is drift.
 */
import type { Placement, ServiceSpec } from '../model/engine-types.js';
import type { DesiredObject, DesiredService, ObservedObject } from '../model/objects.js';
import { LABEL_STACK_IMAGE } from '../model/ownership.js';
import { normalizeImage, parseImageReference } from '../compose/image-ref.js';

export const RESOLVE_IMAGE_MODES = ['always', 'changed', 'never'] as const;
export type ResolveImageMode = (typeof RESOLVE_IMAGE_MODES)[number];
export const DEFAULT_RESOLVE_IMAGE: ResolveImageMode = 'always';

export type Platform = NonNullable<Placement['Platforms']>[number];

/** What the Engine's distribution endpoint said about one image (no error text: it stays in the log). */
export type ImageResolution = { ok: true; digest: string; platforms: Platform[] } | { ok: false };

/** Resolutions of one reconcile, by desired image (`ContainerSpec.Image` as the planner holds it). */
export type ImageResolutions = Readonly<Record<string, ImageResolution>>;

/** The reference without its digest (`app:1@sha256:…` -> `app:1`); undefined when it has no tag. */
export function taggedName(image: string): string | undefined {
  try {
    const r = parseImageReference(image);
    if (r.tag === undefined) return r.digest === undefined ? normalizeImage(image) : undefined;
    return normalizeImage(`${r.name}:${r.tag}`);
  } catch {
    return undefined;
  }
}

function hasDigest(image: string): boolean {
  try {
    return parseImageReference(image).digest !== undefined;
  } catch {
    return false;
  }
}

/** `app:1` + digest -> `app:1@sha256:…` (familiar form, as docker's client writes it); a digest reference is kept. */
export function withDigest(image: string, digest: string): string {
  if (hasDigest(image)) return image;
  const tagged = taggedName(image);
  return tagged === undefined ? image : `${tagged}@${digest}`;
}

/** The warning docker's client prints when it could not pin an image (moby client digestWarning). */
export function digestWarning(image: string): string {
  return (
    `image ${image} could not be accessed on a registry to record\n` +
    `its digest. Each node will access ${image} independently,\n` +
    `possibly leading to different nodes running different\n` +
    `versions of the image.`
  );
}

const WARNING_SHAPE = /^image \S+ could not be accessed on a registry to record\nits digest\./;

export function isDigestWarning(w: string): boolean {
  return WARNING_SHAPE.test(w);
}

function imageOf(spec: unknown): string | undefined {
  return (spec as ServiceSpec | undefined)?.TaskTemplate?.ContainerSpec?.Image;
}

/** True when the running service was made from another image than the desired one (docker's `changed`). */
export function imageChanged(d: DesiredService, o: ObservedObject | undefined): boolean {
  if (o === undefined) return true;
  const spec = o.spec as ServiceSpec | undefined;
  const label = d.spec.Labels?.[LABEL_STACK_IMAGE];
  if (label !== undefined && spec?.Labels?.[LABEL_STACK_IMAGE] !== label) return true;
  const running = imageOf(spec);
  return running === undefined || taggedName(running) !== taggedName(d.spec.TaskTemplate.ContainerSpec.Image);
}

/**
 * The distinct images to resolve before planning. `always` resolves every service image when `full`
 * (a new desired state, the CLI), and otherwise only those that changed, like `changed`.
 */
export function imagesToResolve(
  desired: readonly DesiredObject[],
  observed: readonly ObservedObject[],
  mode: ResolveImageMode,
  full: boolean,
): string[] {
  if (mode === 'never') return [];
  const out = new Set<string>();
  for (const d of desired) {
    if (d.kind !== 'service') continue;
    const image = d.spec.TaskTemplate.ContainerSpec.Image;
    if (taggedName(image) === undefined && !hasDigest(image)) continue;
    const o = observed.find((x) => x.kind === 'service' && x.name === d.name);
    if ((mode === 'always' && full) || imageChanged(d, o)) out.add(image);
  }
  return [...out].sort();
}

function withPlatforms(spec: ServiceSpec, platforms: Placement['Platforms']): ServiceSpec['TaskTemplate'] {
  const { Platforms: _drop, ...placement } = spec.TaskTemplate.Placement ?? {};
  const next: Placement = platforms?.length ? { ...placement, Platforms: platforms } : placement;
  const { Placement: _old, ...task } = spec.TaskTemplate;
  return Object.keys(next).length > 0 ? { ...task, Placement: next } : task;
}

/**
 * The desired service with the image to send: pinned to the resolved digest, or the observed pin
 * of the same tag kept (see the rule above), or the tag as written.
 */
export function pinImage(
  d: DesiredService,
  observed: unknown,
  resolutions: ImageResolutions | undefined,
): DesiredService {
  const image = d.spec.TaskTemplate.ContainerSpec.Image;
  const r = resolutions?.[image];
  let send: string;
  let platforms: Placement['Platforms'];
  if (r?.ok) {
    send = withDigest(image, r.digest);
    platforms = r.platforms;
  } else {
    const running = imageOf(observed);
    const tag = taggedName(image);
    if (running === undefined || hasDigest(image) || !hasDigest(running) || taggedName(running) !== tag)
      return d;
    send = running;
    platforms = (observed as ServiceSpec).TaskTemplate.Placement?.Platforms;
  }
  const spec: ServiceSpec = {
    ...d.spec,
    TaskTemplate: {
      ...withPlatforms(d.spec, platforms),
      ContainerSpec: { ...d.spec.TaskTemplate.ContainerSpec, Image: send },
    },
  };
  return { ...d, spec };
}
