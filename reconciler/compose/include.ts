import { applyExtends, type ImportCtx, type LoadedFile, readOther } from './extends.js';
import { mergeLayers } from './merge.js';
import { isMap, type Tree } from './merge-service.js';
import type { Origins } from './problems.js';
import { rebaseFiles, rebaseService } from './rebase.js';
import { resolveRelative } from './relative.js';

const KINDS = ['services', 'networks', 'volumes', 'configs', 'secrets'] as const;

/**
 * Resolves top-level `include` (compose spec): each entry, `path` or `{path: path | [paths]}`, is
 * loaded as its own compose project (its includes and extends first; several paths merge like
 * several compose files), its relative paths rebased to the including file, and its services,
 * networks, volumes, configs and secrets added. A name the including file defines too is a
 * conflict, as in docker compose; an include cycle, a missing file, `project_directory` and
 * `env_file` (not supported) are problems at the entry's line.
 */
export function applyIncludes(loaded: LoadedFile, ctx: ImportCtx, chain: string[] = []): void {
  const tree = loaded.value;
  if (!isMap(tree) || !Object.hasOwn(tree, 'include')) return;
  const list = tree['include'];
  delete tree['include'];
  const fail = (at: (string | number)[], problem: string): void => {
    ctx.locateIn(loaded.file, loaded.lineOf);
    ctx.problems.add('COMPOSE_INVALID', at, problem);
  };
  if (!Array.isArray(list)) return fail(['include'], 'expected a list of paths or {path} mappings');
  // where the values of each imported object are written, by `<kind>.<name>`
  const written = new Map<string, Origins>();
  const keyOf = (path: readonly (string | number)[]) => `${String(path[0])}.${String(path[1])}`;
  list.forEach((entry, i) => {
    const at = ['include', i];
    const spec = typeof entry === 'string' ? { path: entry } : isMap(entry) ? entry : undefined;
    const raw = spec?.['path'];
    const paths = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : undefined;
    if (!spec || !paths || paths.length === 0 || !paths.every((p) => typeof p === 'string'))
      return fail(at, 'expected a path or a mapping {path: a path or a list of paths}');
    const other = Object.keys(spec).find((k) => k !== 'path');
    if (other !== undefined)
      return fail(
        [...at, other],
        ['project_directory', 'env_file'].includes(other)
          ? `${other} is not supported by swarmkeeper: included files are interpolated with the stack's variables and their paths resolve against their own folder`
          : `unknown key ${other} (include takes path)`,
      );
    const files: LoadedFile[] = [];
    for (const p of paths as string[]) {
      const path = resolveRelative(loaded.file, p);
      if (path === loaded.file || chain.includes(path))
        return fail(at, `include cycle: ${[...chain, loaded.file, path].join(' -> ')}`);
      const f = readOther(path, loaded, at, ctx);
      if (!f) return;
      // a fresh copy: the same file included twice is resolved on its own each time
      const copy: LoadedFile = { ...f, value: structuredClone(f.value) };
      applyIncludes(copy, ctx, [...chain, loaded.file]);
      applyExtends(copy, ctx);
      files.push(copy);
    }
    const first = files[0] as LoadedFile;
    const merged =
      files.length === 1
        ? {
            value: first.value,
            locate: (path: readonly (string | number)[]) =>
              first.origins?.(path) ?? { file: first.file, line: first.lineOf(path) },
          }
        : mergeLayers(
            files.map((f) => ({
              file: f.file,
              value: rebaseTree(f.value, f.file, first.file),
              lineOf: f.lineOf,
              ...(f.origins ? { origins: f.origins } : {}),
            })),
            { env: ctx.env },
          );
    const project = merged.value;
    const imported = rebaseTree(project, first.file, loaded.file);
    if (!isMap(imported)) return;
    for (const kind of KINDS) {
      const from = imported[kind];
      if (!isMap(from)) continue;
      const into = isMap(tree[kind]) ? (tree[kind] as Tree) : (tree[kind] = {} as Tree);
      for (const [name, value] of Object.entries(from)) {
        if (Object.hasOwn(into, name)) {
          fail([kind, name], `${kind}.${name} conflicts with the one included from ${first.file}`);
          continue;
        }
        into[name] = value;
        written.set(keyOf([kind, name]), merged.locate);
      }
    }
  });
  if (written.size === 0) return;
  const before = loaded.origins;
  loaded.origins = (path) => written.get(keyOf(path))?.(path) ?? before?.(path);
}

/** A project's relative paths (services, config and secret files) rebased from `from` to `to`. */
function rebaseTree(value: unknown, from: string, to: string): unknown {
  if (!isMap(value)) return value;
  const out: Tree = { ...value };
  if (isMap(value['services']))
    out['services'] = Object.fromEntries(
      Object.entries(value['services']).map(([n, s]) => [n, isMap(s) ? rebaseService(s, from, to) : s]),
    );
  out['configs'] = rebaseFiles(value['configs'], from, to);
  out['secrets'] = rebaseFiles(value['secrets'], from, to);
  if (out['configs'] === undefined) delete out['configs'];
  if (out['secrets'] === undefined) delete out['secrets'];
  return out;
}
