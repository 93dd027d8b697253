import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { type SwarmkeeperError, skError } from '../../reconciler/errors.js';
import { formatBytes } from '../../reconciler/units/size.js';

/**
 * A source (a directory, a git commit) is untrusted input. Every file read from it goes through
 * here: its real path (symbolic links resolved) must stay inside the source root, it must be a
 * regular file (never a device, FIFO or socket, which are refused before they are opened), and
 * it may not exceed the per-file and per-source size limits.
 */
export interface SourceLimits {
  /** Largest file read from a source (YAML, env_file, config and secret files). */
  maxFileBytes: number;
  /** Most bytes read from one source in one load (and by one reconcile of one resource). */
  maxSourceBytes: number;
}

export const DEFAULT_SOURCE_LIMITS: Readonly<SourceLimits> = {
  maxFileBytes: 4 * 1024 * 1024,
  maxSourceBytes: 64 * 1024 * 1024,
};

let limits: SourceLimits = { ...DEFAULT_SOURCE_LIMITS };

/** The process-wide limits (`--max-file-size`, `--max-source-size`). */
export function sourceLimits(): Readonly<SourceLimits> {
  return limits;
}

export function setSourceLimits(next: Partial<SourceLimits>): void {
  limits = { ...limits, ...next };
}

/** Counts the bytes read from one source (one load, or one reconcile). */
export class ByteBudget {
  #used = 0;
  constructor(readonly max: number) {}
  get used(): number {
    return this.#used;
  }
  take(n: number, shown: string): void {
    if (this.#used + n > this.max)
      throw skError(
        'FILE_REFUSED',
        `${shown}: the source would exceed ${formatBytes(this.max)} read in total (--max-source-size)`,
      );
    this.#used += n;
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/** A precise error for a failed fs call on `shown`. */
export function fsError(shown: string, e: unknown, what = 'cannot read'): SwarmkeeperError {
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  if (code === 'ELOOP') return skError('FILE_REFUSED', `${shown}: a symbolic link loop (ELOOP)`);
  if (code === 'ENOENT')
    return skError('FILE_UNREADABLE', `${shown}: no such file, or a dangling symbolic link (ENOENT)`);
  if (code === 'ENOTDIR')
    return skError('FILE_UNREADABLE', `${shown}: a path component is not a directory (ENOTDIR)`);
  return skError('FILE_UNREADABLE', `${shown}: ${what} (${code})`);
}

/** The real path of the root (a root that is itself a link is fine: it is the operator's choice). */
export function realRoot(root: string): string {
  try {
    return realpathSync(resolve(root));
  } catch {
    return resolve(root);
  }
}

function inside(realRootPath: string, p: string): boolean {
  const rel = relative(realRootPath, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves `path` (relative to the root, or absolute) to its real path inside the root.
 * `shown` names it in errors. Throws FILE_REFUSED when it (or a link on its way) leaves the root.
 */
export function confine(realRootPath: string, path: string, shown: string): string {
  const abs = isAbsolute(path) ? path : resolve(realRootPath, path);
  if (!inside(realRootPath, abs))
    throw skError(
      'FILE_REFUSED',
      `${shown}: outside the source root; only files inside the source can be referenced`,
    );
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    throw fsError(shown, e);
  }
  if (!inside(realRootPath, real))
    throw skError(
      'FILE_REFUSED',
      `${shown}: a symbolic link leads outside the source root; only files inside the source can be referenced`,
    );
  return real;
}

function checkRegular(st: Stats, shown: string, max: number): void {
  if (!st.isFile())
    throw skError('FILE_REFUSED', `${shown}: ${kindOf(st)}; only regular files are read from a source`);
  if (st.size > max)
    throw skError(
      'FILE_REFUSED',
      `${shown}: ${st.size} bytes, more than the ${formatBytes(max)} a file may have (--max-file-size)`,
    );
}

/**
 * Reads a regular file at a real path: stat first (a FIFO is never opened), then open without
 * following a link and without blocking, and check the opened file again (it may have been
 * swapped in between). Reads at most `max` bytes (+1 to see a file that grew).
 */
export function readRegular(real: string, shown: string, max: number, budget?: ByteBudget): Buffer {
  let st: Stats;
  try {
    st = statSync(real);
  } catch (e) {
    throw fsError(shown, e);
  }
  checkRegular(st, shown, max);
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    throw fsError(shown, e);
  }
  try {
    const opened = fstatSync(fd);
    checkRegular(opened, shown, max);
    budget?.take(opened.size, shown);
    const buf = Buffer.alloc(Math.min(opened.size, max) + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) break;
    }
    if (n > max)
      throw skError(
        'FILE_REFUSED',
        `${shown}: more than the ${formatBytes(max)} a file may have (--max-file-size)`,
      );
    return buf.subarray(0, n);
  } catch (e) {
    if ((e as { code?: unknown }).code && !(e as { policy?: unknown }).policy) throw fsError(shown, e);
    throw e;
  } finally {
    closeSync(fd);
  }
}
