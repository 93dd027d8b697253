/**
 * A commit's files, written from the object store of the cache repository (no worktree, no index):
 * `git ls-tree` lists the commit's paths, and one `git cat-file --batch` streams the blobs of the
 * paths that changed since the previous commit written; unchanged files are hard links into the
 * previous commit's folder (each commit still gets a folder of its own, never changed once written).
 *
 * The tree is untrusted (a server can send any tree object; git does not check them on fetch by
 * default), so before anything is written:
 *  - every path segment must be a plain name: no empty, `.` or `..` segment, no `.git`;
 *  - no path may be listed twice, nor lie under another entry that is not a folder (a link `a`
 *    and a file `a/b`: the file would be written through the link);
 *  - only regular files and symbolic links are written (a submodule is skipped); files are created
 *    exclusively (`wx`: never through an existing link), links last, as links: the loader's
 *    confinement (safe-read) refuses one that leads outside the commit's folder when it is read;
 *  - a blob larger than the per-file limit is not read: a sparse file of its size stands for it,
 *    which the loader refuses by its size, as it would the checked-out file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, linkSync, mkdirSync, openSync, symlinkSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sourceLimits } from './safe-read.js';

/** One file or link of a commit: its mode, blob id and size. */
export interface TreeFile {
  mode: string;
  oid: string;
  size: number;
}

/** A commit's files by path (posix, relative to the repository root). */
export type TreeFiles = Map<string, TreeFile>;

/** More entries than this in one commit are refused (a hostile tree). */
export const MAX_TREE_ENTRIES = 200_000;

/** A link target longer than this is refused (PATH_MAX). */
const MAX_LINK_BYTES = 4096;

export class TreeRefused extends Error {}

/** Parses `git ls-tree -r -z -l --full-tree` output and checks every path (see the module doc). */
export function parseLsTree(out: string): TreeFiles {
  const files: TreeFiles = new Map();
  const records = out.split('\0').filter((r) => r !== '');
  if (records.length > MAX_TREE_ENTRIES)
    throw new TreeRefused(`the commit lists more than ${MAX_TREE_ENTRIES} files`);
  for (const rec of records) {
    const m = /^(\d{6}) (\w+) ([0-9a-f]{40,64}) +(-|\d+)\t(.*)$/s.exec(rec);
    if (!m) throw new TreeRefused('git ls-tree printed a line that is not a tree entry');
    const [, mode, type, oid, size, path] = m as unknown as [string, string, string, string, string, string];
    checkPath(path);
    if (files.has(path)) throw new TreeRefused(`the path "${path}" is listed twice in the commit`);
    if (type === 'commit') continue; // a submodule: not part of this repository's files
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755' && mode !== '120000'))
      throw new TreeRefused(`"${path}" has mode ${mode} (${type}): not a file or a link`);
    if (mode === '120000' && Number(size) > MAX_LINK_BYTES)
      throw new TreeRefused(`the link "${path}" has a target longer than ${MAX_LINK_BYTES} bytes`);
    files.set(path, { mode, oid, size: size === '-' ? 0 : Number(size) });
  }
  for (const path of files.keys())
    for (let d = dirname(path); d !== '.'; d = dirname(d))
      if (files.has(d)) throw new TreeRefused(`"${path}" lies under "${d}", which is not a folder`);
  return files;
}

function checkPath(path: string): void {
  for (const seg of path.split('/'))
    if (seg === '' || seg === '.' || seg === '..' || seg.toLowerCase() === '.git')
      throw new TreeRefused(`the path "${path}" has a segment that is not a plain name ("${seg}")`);
}

/** One `git cat-file --batch` process: blobs asked for in order, handed to `onBlob` as they arrive. */
function catFileBatch(
  cwd: string,
  env: Record<string, string>,
  oids: string[],
  onBlob: (i: number, data: Buffer) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn('git', ['cat-file', '--batch'], { cwd, env, stdio: 'pipe' });
    let buf: Buffer = Buffer.alloc(0);
    let next = 0;
    let failed: Error | undefined;
    let stderr = '';
    const fail = (e: Error) => {
      failed ??= e;
      child.kill();
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      for (;;) {
        const nl = buf.indexOf(10);
        if (nl < 0 || failed) return;
        const head = buf.subarray(0, nl).toString('latin1');
        const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(head);
        if (!m) return fail(new Error(`git cat-file: ${head}`));
        const size = Number(m[3]);
        if (buf.length < nl + 1 + size + 1) return;
        try {
          onBlob(next++, buf.subarray(nl + 1, nl + 1 + size));
        } catch (e) {
          return fail(e as Error);
        }
        buf = buf.subarray(nl + 1 + size + 1);
      }
    });
    child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 4096) stderr += c.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => {
      if (failed) reject(failed);
      else if (code !== 0 || next !== oids.length)
        reject(new Error(`git cat-file exited with ${code}: ${stderr.trim() || 'incomplete output'}`));
      else resolve();
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(oids.map((o) => `${o}\n`).join(''));
  });
}

/** Creates `path` exclusively (never through an existing link) holding `data`. */
function writeNew(path: string, data: Buffer | undefined, mode: string, size: number): void {
  const fd = openSync(path, 'wx', mode === '100755' ? 0o755 : 0o644);
  try {
    if (data) for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
  } finally {
    closeSync(fd);
  }
  if (!data) truncateSync(path, size);
}

/**
 * Writes `files` into `dest` (a new, empty folder). `previous`: the files of a commit already
 * written to `previousDir`; the unchanged ones are hard-linked from there. Returns how many blobs
 * were read from the object store.
 */
export async function writeTree(opts: {
  cache: string;
  env: Record<string, string>;
  files: TreeFiles;
  dest: string;
  previous?: { files: TreeFiles; dir: string } | undefined;
}): Promise<number> {
  const { files, dest, previous } = opts;
  const max = sourceLimits().maxFileBytes;
  const made = new Set<string>(['.']);
  const mkdirs = (rel: string) => {
    const d = dirname(rel);
    if (made.has(d)) return;
    mkdirs(d);
    mkdirSync(join(dest, d)); // not recursive: an existing entry (a link) fails
    made.add(d);
  };
  const wanted: [string, TreeFile][] = [];
  const links: [string, TreeFile][] = [];
  for (const [path, f] of files) {
    mkdirs(path);
    if (f.mode === '120000') {
      links.push([path, f]);
      continue;
    }
    const old = previous?.files.get(path);
    if (old && old.oid === f.oid && old.mode === f.mode) {
      try {
        linkSync(join(previous!.dir, path), join(dest, path));
        continue;
      } catch {
        // the previous folder is gone or differs: read the blob
      }
    }
    if (f.size > max) writeNew(join(dest, path), undefined, f.mode, f.size);
    else wanted.push([path, f]);
  }
  const all = [...wanted, ...links];
  if (all.length > 0)
    await catFileBatch(
      opts.cache,
      opts.env,
      all.map(([, f]) => f.oid),
      (i, data) => {
        const [path, f] = all[i]!;
        if (f.mode === '120000') symlinkSync(data.toString('utf8'), join(dest, path));
        else writeNew(join(dest, path), data, f.mode, f.size);
      },
    );
  return all.length;
}
