/**
 * Image update policies (`x-swarmkeeper: { image-update: … }` on a compose service, the stack-wide
 * default `spec.imageUpdate`), pure: given the image a service is written with, its policy and what
 * the registry said at the last poll, the image to send.
 * - `digest`: the tag stays; its newest digest is the resolution the planner pins (image-pin.ts),
 *   so a new digest behind the tag is an image update, and the same digest plans nothing.
 * - `semver: "<range>"`: the newest tag of the repository whose version is in the range.
 * - `off` (the default): the image as written.
 * A digest or tag whose update Swarm rolled back is not tried again until the tag moves again.
 */
import type { DesiredObject, DesiredService, ImageUpdatePolicy, ObservedObject } from '../model/objects.js';
import type { ServiceSpec } from '../model/engine-types.js';
import { parseImageReference } from '../compose/image-ref.js';
import { type ImageResolution, type ImageResolutions, pinImage, taggedName } from './image-pin.js';
import { newestInRange, parseRange } from '../units/semver.js';

export const IMAGE_UPDATE_POLICIES = ['off', 'digest', 'semver'] as const;
export type { ImageUpdatePolicy };
export const IMAGE_UPDATE_OFF: ImageUpdatePolicy = { kind: 'off' };

/** What the registry said about one service's image at the last poll (absent: not polled yet, or unreachable). */
export interface RegistryFacts {
  /** `digest`: the digest behind the tag now. */
  resolution?: ImageResolution;
  /** `semver`: the repository's tags. */
  tags?: readonly string[];
}

/** One image change an update policy made, as status reports it. */
export interface ImageChange {
  service: string;
  from: string;
  to: string;
  at: string;
}

/** The number of changes status keeps (the newest). */
export const IMAGE_CHANGES_KEPT = 10;

/**
 * A policy as written: `digest`, `off`, `{semver: "<range>"}` (compose), or `{policy, range}`
 * (spec.imageUpdate); undefined when absent. A bad range is reported where it is written.
 */
export function policyOf(raw: unknown): ImageUpdatePolicy | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'off' || raw === 'digest') return { kind: raw };
  if (typeof raw !== 'object') return undefined;
  const o = raw as { semver?: unknown; policy?: unknown; range?: unknown };
  if (typeof o.semver === 'string') return { kind: 'semver', range: o.semver };
  if (o.policy === 'semver' && typeof o.range === 'string') return { kind: 'semver', range: o.range };
  if (o.policy === 'off' || o.policy === 'digest') return { kind: o.policy };
  return undefined;
}

/** The image with another tag (`reg:5000/app:1.2.1@sha256:…` -> `reg:5000/app:1.3.0`), the name as written. */
export function retag(image: string, tag: string): string {
  const at = image.indexOf('@');
  const bare = at < 0 ? image : image.slice(0, at);
  const colon = bare.lastIndexOf(':');
  const name = colon > bare.lastIndexOf('/') ? bare.slice(0, colon) : bare;
  return `${name}:${tag}`;
}

/** The repository of an image with its domain (`docker.io/library/nginx`), or undefined when it does not parse. */
export function repositoryOf(image: string): string | undefined {
  try {
    return parseImageReference(image).name;
  } catch {
    return undefined;
  }
}

export interface ImageDecision {
  /** The image to send (a new tag for semver; the same image for digest and off). */
  image: string;
  /** For digest: the digest to pin the tag to. */
  resolution?: ImageResolution;
}

