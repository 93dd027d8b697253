import { createHash } from 'node:crypto';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { type SwarmkeeperError, asSwarmkeeperError, skError } from '../../reconciler/errors.js';
import {
  type ClassifiedFile,
  classifyFile,
  detectConflicts,
  failedFile,
} from '../../reconciler/source/classify.js';
import { dropClaimedComposeFiles } from '../../reconciler/desired/stack-files.js';
import { decodeText } from '../../reconciler/source/decode.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import type { LoadMemo } from './load-memo.js';
import { ByteBudget, confine, fsError, readRegular, realRoot, sourceLimits } from './safe-read.js';
import { byKey } from '../../reconciler/model/order.js';
import { hashStackInputs } from './stack-inputs.js';

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
  /** By resource key: a digest of the files the resource reads beyond its YAML (stack-inputs.ts). */
  inputs: Map<string, string>;
}

const SKIP_DIRS = new Set(['node_modules', '.git']);

const MAX_DIR_DEPTH = 32;

/**
 * The YAML files under `dir`, sorted. Directories are walked without following links (a linked
 * directory is not entered); a YAML entry of any type is listed, and read through safe-read,
 * which refuses what is not a regular file inside the root.
 */
function yamlFiles(root: string, dir: string, out: string[], errors: SwarmkeeperError[], depth = 0): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    errors.push(fsError(`${relative(root, dir) || '.'}/`, e, 'cannot list the directory'));
    return;
  }
  for (const entry of entries.sort(byKey((e) => e.name))) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth >= MAX_DIR_DEPTH)
        errors.push(
          skError(
            'FILE_REFUSED',
            `${relative(root, p)}/: directories nested more than ${MAX_DIR_DEPTH} deep are not read`,
          ),
        );
      else yamlFiles(root, p, out, errors, depth + 1);
    } else if (/\.ya?ml$/.test(entry.name)) out.push(relative(root, p));
  }
}

/** Reads and classifies one YAML file; every failure is this file's alone. */
function loadFile(
  realRootPath: string,
  file: string,
  budget: ByteBudget,
  opts: Parameters<typeof classifyFile>[2],
  memo: LoadMemo | undefined,
): { text: string; classified: ClassifiedFile } {
  try {
    const real = confine(realRootPath, file, file);
    const bytes = readRegular(real, file, sourceLimits().maxFileBytes, budget);
    const text = decodeText(file, bytes);
    return { text, classified: memo ? memo.classify(file, text, opts) : classifyFile(file, text, opts) };
  } catch (e) {
    return { text: '', classified: failedFile(file, asSwarmkeeperError(e), opts) };
  }
}

/**
 * Loads a file or a directory tree of CR-shaped YAML and plain compose files.
 * Per-file problems are collected, never fatal for the other files. `memo`: a source's memo of
 * its earlier loads (unchanged files are not parsed again).
 */
export function loadPath(
  path: string,
  opts: { source?: string; revision?: string; memo?: LoadMemo } = {},
): LoadedSource {
  // The path given by the operator is trusted (it may be a link); what is inside it is not.
  let abs = resolve(path);
  try {
    abs = realpathSync(abs);
  } catch {
    // reported below
  }
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw skError('FILE_UNREADABLE', `${path}: no such file or directory`);
  }
  const root = st.isDirectory() ? abs : dirname(abs);
  const files = st.isDirectory() ? [] : [basename(abs)];
  const errors: SwarmkeeperError[] = [];
  if (st.isDirectory()) yamlFiles(root, root, files, errors);
  const hash = createHash('sha256');
  const all: DesiredResource[] = [];
  const skipped: string[] = [];
  const failedFiles: string[] = [];
  const realRootPath = realRoot(root);
  const budget = new ByteBudget(sourceLimits().maxSourceBytes);
  for (const file of files) {
    const baseDir = dirname(file);
    const { text, classified: c } = loadFile(
      realRootPath,
      file,
      budget,
      {
        baseDir,
        rootName: basename(root),
        ...(opts.source ? { source: opts.source } : {}),
        ...(opts.revision ? { revision: opts.revision } : {}),
      },
      opts.memo,
    );
    hash.update(file).update('\0').update(text).update('\0');
    for (const r of c.resources) if (r.loadError) hash.update(r.loadError.message).update('\0');
    all.push(...c.resources);
    errors.push(...c.errors);
    if (c.errors.length > 0) failedFiles.push(file);
    skipped.push(...c.skipped);
  }
  // What stacks read beyond the YAML files (a .env, env files, compose files of any name, and what
  // compose files reference): an edit to one of them alone is a new revision, and a change of the
  // resources that read it.
  const memo = opts.memo;
  const inputs = hashStackInputs(
    opts.revision ? undefined : hash,
    all,
    realRootPath,
    memo ? (file, text) => memo.refs(file, text) : undefined,
  );
  const own = memo
    ? dropClaimedComposeFiles(all, (r) => memo.composeReferences(r))
    : dropClaimedComposeFiles(all);
  memo?.endLoad();
  skipped.push(...own.claimed);
  const { unique, errors: conflicts } = detectConflicts(own.resources);
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
    inputs,
  };
}
