/**
 * Image write-back in a stack reconcile: the changes the update policies applied are committed to
 * the compose files of the stack's git source, when that source is configured for it
 * (writeBackBranch=). Without a writer nothing here runs.
 */
import type { Logger } from 'pino';
import type { DesiredObject, DesiredState } from '../../reconciler/model/objects.js';
import { LABEL_STACK_IMAGE } from '../../reconciler/model/ownership.js';
import type { ImageResolution } from '../../reconciler/plan/image-pin.js';
import { parseImageReference } from '../../reconciler/compose/image-ref.js';
import { stackComposeFiles } from '../../reconciler/desired/stack-files.js';
import { type ImageChange, retag } from '../../reconciler/plan/image-update.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import type { ImageWrite, ImageWriteBack } from '../ports.js';

const imageOf = (d: DesiredState, name: string): string | undefined => {
  const o = d.objects.find((x) => x.kind === 'service' && x.name === name);
  return o?.kind === 'service' ? o.spec.TaskTemplate.ContainerSpec.Image : undefined;
};

/** The image as the compose file writes it (the label; the spec holds the familiar form). */
const writtenOf = (d: DesiredState, name: string): string | undefined => {
  const o = d.objects.find((x) => x.kind === 'service' && x.name === name);
  return o?.kind === 'service'
    ? (o.spec.Labels?.[LABEL_STACK_IMAGE] ?? o.spec.TaskTemplate.ContainerSpec.Image)
    : undefined;
};

/** `from` with the tag of `image` (the name as written). */
const tagged = (from: string, image: string): string | undefined => {
  try {
    const tag = parseImageReference(image).tag;
    return tag === undefined ? undefined : retag(from, tag);
  } catch {
    return undefined;
  }
};

const withoutDigest = (image: string): string => {
  const at = image.indexOf('@');
  return at < 0 ? image : image.slice(0, at);
};

/**
 * With write-back, a `tag@digest` the digest policy wrote is followed as its tag (the policy owns
 * the field): the services under `digest` are decided from their tag. Other services are kept.
 */
export function followWrittenDigests(d: DesiredState): DesiredState {
  const policies = d.imageUpdates ?? {};
  let changed = false;
  const objects = d.objects.map((o) => {
    if (o.kind !== 'service' || policies[o.name]?.kind !== 'digest') return o;
    const c = o.spec.TaskTemplate.ContainerSpec;
    const image = c.Image;
    if (
      !image.includes('@') ||
      withoutDigest(image).lastIndexOf(':') <= withoutDigest(image).lastIndexOf('/')
    )
      return o;
    changed = true;
    return {
      ...o,
      spec: {
        ...o.spec,
        TaskTemplate: { ...o.spec.TaskTemplate, ContainerSpec: { ...c, Image: withoutDigest(image) } },
      },
    };
  });
  return changed ? { ...d, objects } : d;
}

/**
 * What to write for each change: semver the image decided (the new tag, the name as written);
 * digest `tag@digest` (the tag as written, the digest sent). `written` is the desired state as the
 * revision has it, `decided` the one the policies made.
 */
export function imageWrites(
  changes: readonly ImageChange[],
  written: DesiredState,
  decided: DesiredState,
  stackNamespace: string | undefined,
): ImageWrite[] {
  const out: ImageWrite[] = [];
  for (const c of changes) {
    const policy = written.imageUpdates?.[c.service];
    const from = writtenOf(written, c.service);
    const now = imageOf(decided, c.service);
    if (!policy || from === undefined || now === undefined) continue;
    let to: string | undefined;
    if (policy.kind === 'semver') to = tagged(from, now);
    else if (policy.kind === 'digest') {
      let digest: string | undefined;
      try {
        digest = parseImageReference(c.to).digest;
      } catch {
        digest = undefined;
      }
      to = digest === undefined ? undefined : `${withoutDigest(from)}@${digest}`;
    }
    if (to === undefined || to === from) continue;
    const prefix = stackNamespace ? `${stackNamespace}_` : '';
    const service = prefix && c.service.startsWith(prefix) ? c.service.slice(prefix.length) : c.service;
    out.push({ service, from, to });
  }
  return out;
}

/**
 * With write-back, the `com.docker.stack.image` label (the image as the compose file writes it)
 * says at once what write-back writes, so the reconcile of the written revision changes nothing:
 * the new tag (semver), or `tag@digest` (digest, the digest pinned).
 */
export function labelWrittenImages(
  written: DesiredState,
  objects: readonly DesiredObject[],
  resolutions: Readonly<Record<string, ImageResolution>>,
): DesiredObject[] {
  return objects.map((o) => {
    const policy = written.imageUpdates?.[o.name];
    const from = writtenOf(written, o.name);
    if (o.kind !== 'service' || !policy || from === undefined) return o;
    const image = o.spec.TaskTemplate.ContainerSpec.Image;
    const r = resolutions[image];
    const to =
      policy.kind === 'semver'
        ? tagged(from, image)
        : policy.kind === 'digest' && r?.ok
          ? `${withoutDigest(from)}@${r.digest}`
          : undefined;
    if (to === undefined || to === from || o.spec.Labels?.[LABEL_STACK_IMAGE] !== from) return o;
    return { ...o, spec: { ...o.spec, Labels: { ...o.spec.Labels, [LABEL_STACK_IMAGE]: to } } };
  });
}

/** The compose files of a resource, relative to its source's root, in overlay order. */
export function composeFilesOf(res: DesiredResource): string[] {
  return res.kind === 'SwarmStack' ? stackComposeFiles(res) : [res.origin.file];
}

/**
 * After an apply: commits the changes the policies made (`decided`: the objects they decided) to
 * the stack's compose files. Returns the warnings for status (changes not written); never throws.
 */
export async function writeBackImages(
  writer: ImageWriteBack,
  res: DesiredResource,
  d: { desired: DesiredState; stackNamespace?: string | undefined },
  decided: DesiredObject[],
  changes: readonly ImageChange[],
  log: Logger,
): Promise<string[]> {
  const writes = imageWrites(changes, d.desired, { ...d.desired, objects: decided }, d.stackNamespace);
  if (writes.length === 0) return [];
  try {
    const r = await writer.write(d.stackNamespace ?? res.name, composeFilesOf(res), writes);
    if (r.commit) log.info({ commit: r.commit, images: r.written }, 'image write-back pushed');
    for (const s of r.skipped) log.warn({ reason: s }, 'image write-back: not written');
    return r.skipped.map((s) => `image write-back: ${s}`);
  } catch (e) {
    const message = (e as Error).message;
    log.warn({ err: message }, 'image write-back failed');
    return [`image write-back failed: ${message}`];
  }
}
