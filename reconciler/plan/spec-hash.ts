/**
 * The spec hash label (`swarmkeeper.io/spec-hash`) on a desired service: a stable hash of the
 * canonical desired spec. When the observed label differs, the desired spec changed since the last
 * apply, so fields the user removed are reported too (plain diffing treats absent as "don't care").
 */
import { createHash } from 'node:crypto';
import type { ServiceSpec } from '../model/engine-types.js';
import { LABEL_SPEC_HASH } from '../model/ownership.js';
import { SERVICE_PROFILE } from './defaults.js';
import { normalize } from './diff.js';
import { overlayIgnored } from './ignore.js';
import type { Pattern } from './paths.js';

/** JSON with sorted keys and zero values dropped: equal specs give equal text. */
export function canonicalJSON(spec: ServiceSpec): string {
  return JSON.stringify(normalize(spec, [], SERVICE_PROFILE));
}

/** First 16 hex digits of sha256 over the canonical spec, without the hash label and ignored paths. */
export function specHash(spec: ServiceSpec, ignore: readonly Pattern[]): string {
  const labels = { ...(spec.Labels ?? {}) };
  delete labels[LABEL_SPEC_HASH];
  const base = overlayIgnored({ ...spec, Labels: labels }, undefined, ignore);
  return createHash('sha256').update(canonicalJSON(base)).digest('hex').slice(0, 16);
}

/** A copy of the spec carrying its hash label. */
export function withSpecHash(spec: ServiceSpec, ignore: readonly Pattern[]): ServiceSpec {
  return { ...spec, Labels: { ...(spec.Labels ?? {}), [LABEL_SPEC_HASH]: specHash(spec, ignore) } };
}
