import { type Hash, createHash } from 'node:crypto';
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
 * What the stacks of a source read beyond their YAML files: the `.env`, env files and compose files
 * a SwarmStack names, and every file a compose file references itself (env_file, config and secret
 * files, include, extends), followed through included and extended files. `hash` gets all of them
 * in a stable order (an edit to any of them alone is a new revision of a directory source); the
 * result maps each resource key to a digest of the files that resource reads, so a new commit or
 * rescan reconciles only the resources whose own inputs changed. Reads go through the source's
 * confinement (a link out of it, an absolute path or `..` counts by its error code, the file is
 * never read); a file that cannot be read counts by its error. Each file is read once.
 */
export function hashStackInputs(
  hash: Hash | undefined,
  resources: readonly DesiredResource[],
  realRootPath: string,
  readRefs: ReadRefs = (_file, text) => rawComposeRefs(text),
): Map<string, string> {
  const refsOf = (file: string, text: string, dirs: string[]): Pending[] => {
    const refs = readRefs(file, text);
    const uniqueDirs = [...new Set(dirs)];
    return [
      ...resolveRefs(refs.compose, uniqueDirs).map((f) => ({ file: f, compose: true, dirs: uniqueDirs })),
      ...resolveRefs(refs.data, uniqueDirs).map((f) => ({ file: f, compose: false, dirs: uniqueDirs })),
    ];
  };
  const read = new Map<string, Buffer | string>();
  const budget = new ByteBudget(sourceLimits().maxSourceBytes);
  const readOnce = (file: string): Buffer | string | undefined => {
    const known = read.get(file);
    if (known !== undefined || read.size >= MAX_STACK_INPUTS) return known;
    try {
      const bytes = readRegular(confine(realRootPath, file, file), file, sourceLimits().maxFileBytes, budget);
      read.set(file, bytes);
      return bytes;
    } catch (e) {
      const code = asSwarmkeeperError(e).code;
      read.set(file, code);
      return code;
    }
  };
  const digests = new Map<string, string>();
  for (const r of resources) {
    const pending: Pending[] = [];
    if (r.fromComposeFile && r.text !== undefined)
      pending.push(...refsOf(r.origin.file, r.text, [posix.dirname(r.origin.file)]));
    else {
      const composeFiles = stackComposeFiles(r);
      const first = composeFiles[0];
      for (const file of stackInputFiles(r)) {
        const compose = composeFiles.includes(file);
        const dirs = [posix.dirname(file), ...(first === undefined ? [] : [posix.dirname(first)])];
        pending.push({ file, compose, dirs });
      }
    }
    const own = new Map<string, Buffer | string>();
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
      if (own.has(next.file) || own.size >= MAX_STACK_INPUTS) continue;
      const content = readOnce(next.file);
      if (content === undefined) continue;
      own.set(next.file, content);
      if (next.compose && typeof content !== 'string')
        pending.push(
          ...refsOf(next.file, content.toString('utf8'), [posix.dirname(next.file), ...next.dirs]),
        );
    }
    const d = createHash('sha256');
    for (const [file, content] of [...own].sort(byKey(([f]) => f)))
      d.update(file).update('\0').update(content).update('\0');
    digests.set(r.key, `sha256:${d.digest('hex').slice(0, 32)}`);
  }
  if (hash)
    for (const [file, content] of [...read].sort(byKey(([f]) => f)))
      hash.update(file).update('\0').update(content).update('\0');
  return digests;
}
