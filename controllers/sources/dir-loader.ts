import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { type SwarmkeeperError, skError } from '../../reconciler/errors.js';
import { classifyFile, detectConflicts } from '../../reconciler/source/classify.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';

export interface LoadedSource {
  root: string;
  resources: DesiredResource[];
  errors: SwarmkeeperError[];
  skipped: string[];
  /** Files that failed to parse: their previous resources are kept, not pruned. */
  failedFiles: string[];
  /** Content hash of every YAML file read: the directory's "revision". */
  revision: string;
  files: string[];
}

const SKIP_DIRS = new Set(['node_modules', '.git']);

function yamlFiles(root: string, dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) yamlFiles(root, p, out);
    else if (/\.ya?ml$/.test(entry.name)) out.push(relative(root, p));
  }
}

/**
 * Loads a file or a directory tree of CR-shaped YAML and plain compose files.
 * Per-file problems are collected, never fatal for the other files.
 */
export function loadPath(path: string, opts: { source?: string; revision?: string } = {}): LoadedSource {
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw skError('FILE_UNREADABLE', `${path}: no such file or directory`);
  }
  const root = st.isDirectory() ? abs : dirname(abs);
  const files = st.isDirectory() ? [] : [basename(abs)];
  if (st.isDirectory()) yamlFiles(root, root, files);
  const hash = createHash('sha256');
  const all: DesiredResource[] = [];
  const errors: SwarmkeeperError[] = [];
  const skipped: string[] = [];
  const failedFiles: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    hash.update(file).update('\0').update(text).update('\0');
    const baseDir = dirname(file);
    const c = classifyFile(file, text, {
      baseDir,
      rootName: basename(root),
      ...(opts.source ? { source: opts.source } : {}),
      ...(opts.revision ? { revision: opts.revision } : {}),
    });
    all.push(...c.resources);
    errors.push(...c.errors);
    if (c.errors.length > 0) failedFiles.push(file);
    skipped.push(...c.skipped);
  }
  const { unique, errors: conflicts } = detectConflicts(all);
  const revision = opts.revision ?? `sha256:${hash.digest('hex').slice(0, 16)}`;
  for (const r of unique) r.origin.revision ??= revision;
  return {
    root,
    resources: unique,
    errors: [...errors, ...conflicts],
    skipped,
    revision,
    files,
    failedFiles,
  };
}
