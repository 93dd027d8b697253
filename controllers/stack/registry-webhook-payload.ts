/**
 * What a registry's push notification says, reduced to the pushed repositories (POST
 * /hooks/registry): the Docker Distribution (registry:2) notifications envelope
 * (`events[].action: push`, `target.repository/tag/mediaType`, `request.host`), Docker Hub
 * (`push_data.tag`, `repository.repo_name`) and Harbor (`type: PUSH_ARTIFACT`,
 * `event_data.repository.repo_full_name`, `event_data.resources[].tag/resource_url`).
 * Anything else, or any field of the wrong type, names nothing. Pure.
 */
import { parseImageReference } from '../../reconciler/compose/image-ref.js';

export type RegistryFormat = 'distribution' | 'dockerhub' | 'harbor' | 'unknown';

/** One pushed repository: its path (`team/app`), the registry host when the payload names it, the tag. */
export interface RegistryPush {
  repository: string;
  host?: string;
  tag?: string;
}

export interface RegistryPayload {
  format: RegistryFormat;
  pushes: RegistryPush[];
}

/** A notification names at most this many pushes (registry:2 batches events); the rest is ignored. */
export const MAX_PUSHES = 100;

const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const HOST = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$|^\[[0-9a-f:]+\](?::\d{1,5})?$/i;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const absentOrString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

/** A push when its parts are well-formed (a repository path, an optional tag and host). */
function push(repository: unknown, tag: unknown, host: unknown): RegistryPush | undefined {
  const r = str(repository);
  if (r === undefined || r.length > 255 || !PATH.test(r)) return undefined;
  // a tag or host of the wrong type makes the push unreadable (never a push of every tag)
  if (!absentOrString(tag) || !absentOrString(host)) return undefined;
  const t = str(tag);
  const h = str(host);
  if (t !== undefined && !TAG.test(t)) return undefined;
  if (h !== undefined && (h.length > 255 || !HOST.test(h))) return undefined;
  return { repository: r, ...(h === undefined ? {} : { host: h.toLowerCase() }), ...(t ? { tag: t } : {}) };
}

/** registry:2 layer pushes (`application/octet-stream` blobs) move no tag. */
function isBlob(mediaType: unknown): boolean {
  return typeof mediaType === 'string' && !/manifest|index/i.test(mediaType);
}

function distribution(p: Obj): RegistryPush[] {
  const events = Array.isArray(p['events']) ? (p['events'] as unknown[]) : [];
  const out: RegistryPush[] = [];
  for (const e of events.slice(0, MAX_PUSHES)) {
    const ev = obj(e);
    const target = obj(ev?.['target']);
    if (ev?.['action'] !== 'push' || !target || isBlob(target['mediaType'])) continue;
    const x = push(target['repository'], target['tag'], obj(ev['request'])?.['host']);
    if (x) out.push(x);
  }
  return out;
}

function dockerHub(p: Obj): RegistryPush[] {
  // push_data of the wrong type names nothing (not a push of every tag)
  const data = obj(p['push_data']);
  if (!data) return [];
  const name = str(obj(p['repository'])?.['repo_name']);
  // Docker Hub's official images are `library/<name>`
  const x = push(name && !name.includes('/') ? `library/${name}` : name, data['tag'], 'docker.io');
  return x ? [x] : [];
}

function harbor(p: Obj): RegistryPush[] {
  const data = obj(p['event_data']);
  const repo = obj(data?.['repository'])?.['repo_full_name'];
  const raw = data?.['resources'];
  // resources of the wrong type name nothing; none at all: the repository was pushed
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) return [];
  const resources = Array.isArray(raw) ? (raw as unknown[]) : [];
  const out: RegistryPush[] = [];
  for (const r of resources.slice(0, MAX_PUSHES)) {
    const res = obj(r);
    if (!res) continue;
    // resource_url: harbor.example.com/library/app:1.0 (its host is the registry's)
    const url = str(res['resource_url']);
    const host = url?.includes('/') ? url.slice(0, url.indexOf('/')) : undefined;
    const x = push(repo, res['tag'], host);
    if (x) out.push(x);
  }
  // resources none of which is readable name nothing (never a push of every tag)
  if (resources.length === 0) {
    const x = push(repo, undefined, undefined);
    if (x) out.push(x);
  }
  return out;
}

/** The pushes a notification body names (none for an unknown, malformed or hostile body). */
export function parseRegistryPayload(body: Buffer): RegistryPayload {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return { format: 'unknown', pushes: [] };
  }
  const p = obj(payload);
  if (!p) return { format: 'unknown', pushes: [] };
  if ('events' in p) return { format: 'distribution', pushes: dedupe(distribution(p)) };
  if (p['type'] === 'PUSH_ARTIFACT' || p['type'] === 'pushImage')
    return { format: 'harbor', pushes: dedupe(harbor(p)) };
  if ('push_data' in p) return { format: 'dockerhub', pushes: dedupe(dockerHub(p)) };
  return { format: 'unknown', pushes: [] };
}

function dedupe(pushes: RegistryPush[]): RegistryPush[] {
  const seen = new Map<string, RegistryPush>();
  for (const x of pushes) seen.set(JSON.stringify([x.repository, x.host, x.tag]), x);
  return [...seen.values()];
}

/** `localhost`, `127.x.x.x` and `[::1]` are one host; Docker Hub's aliases are `docker.io`. */
function sameHost(a: string, b: string): boolean {
  const norm = (h: string): string => {
    const m = /^(.*?)(:\d+)?$/.exec(h.toLowerCase())!;
    let host = m[1]!;
    if (host === 'localhost' || /^127\./.test(host) || host === '[::1]') host = 'loopback';
    if (host === 'index.docker.io' || host === 'registry-1.docker.io') host = 'docker.io';
    return `${host}${m[2] ?? ''}`;
  };
  return norm(a) === norm(b);
}

/**
 * Whether a push moved what an image follows: same repository path, same registry host when the
 * payload names one, and same tag when both name one (a semver watch follows every tag:
 * `anyTag`). An image that is no reference matches nothing.
 */
export function pushMatches(p: RegistryPush, image: string, anyTag: boolean): boolean {
  let ref;
  try {
    ref = parseImageReference(image);
  } catch {
    return false;
  }
  const slash = ref.name.indexOf('/');
  const host = ref.name.slice(0, slash);
  const path = ref.name.slice(slash + 1);
  if (path !== p.repository) return false;
  if (p.host !== undefined && !sameHost(p.host, host)) return false;
  return anyTag || p.tag === undefined || p.tag === (ref.tag ?? 'latest');
}
