import { parseShortPort } from './ports.js';
import { parseShortVolume } from './volumes.js';
import { byKey } from '../model/order.js';

/**
 * How one service of an override file merges into the same service of the files before it, as
 * `docker stack deploy -c base.yml -c override.yml` does (docker/cli cli/compose/loader/merge.go:
 * mergo with appended slices, overriding values, and its transformers), on the interpolated YAML
 * tree before validation. Where docker drops what an override sets, the compose spec's rule is
 * kept instead (README: "Several compose files").
 */

export type Tree = Record<string, unknown>;

export const isMap = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `KEY=VALUE` list or mapping -> mapping (a bare `KEY` is null in environment, "" elsewhere). */
export function toMap(v: unknown, bare: null | ''): Tree {
  if (isMap(v)) return { ...v };
  const out: Tree = {};
  if (Array.isArray(v))
    for (const item of v) {
      if (typeof item !== 'string') continue;
      const eq = item.indexOf('=');
      if (eq < 0) out[item] = bare;
      else out[item.slice(0, eq)] = item.slice(eq + 1);
    }
  return out;
}

/**
 * A string or a list -> a list (dns, dns_search, env_file, tmpfs). Never null: a rule runs only
 * where both files set the field (mergeLayers keeps the other value when one is null).
 */
export function toList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** extra_hosts: a mapping becomes sorted `host:ip` strings, as docker's loader does before merging. */
function hostsList(v: unknown): unknown[] {
  if (!isMap(v)) return toList(v);
  return Object.entries(v)
    .map(([h, ip]) => `${h}:${String(ip)}`)
    .sort();
}

interface Keyed {
  /** undefined for an entry that does not parse: kept as written, beside every other. */
  key: string | undefined;
  sort: string | number;
  value: unknown;
}

/**
 * Ports by published port (docker's key), with the protocol too, and by target when unpublished:
 * docker keys on the published port alone and so loses `53/tcp` beside `53/udp` and every unpublished
 * port but one. A short-syntax range becomes one long-syntax entry per port; an entry that does not
 * parse is kept as written (validation reports it).
 */
function portEntries(list: unknown[]): Keyed[] {
  const out: Keyed[] = [];
  list.forEach((p) => {
    if (isMap(p)) {
      const published = p['published'];
      const protocol = typeof p['protocol'] === 'string' ? p['protocol'] : 'tcp';
      const key =
        published === undefined || published === null
          ? `t:${String(p['target'])}/${protocol}`
          : `p:${String(published)}/${protocol}`;
      out.push({ key, sort: Number(published ?? 0), value: p });
      return;
    }
    if (typeof p !== 'string' && typeof p !== 'number') {
      out.push({ key: undefined, sort: 0, value: p });
      return;
    }
    let parsed;
    try {
      parsed = parseShortPort(String(p));
    } catch {
      out.push({ key: undefined, sort: 0, value: p });
      return;
    }
    if (parsed.length === 1 && parsed[0]?.hostIp !== undefined) {
      const q = parsed[0];
      out.push({ key: keyOf(q.published, q.target, q.protocol), sort: q.published ?? 0, value: p });
      return;
    }
    for (const q of parsed)
      out.push({
        key: keyOf(q.published, q.target, q.protocol),
        sort: q.published ?? 0,
        value: {
          target: q.target,
          ...(q.published === undefined ? {} : { published: q.published }),
          protocol: q.protocol,
          mode: q.mode,
        },
      });
  });
  return out;
}

function keyOf(published: number | undefined, target: number, protocol: string): string {
  return published === undefined ? `t:${target}/${protocol}` : `p:${published}/${protocol}`;
}

function volumeEntries(list: unknown[]): Keyed[] {
  return list.map((v) => {
    let target: unknown;
    if (isMap(v)) target = v['target'];
    else if (typeof v === 'string')
      try {
        target = parseShortVolume(v).target;
      } catch {
        target = undefined;
      }
    return typeof target === 'string'
      ? { key: target, sort: target, value: v }
      : { key: undefined, sort: '', value: v };
  });
}

