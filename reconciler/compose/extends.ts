import { errorName } from '../errors.js';
import type { FileReader } from '../ports.js';
import { checkShapes } from './check-shapes.js';
import { prepareTree } from './interpolate.js';
import { mergeLayers } from './merge.js';
import { isMap, type Tree } from './merge-service.js';
import { parseYaml } from './parse.js';
import type { LineLookup, Location, Origins, PathSegment, Problems } from './problems.js';
import { rebaseService } from './rebase.js';
import { resolveRelative } from './relative.js';

/** A compose file read for `extends` or `include`: parsed and interpolated once per load. */
export interface LoadedFile {
  file: string;
  value: unknown;
  lineOf: LineLookup;
  /** Set by applyExtends: where the values its services inherited are written. */
  origins?: Origins;
}

/** A service resolved by `extends`, and where each of its values (by path inside it) is written. */
interface Resolved {
  tree: Tree;
  at: (sub: readonly PathSegment[]) => Location;
}

/** What `extends` and `include` need: the stack's variables, its files, and where problems go. */
export interface ImportCtx {
  env: Readonly<Record<string, string>>;
  files: FileReader | undefined;
  problems: Problems;
  /** Other files already read, by path. */
  cache: Map<string, LoadedFile | undefined>;
  /** Locates problems in `file` (restored after a problem in another file). */
  locateIn(file: string, lineOf: LineLookup): void;
}

/**
 * Reads another compose file through the stack's FileReader (confined to the source root), then
 * parses and interpolates it. A failure is a problem at `at` in the file that names it.
 */
export function readOther(
  path: string,
  from: LoadedFile,
  at: readonly PathSegment[],
  ctx: ImportCtx,
): LoadedFile | undefined {
  if (ctx.cache.has(path)) return ctx.cache.get(path);
  let loaded: LoadedFile | undefined;
  try {
    if (!ctx.files) throw new Error('no file reader is available');
    const { value, lineOf } = parseYaml(path, ctx.files.readText(path));
    ctx.locateIn(path, lineOf);
    loaded = { file: path, value: prepareTree(value ?? null, ctx.env, ctx.problems), lineOf };
    checkShapes(loaded, ctx.problems);
  } catch (e) {
    ctx.locateIn(from.file, from.lineOf);
    ctx.problems.add(
      errorName(e) ?? 'FILE_UNREADABLE',
      at,
      `cannot read the compose file "${path}": ${(e as Error).message.replace(`${path}: `, '').replace(`${path}:`, 'line ')}`,
    );
  }
  ctx.locateIn(from.file, from.lineOf);
  ctx.cache.set(path, loaded);
  return loaded;
}

const services = (v: unknown): Tree | undefined =>
  isMap(v) && isMap(v['services']) ? v['services'] : undefined;

/**
 * Resolves `extends` in the services of `loaded` (compose spec): `extends: name` or
 * `extends: {service, file}`; the extended service (resolved first, from this file or another,
 * whose relative paths are rebased) is the base and the service's own keys merge over it with the
 * rules of several compose files. A cycle, a missing service or file is a problem at the
 * `extends` line. `into` is the file the result belongs to (relative paths are rebased to it).
 */
export function applyExtends(loaded: LoadedFile, ctx: ImportCtx): void {
  const own = services(loaded.value);
  if (!own) return;
  const done = new Map<string, Resolved>();
  const inherited = new Map<string, Resolved['at']>();
  for (const name of Object.keys(own)) {
    const extended = isMap(own[name]) && Object.hasOwn(own[name], 'extends');
    const r = resolve(loaded, name, [], ctx, done);
    if (!r) continue;
    own[name] = r.tree;
    if (extended) inherited.set(name, r.at);
  }
  if (inherited.size === 0) return;
  const before = loaded.origins;
  loaded.origins = (path) => {
    const at = path[0] === 'services' ? inherited.get(String(path[1])) : undefined;
    return at ? at(path.slice(2)) : before?.(path);
  };
}

function resolve(
  loaded: LoadedFile,
  name: string,
  chain: string[],
  ctx: ImportCtx,
  done: Map<string, Resolved>,
): Resolved | undefined {
  const id = `${loaded.file}#${name}`;
  const cached = done.get(id);
  if (cached) return cached;
  const svc = services(loaded.value)?.[name];
  if (!isMap(svc)) return undefined;
  const ownLine = (sub: readonly PathSegment[]) => loaded.lineOf(['services', name, ...sub]);
  // a service without extends: its values are its file's (or, included, the included file's)
  const written = (sub: readonly PathSegment[]) =>
    loaded.origins?.(['services', name, ...sub]) ?? { file: loaded.file, line: ownLine(sub) };
  if (!Object.hasOwn(svc, 'extends')) return { tree: svc, at: written };
  const at = ['services', name, 'extends'];
  const fail = (problem: string): undefined => {
    ctx.locateIn(loaded.file, loaded.lineOf);
    ctx.problems.add('COMPOSE_INVALID', at, problem);
    return undefined;
  };
  if (chain.includes(id))
    return fail(`extends cycle: ${[...chain, id].map((c) => c.replace('#', ' service ')).join(' -> ')}`);
  const ext = svc['extends'];
  const spec = typeof ext === 'string' ? { service: ext } : isMap(ext) ? ext : undefined;
  const target = spec?.['service'];
  const file = spec?.['file'];
  if (typeof target !== 'string' || (file !== undefined && typeof file !== 'string'))
    return fail('expected a service name or a mapping {service, file}');
  const unknown = Object.keys(spec ?? {}).filter((k) => k !== 'service' && k !== 'file');
  if (unknown.length > 0) return fail(`unknown key ${unknown[0]} (extends takes service and file)`);
  let from: LoadedFile | undefined = loaded;
  if (file !== undefined) {
    from = readOther(resolveRelative(loaded.file, file), loaded, at, ctx);
    if (!from) return undefined;
  }
  if (!isMap(services(from.value)?.[target]))
    return fail(
      `service "${target}" is not defined${file === undefined ? ' in this file' : ` in ${from.file}`}`,
    );
  const base = resolve(from, target, [...chain, id], ctx, done);
  if (!base) return undefined;
  const { extends: _, ...rest } = svc;
  // each value is located where it is written: in this file, or in the base's (through its chain)
  const merged = mergeLayers(
    [
      {
        file: from.file,
        value: { services: { s: rebaseService(base.tree, from.file, loaded.file) } },
        lineOf: () => undefined,
        origins: (path) => base.at(path.slice(2)),
      },
      { file: loaded.file, value: { services: { s: rest } }, lineOf: (path) => ownLine(path.slice(2)) },
    ],
    { env: ctx.env },
  );
  const r: Resolved = {
    tree: (merged.value as { services: { s: Tree } }).services.s,
    at: (sub) => merged.locate(['services', 's', ...sub]),
  };
  done.set(id, r);
  return r;
}
