import { posix } from 'node:path';
import { composeOne } from '../source/yaml-cst.js';

/** The paths a compose document names, as written: other compose files, and files it reads. */
export interface ComposeRefs {
  /** `include` entries and `extends.file`. */
  compose: string[];
  /** `env_file` entries, and the `file` of top-level configs and secrets. */
  data: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
/** A path, or the `path` of a long-syntax entry (`{path: x.env, required: false}`). */
const pathOf = (v: unknown): unknown => (isRecord(v) ? v['path'] : v);
const texts = (vs: unknown[]): string[] =>
  vs.flatMap((v) => (typeof v === 'string' ? [v] : Array.isArray(v) ? texts(v) : []));

/**
 * Reads the references of a compose file's text before interpolation: paths with a variable are
 * left out (known only once interpolated), and so are absolute ones (outside any source). A text
 * that does not parse names nothing (its load reports it). The value is YAML.parse's (YAML 1.2, at
 * most 100 aliases of a node), from the tokens the file's classification read (yaml-cst.ts), and
 * without its warnings (the load reports what matters of them).
 */
export function rawComposeRefs(text: string): ComposeRefs {
  let doc: unknown;
  try {
    const parsed = composeOne(text, {});
    if (parsed.errors.length > 0) return { compose: [], data: [] };
    doc = parsed.toJS({ maxAliasCount: 100 });
  } catch {
    return { compose: [], data: [] };
  }
  if (!isRecord(doc)) return { compose: [], data: [] };
  const include = doc['include'];
  const compose = texts(Array.isArray(include) ? include.map(pathOf) : []);
  const data: string[] = [];
  const services = isRecord(doc['services']) ? Object.values(doc['services']) : [];
  for (const svc of services) {
    if (!isRecord(svc)) continue;
    const ext = svc['extends'];
    if (isRecord(ext)) compose.push(...texts([ext['file']]));
    data.push(...texts(list(svc['env_file']).map(pathOf)));
  }
  for (const kind of ['configs', 'secrets'])
    for (const obj of isRecord(doc[kind]) ? Object.values(doc[kind]) : [])
      if (isRecord(obj)) data.push(...texts([obj['file']]));
  const keep = (p: string) => !p.includes('$') && !p.startsWith('/');
  return { compose: compose.filter(keep), data: data.filter(keep) };
}

/** `paths` relative to each folder of `dirs` (source-root relative), normalised, each once. */
export function resolveRefs(paths: readonly string[], dirs: readonly string[]): string[] {
  return [...new Set(dirs.flatMap((d) => paths.map((p) => posix.normalize(posix.join(d, p)))))];
}