/** The tag of `running` when it is an image of the same repository as `image`. */
function runningTag(image: string, running: string | undefined): string | undefined {
  if (running === undefined) return undefined;
  try {
    const r = parseImageReference(running);
    return r.name === parseImageReference(image).name ? r.tag : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The image to send for a service written with `image`. `rejected` holds the references Swarm
 * rolled back (`name:tag@digest` for digest, `name:tag` for semver): they are not sent again.
 * `running` is the service's image now: under semver its tag is a candidate too, so a service
 * is never moved back below it while the tags are not known (a restarted controller, a registry
 * down) or no longer listed.
 */
export function decideImage(
  image: string,
  policy: ImageUpdatePolicy,
  facts: RegistryFacts | undefined,
  rejected: ReadonlySet<string> = new Set(),
  running?: string,
): ImageDecision {
  let ref;
  try {
    ref = parseImageReference(image);
  } catch {
    return { image };
  }
  if (policy.kind === 'digest') {
    const r = facts?.resolution;
    // a digest written in the compose file is fixed
    if (!r?.ok || ref.digest !== undefined) return { image };
    if (rejected.has(`${taggedName(image) ?? image}@${r.digest}`)) return { image };
    return { image, resolution: r };
  }
  const now = runningTag(image, running);
  if (policy.kind === 'semver' && (facts?.tags || now !== undefined)) {
    const range = parseRange(policy.range);
    if (!range) return { image };
    const tags = [...(now === undefined ? [] : [now]), ...(facts?.tags ?? [])];
    const allowed = tags.filter((t) => !rejected.has(taggedName(retag(image, t)) ?? ''));
    const newest = newestInRange(allowed, range);
    if (newest === undefined || (newest === ref.tag && ref.digest === undefined)) return { image };
    return { image: retag(image, newest) };
  }
  return { image };
}

export interface UpdatedDesired {
  objects: DesiredObject[];
  /** Resolutions the digest policy pins (by the image the planner holds). */
  resolutions: Record<string, ImageResolution>;
  /** Services whose image a policy decided (changed or pinned): their changes are reported. */
  decided: Set<string>;
}

/**
 * The desired objects with the decisions of their services' policies (by Swarm service name).
 * `factsOf` gives the last poll's facts of an image and policy.
 */
export function applyImageUpdates(
  objects: readonly DesiredObject[],
  policies: Readonly<Record<string, ImageUpdatePolicy>>,
  factsOf: (image: string, policy: ImageUpdatePolicy) => RegistryFacts | undefined,
  rejected: ReadonlySet<string> = new Set(),
  runningOf: (name: string) => string | undefined = () => undefined,
): UpdatedDesired {
  const resolutions: Record<string, ImageResolution> = {};
  const decided = new Set<string>();
  const out = objects.map((o): DesiredObject => {
    const policy = policies[o.name];
    if (o.kind !== 'service' || !policy || policy.kind === 'off') return o;
    const image = o.spec.TaskTemplate.ContainerSpec.Image;
    const d = decideImage(image, policy, factsOf(image, policy), rejected, runningOf(o.name));
    if (d.resolution) {
      resolutions[d.image] = d.resolution;
      decided.add(o.name);
    }
    if (d.image === image) return o;
    decided.add(o.name);
    const c = o.spec.TaskTemplate.ContainerSpec;
    return {
      ...o,
      spec: { ...o.spec, TaskTemplate: { ...o.spec.TaskTemplate, ContainerSpec: { ...c, Image: d.image } } },
    };
  });
  return { objects: out, resolutions, decided };
}

const imageOfSpec = (spec: unknown): string | undefined =>
  (spec as ServiceSpec | undefined)?.TaskTemplate?.ContainerSpec?.Image;

/**
 * The image changes an applied plan made to the services a policy decided: the running image
 * (observed) and the one sent (pinned as the planner pins it). A service created is no change.
 */
export function imageChanges(
  objects: readonly DesiredObject[],
  observed: readonly ObservedObject[],
  decided: ReadonlySet<string>,
  resolutions: ImageResolutions,
  at: string,
): ImageChange[] {
  const out: ImageChange[] = [];
  for (const o of objects) {
    if (o.kind !== 'service' || !decided.has(o.name)) continue;
    const running = observed.find((x) => x.kind === 'service' && x.name === o.name);
    const from = imageOfSpec(running?.spec);
    if (from === undefined) continue;
    const to = imageOfSpec(pinImage(o as DesiredService, running?.spec, resolutions).spec);
    if (to !== undefined && to !== from) out.push({ service: o.name, from, to, at });
  }
  return out;
}

/**
 * What a rollback of a change rejects: `name:tag@digest` under digest, `name:tag` under semver (so
 * another digest behind the tag, or another tag, is still tried).
 */
export function rollbackRef(policy: ImageUpdatePolicy, to: string): string | undefined {
  const tagged = taggedName(to);
  if (tagged === undefined) return undefined;
  if (policy.kind === 'semver') return tagged;
  try {
    const digest = parseImageReference(to).digest;
    return digest === undefined ? undefined : `${tagged}@${digest}`;
  } catch {
    return undefined;
  }
}

/** The status list after new changes: the last IMAGE_CHANGES_KEPT, oldest first. */
export function keptChanges(
  prev: readonly ImageChange[] | undefined,
  now: readonly ImageChange[],
): ImageChange[] {
  return [...(prev ?? []), ...now].slice(-IMAGE_CHANGES_KEPT);
}
