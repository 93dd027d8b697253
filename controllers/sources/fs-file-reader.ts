import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { skError } from '../../reconciler/errors.js';
import type { FileReader } from '../../reconciler/ports.js';

/**
 * Reads files a stack references (env_file, config and secret `file:`). Paths are relative to
 * the source root (the compose loader already joins them with the compose file's folder) and
 * may not escape it: a stack in git must not read the controller's own files.
 */
export function fsFileReader(root: string): FileReader {
  const absRoot = resolve(root);
  const locate = (path: string): string => {
    const abs = isAbsolute(path) ? path : resolve(absRoot, path);
    const rel = relative(absRoot, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw skError(
        'FILE_UNREADABLE',
        `${path}: outside the source root ${absRoot}; only files inside the source can be referenced`,
      );
    }
    return abs;
  };
  const read = (path: string): Buffer => {
    const abs = locate(path);
    try {
      return readFileSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw skError('FILE_UNREADABLE', `${relative(absRoot, abs)}: cannot read (${code})`);
    }
  };
  return {
    readText: (path) => read(path).toString('utf8'),
    readBytes: (path) => new Uint8Array(read(path)),
  };
}
