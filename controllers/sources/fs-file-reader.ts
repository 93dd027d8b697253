import { decodeText } from '../../reconciler/source/decode.js';
import type { FileReader } from '../../reconciler/ports.js';
import { ByteBudget, confine, readRegular, realRoot, sourceLimits } from './safe-read.js';

/**
 * Reads files a stack references (env_file, config and secret `file:`). Paths are relative to
 * the source root (the compose loader already joins them with the compose file's folder). Their
 * real path, links resolved, may not leave the root (a stack in git must not read the
 * controller's own files, `/etc/shadow` or `/proc/self/environ`); only regular files are read,
 * within the per-file limit, and one reader (one reconcile) reads at most the per-source limit.
 */
export function fsFileReader(root: string): FileReader {
  const realRootPath = realRoot(root);
  const limits = sourceLimits();
  const budget = new ByteBudget(limits.maxSourceBytes);
  const read = (path: string): Buffer => {
    const real = confine(realRootPath, path, path);
    return readRegular(real, path, limits.maxFileBytes, budget);
  };
  return {
    readText: (path) => decodeText(path, read(path)),
    readBytes: (path) => new Uint8Array(read(path)),
  };
}
