/**
 * Pure normalisation of two stacks' Swarm objects (one from `docker stack deploy`, one from
 * swarmkeeper) into a stack-name-independent form, and a path-precise deep diff.
 */
import { OWNERSHIP_LABELS } from '../../../../reconciler/model/ownership.js';
import type { StackSnapshot } from './stack.js';

type Obj = Record<string, unknown>;
export const STACK = '<stack>';
const HASH_SUFFIX = /-[0-9a-f]{10}$/;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Replaces the stack name `ns` (as a whole value or a `<ns>_` prefix) by a placeholder, everywhere. */
export function unscope(v: unknown, ns: string): unknown {
  if (typeof v === 'string') {
    if (v === ns) return STACK;
    return v.startsWith(`${ns}_`) ? `${STACK}_${v.slice(ns.length + 1)}` : v;
  }
  if (Array.isArray(v)) return v.map((x) => unscope(x, ns));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unscope(x, ns)]));
  return v;
}

export function dropOwnership(labels: unknown): Obj | undefined {
  if (!isObj(labels)) return labels as undefined;
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !OWNERSHIP_LABELS.includes(k)));
}

/** A hashed config/secret name `<stack>_<key>-<hash10>` back to its logical name. */
export const logicalName = (name: string): string => name.replace(HASH_SUFFIX, '');

function fileRefs(list: unknown, kind: 'Config' | 'Secret'): unknown {
  if (!Array.isArray(list)) return list;
  return list
    .map((r: Obj) => {
      const { [`${kind}ID`]: _id, [`${kind}Name`]: name, ...rest } = r;
      return { ...rest, [`${kind}Name`]: logicalName(String(name)) };
    })
    .sort((a, b) => String(a[`${kind}Name`]).localeCompare(String(b[`${kind}Name`])));
}

export const DIR = '<dir>';

/**
 * Bind sources under the compose file's folder, with that folder replaced by `<dir>`. Both deployers
 * make a relative bind (`./data:/data`) absolute against the folder of the file they read, and the
 * harness gives each deployer its own copy of the case folder (its name is the stack name, which
 * swarmkeeper derives from it), so the absolute prefix legitimately differs; what follows it must not.
 */
function relativeBinds(mounts: unknown, dir: string | undefined): unknown {
  if (!Array.isArray(mounts) || dir === undefined) return mounts;
  const root = dir.replace(/\/+$/, '');
  return mounts.map((m: Obj) => {
    const src = m['Source'];
    if (m['Type'] !== 'bind' || typeof src !== 'string') return m;
    if (src === root) return { ...m, Source: DIR };
    return src.startsWith(`${root}/`) ? { ...m, Source: `${DIR}${src.slice(root.length)}` } : m;
  });
}

/** A ServiceSpec as read back, minus what legitimately differs between the two deployers. */
export function normaliseService(spec: Obj, snap: StackSnapshot): unknown {
  const s = structuredClone(spec);
  s['Labels'] = dropOwnership(s['Labels']);
  const task = (s['TaskTemplate'] ?? {}) as Obj;
  const c = (task['ContainerSpec'] ?? {}) as Obj;
  if ('Configs' in c) c['Configs'] = fileRefs(c['Configs'], 'Config');
  if ('Secrets' in c) c['Secrets'] = fileRefs(c['Secrets'], 'Secret');
  if ('Mounts' in c) c['Mounts'] = relativeBinds(c['Mounts'], snap.dir);
  if (Array.isArray(task['Networks'])) {
    task['Networks'] = (task['Networks'] as Obj[])
      .map((n) => ({ ...n, Target: snap.networkNames.get(String(n['Target'])) ?? n['Target'] }))
      .sort((a, b) => String(a['Target']).localeCompare(String(b['Target'])));
  }
  return unscope(s, snap.namespace);
}

const VXLAN = 'com.docker.network.driver.overlay.vxlanid_list';

/** The user-controlled parts of a network; IPAM.Config only when the compose file sets one. */
export function normaliseNetwork(net: Obj, ns: string, userIpam: boolean): unknown {
  const options = Object.fromEntries(
    Object.entries((net['Options'] ?? {}) as Obj).filter(([k]) => k !== VXLAN),
  );
  const ipam = (net['IPAM'] ?? {}) as Obj;
  return unscope(
    {
      Name: net['Name'],
      Driver: net['Driver'],
      Scope: net['Scope'],
      Options: options,
      Labels: dropOwnership(net['Labels'] ?? {}),
      Attachable: net['Attachable'],
      Internal: net['Internal'],
      Ingress: net['Ingress'],
      IPAM: {
        Driver: ipam['Driver'],
        Options: ipam['Options'],
        ...(userIpam ? { Config: ipam['Config'] } : {}),
      },
    },
    ns,
  );
}

/** Config or secret spec: logical name, labels minus ownership, and (configs only) the data. */
export function normaliseFileObject(spec: Obj, ns: string): unknown {
  return unscope(
    {
      Name: logicalName(String(spec['Name'])),
      Labels: dropOwnership(spec['Labels'] ?? {}),
      ...(spec['Data'] === undefined ? {} : { Data: spec['Data'] }),
      Templating: spec['Templating'],
    },
    ns,
  );
}

export interface Difference {
  path: string;
  docker: unknown;
  swarmkeeper: unknown;
}

/** Every path where `a` (docker) and `b` (swarmkeeper) differ; absent and undefined are the same. */
export function deepDiff(a: unknown, b: unknown, path = ''): Difference[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: Difference[] = [];
    if (a.length !== b.length) return [{ path: path || '.', docker: a, swarmkeeper: b }];
    a.forEach((x, i) => out.push(...deepDiff(x, b[i], `${path}[${i}]`)));
    return out;
  }
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => deepDiff(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return Object.is(a, b) ? [] : [{ path: path || '.', docker: a, swarmkeeper: b }];
}

export function formatDiff(what: string, diffs: Difference[]): string {
  return diffs
    .map(
      (d) =>
        `${what} ${d.path}: docker ${JSON.stringify(d.docker)} vs swarmkeeper ${JSON.stringify(d.swarmkeeper)}`,
    )
    .join('\n');
}
