import type { Hash } from 'node:crypto';
import { posix } from 'node:path';
import { asSwarmkeeperError } from '../../reconciler/errors.js';
import { byKey } from '../../reconciler/model/order.js';
import { type ComposeRefs, rawComposeRefs, resolveRefs } from '../../reconciler/desired/compose-refs.js';
import { stackComposeFiles, stackInputFiles } from '../../reconciler/desired/stack-files.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { ByteBudget, confine, readRegular, sourceLimits } from './safe-read.js';

/** More input files than this in one source are not followed (a hostile tree of references). */
export const MAX_STACK_INPUTS = 4096;

/** The references a compose file's text names (rawComposeRefs, or a source's memo of it). */
export type ReadRefs = (file: string, text: string) => ComposeRefs;

interface Pending {
  file: string;
  /** A compose file: its own references are followed. */
  compose: boolean;
  /** Folders its references are relative to: its own, and its stack's first compose file's. */
  dirs: string[];
}

/**
 * Hashes what the stacks of a source read beyond its YAML files, into `hash` in a stable order:
 * the `.env`, env files and compose files a SwarmStack names, and every file a compose file
 * references itself (env_file, config and secret files, include, extends), followed through
 * included and extended files. An edit to any of them alone is then a new revision. Reads go
 * through the source's confinement (a link out of it, an absolute path or `..` counts by its error
 * code, the file is never read); a file that cannot be read counts by its error.
 */
export function hashStackInputs(
  hash: Hash,
  resources: readonly DesiredResource[],
  realRootPath: string,
  readRefs: ReadRefs = (_file, text) => rawComposeRefs(text),
): void {
  const refsOf = (file: string, text: string, dirs: string[]): Pending[] => {
    const refs = readRefs(file, text);
    const uniqueDirs = [...new Set(dirs)];
    return [
      ...resolveRefs(refs.compose, uniqueDirs).map((f) => ({ file: f, compose: true, dirs: uniqueDirs })),
      ...resolveRefs(refs.data, uniqueDirs).map((f) => ({ file: f, compose: false, dirs: uniqueDirs })),
    ];
  };
  const pending: Pending[] = [];
  for (const r of resources) {
    if (r.fromComposeFile && r.text !== undefined) {
      const dirs = [posix.dirname(r.origin.file)];
      pending.push(...refsOf(r.origin.file, r.text, dirs));
      continue;
    }
    const composeFiles = stackComposeFiles(r);
    const first = composeFiles[0];
    for (const file of stackInputFiles(r)) {
      const compose = composeFiles.includes(file);
      const dirs = [posix.dirname(file), ...(first === undefined ? [] : [posix.dirname(first)])];
      pending.push({ file, compose, dirs });
    }
  }
  const read = new Map<string, Buffer | string>();
  const budget = new ByteBudget(sourceLimits().maxSourceBytes);
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    if (read.has(next.file) || read.size >= MAX_STACK_INPUTS) continue;
    try {
      const bytes = readRegular(
        confine(realRootPath, next.file, next.file),
        next.file,
        sourceLimits().maxFileBytes,
        budget,
      );
      read.set(next.file, bytes);
      if (next.compose)
        pending.push(...refsOf(next.file, bytes.toString('utf8'), [posix.dirname(next.file), ...next.dirs]));
    } catch (e) {
      read.set(next.file, asSwarmkeeperError(e).code);
    }
  }
  for (const [file, content] of [...read].sort(byKey(([f]) => f)))
    hash.update(file).update('\0').update(content).update('\0');
}
