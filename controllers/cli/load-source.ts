import type { SwarmkeeperError } from '../../reconciler/errors.js';
import { orderResources } from '../../reconciler/source/order.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { type LoadedSource, loadPath } from '../sources/dir-loader.js';
import { LoadMemo } from '../sources/load-memo.js';

export interface CliSource extends LoadedSource {
  ordered: DesiredResource[];
  isDirectory: boolean;
}

/**
 * Loads -f <file|dir> and orders the resources; prints each load error to stderr. The memo reads
 * the references of each compose file once (the revision and the claimed compose files both ask);
 * the file's tokens are read once for its classification, its references and its load (yaml-cst.ts).
 */
export function loadForCli(path: string, isDirectory: boolean): CliSource {
  const loaded = loadPath(path, { source: `dir:${path}`, memo: new LoadMemo() });
  const { ordered, errors } = orderResources(loaded.resources);
  const all: SwarmkeeperError[] = [...loaded.errors, ...errors];
  for (const e of all) process.stderr.write(`error: ${e.message} (${e.code})\n`);
  return { ...loaded, errors: all, ordered, isDirectory };
}