function sourceEntries(list: unknown[]): Keyed[] {
  return list.map((v) => {
    const source = typeof v === 'string' ? v : isMap(v) ? v['source'] : undefined;
    return typeof source === 'string'
      ? { key: source, sort: source, value: v }
      : { key: undefined, sort: '', value: v };
  });
}

/** docker's mergeSlice: both lists by key, the override's entry replaces, the result sorted. */
function mergeKeyed(base: unknown, over: unknown, entries: (l: unknown[]) => Keyed[]): unknown[] {
  const merged = new Map<string | number, Keyed>();
  let loose = 0;
  for (const e of [...entries(toList(base)), ...entries(toList(over))]) merged.set(e.key ?? loose++, e);
  return [...merged.values()].sort(byKey((e) => e.sort)).map((e) => e.value);
}

/** A service network entry: aliases replaced, addresses and driver options overridden. */
function mergeServiceNetworks(base: unknown, over: unknown): Tree {
  const norm = (v: unknown): Tree =>
    Array.isArray(v) ? Object.fromEntries(v.map((n) => [String(n), null])) : isMap(v) ? { ...v } : {};
  const out = norm(base);
  for (const [name, o] of Object.entries(norm(over))) {
    const b = out[name];
    if (!isMap(o) || !isMap(b)) {
      out[name] = o ?? b ?? null;
      continue;
    }
    const merged: Tree = { ...b };
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined || v === null) continue;
      merged[k] = k === 'driver_opts' && isMap(b[k]) && isMap(v) ? { ...b[k], ...v } : v;
    }
    out[name] = merged;
  }
  return out;
}

/** docker's mergeLoggingConfig: the same driver (or one unset) merges options; another replaces. */
function mergeLogging(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over ?? base;
  const bd = base['driver'];
  const od = over['driver'];
  if (bd !== undefined && od !== undefined && bd !== od) return over;
  const out: Tree = { ...base, ...(od === undefined ? {} : { driver: od }) };
  if (isMap(base['options']) || isMap(over['options']))
    out['options'] = { ...toMap(base['options'], ''), ...toMap(over['options'], '') };
  return out;
}

export type Rule = (base: unknown, over: unknown, ctx: MergeCtx) => unknown;

export interface MergeCtx {
  /** Variables for `environment` entries the override lists without a value (docker resolves them first). */
  env: Readonly<Record<string, string>>;
}

const replace: Rule = (_b, o) => o;
const append: Rule = (b, o) => [...toList(b), ...toList(o)];
const labels: Rule = (b, o) => ({ ...toMap(b, ''), ...toMap(o, '') });
/** command/entrypoint: docker's mergeShellCommand keeps the base when the override is empty. */
const shellCommand: Rule = (b, o) => ((Array.isArray(o) && o.length === 0) || o === '' ? b : o);

const environment: Rule = (b, o, ctx) => {
  const out = toMap(b, null);
  for (const [k, v] of Object.entries(toMap(o, null))) {
    if (v !== null) out[k] = v;
    else if (ctx.env[k] !== undefined) out[k] = ctx.env[k];
    else if (!(k in out)) out[k] = null;
  }
  return out;
};

/** Rules by path inside a service (`deploy.labels`); anything else: mappings merge, lists append. */
export const SERVICE_RULES: Readonly<Record<string, Rule>> = {
  command: shellCommand,
  entrypoint: shellCommand,
  environment,
  labels,
  'deploy.labels': labels,
  sysctls: labels,
  ports: (b, o) => mergeKeyed(b, o, portEntries),
  volumes: (b, o) => mergeKeyed(b, o, volumeEntries),
  secrets: (b, o) => mergeKeyed(b, o, sourceEntries),
  configs: (b, o) => mergeKeyed(b, o, sourceEntries),
  networks: mergeServiceNetworks,
  logging: mergeLogging,
  extra_hosts: (b, o) => [...hostsList(b), ...hostsList(o)],
  dns: append,
  dns_search: append,
  env_file: append,
  tmpfs: append,
  // the compose spec replaces these; docker's mergo would append the test's words to the base's
  'healthcheck.test': replace,
  // one whole entry per name (docker's mergeUlimitsConfig)
  ulimits: (b, o) => ({ ...(isMap(b) ? b : {}), ...(isMap(o) ? o : {}) }),
};
