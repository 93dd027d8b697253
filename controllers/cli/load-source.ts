import type { SwarmkeeperError } from '../../reconciler/errors.js';
import { orderResources } from '../../reconciler/source/order.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { type LoadedSource, loadPath } from '../sources/dir-loader.js';

export interface CliSource extends LoadedSource {
  ordered: DesiredResource[];
  isDirectory: boolean;
}

/** Loads -f <file|dir> and orders the resources; prints each load error to stderr. */
export function loadForCli(path: string, isDirectory: boolean): CliSource {
  const loaded = loadPath(path, { source: `dir:${path}` });
  const { ordered, errors } = orderResources(loaded.resources);
  const all: SwarmkeeperError[] = [...loaded.errors, ...errors];
  for (const e of all) process.stderr.write(`error: ${e.message} (${e.code})\n`);
  return { ...loaded, errors: all, ordered, isDirectory };
}
