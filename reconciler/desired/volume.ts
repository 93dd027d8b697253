/**
 * A SwarmVolume as the per-node Docker volume it wants (name, driver, driver options, labels with
 * the owner labels), and what differs from a volume a node has. Pure. Differences name the option
 * and label keys only, never values (an option may hold a Secret value).
 */
import type { SwarmVolumeSpec } from '../api/swarm-volume.js';
import { ownerKey, ownerLabels, type OwnerRef } from '../model/ownership.js';
import { isSensitive, type Sensitive } from '../model/sensitive.js';
import { presetDriver, type OptValue, type SecretValues } from './volume-preset.js';

export interface DesiredVolume {
  name: string;
  driver: string;
  driverOpts: Record<string, OptValue>;
  labels: Record<string, string>;
}

/** What `GET /volumes/{name}` reports that matters here. */
export interface ObservedVolume {
  Name: string;
  Driver: string;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export function desiredVolume(
  owner: OwnerRef,
  spec: Pick<SwarmVolumeSpec, 'name' | 'driver' | 'driverOpts' | 'labels' | 'preset'>,
  instanceId: string,
  secrets: SecretValues,
): DesiredVolume {
  const { driver, driverOpts } = spec.preset
    ? presetDriver(spec.preset, secrets, ownerKey(owner), owner.namespace)
    : { driver: spec.driver ?? 'local', driverOpts: { ...(spec.driverOpts ?? {}) } };
  return {
    name: spec.name ?? owner.name,
    driver,
    driverOpts,
    labels: { ...(spec.labels ?? {}), ...ownerLabels(owner, instanceId) },
  };
}

/** Plugin drivers are listed as `name:latest` or `name`: the same driver. */
export function normalizeDriver(driver: string): string {
  return driver.replace(/:latest$/, '');
}

/** The option values as Docker takes them (for the adapter's create call and comparisons only). */
export function revealOptions(opts: Record<string, OptValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts)) out[k] = isSensitive(v) ? v.reveal() : v;
  return out;
}

/** The option keys whose value is a Secret value (for redacting Docker's messages). */
export function sensitiveValues(opts: Record<string, OptValue>): string[] {
  return Object.values(opts)
    .filter((v): v is Sensitive<string> => isSensitive(v))
    .map((v) => v.reveal())
    .filter((v) => v !== '');
}

function mapDiff(prefix: string, want: Record<string, string>, have: Record<string, string>): string[] {
  const keys = [...new Set([...Object.keys(want), ...Object.keys(have)])].sort();
  return keys.filter((k) => want[k] !== have[k]).map((k) => `${prefix}.${k}`);
}

/**
 * What differs between the desired volume and a node's volume: `driver (local -> swlvol)`,
 * `driverOpts.o`, `labels.tier`. Volumes are immutable: any difference needs recreation.
 * `labels: false` leaves labels out (an adopted volume keeps the labels it was made with).
 */
export function volumeDifferences(
  desired: DesiredVolume,
  observed: ObservedVolume,
  opts: { labels: boolean } = { labels: true },
): string[] {
  const out: string[] = [];
  if (normalizeDriver(desired.driver) !== normalizeDriver(observed.Driver))
    out.push(`driver (${observed.Driver} -> ${desired.driver})`);
  out.push(...mapDiff('driverOpts', revealOptions(desired.driverOpts), observed.Options ?? {}));
  if (opts.labels) out.push(...mapDiff('labels', desired.labels, observed.Labels ?? {}));
  return out;
}

/** Replaces every Secret value in a message (Docker's or a plugin's) by [redacted]. */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[redacted]');
  return out;
}
