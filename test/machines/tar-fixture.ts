// Tar archives for the tar reader tests: a byte-level writer (ustar headers, PAX `x` records, GNU `L`
// long names, base-256 sizes, and raw field overrides for hostile headers), archives written by the
// system's GNU tar, and a scan helper that records what the reader reports.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TarScanner, type TarEntry } from '../../machines/volume-migration.tar.js';

export interface HeaderOpts {
  linkname?: string;
  prefix?: string;
  base256?: boolean;
  /** Magic and version at 257 (default POSIX `ustar\0` `00`). */
  magic?: string;
  /** Raw bytes written at an offset after the fields above, before the checksum. */
  raw?: Record<number, string | Uint8Array>;
  /** The checksum field as written (default: the right sum, `%06o\0 `). */
  checksum?: (sum: number) => string;
}

export function header(name: string, flag: string, size: number, opts: HeaderOpts = {}): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  if (opts.base256) {
    h[124] = 0x80;
    let v = size;
    for (let i = 135; i > 124; i--) {
      h[i] = v % 256;
      v = Math.floor(v / 256);
    }
  } else h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write(flag, 156, 'latin1');
  if (opts.linkname) h.write(opts.linkname, 157, 100, 'utf8');
  h.write(opts.magic ?? 'ustar\u000000', 257, 'latin1');
  if (opts.prefix) h.write(opts.prefix, 345, 155, 'utf8');
  for (const [off, v] of Object.entries(opts.raw ?? {}))
    if (typeof v === 'string') h.write(v, Number(off), 'latin1');
    else h.set(v, Number(off));
  h.write('        ', 148);
  let sum = 0;
  for (const b of h) sum += b;
  const field = opts.checksum ? opts.checksum(sum) : `${sum.toString(8).padStart(6, '0')}\0 `;
  h.write(field, 148, 8, 'latin1');
  return h;
}

export const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

export const END = Buffer.alloc(1024);

/** One PAX record with its correct length (the length counts bytes, its own digits included). */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  let len = bytes + 1;
  while (String(len).length + bytes !== len) len = String(len).length + bytes;
  return `${len}${body}`;
}

/** A PAX `x` (or `g`) header with its records as given (raw text: malformed records welcome). */
export function paxHeader(records: string, flag: 'x' | 'g' = 'x'): Buffer {
  const body = Buffer.from(records);
  return Buffer.concat([header('PaxHeaders/x', flag, body.length), pad(body)]);
}

/** A regular file entry (ustar header and padded content). */
export function file(name: string, data: string | Buffer, opts: HeaderOpts = {}): Buffer {
  const d = Buffer.from(data);
  return Buffer.concat([header(name, '0', d.length, opts), pad(d)]);
}

export interface In {
  name: string;
  type?: '0' | '5' | '2' | '1' | '3';
  data?: Buffer;
  linkname?: string;
  /** How a long name is carried. */
  long?: 'pax' | 'gnu' | 'prefix';
  base256?: boolean;
}

export function tar(entries: In[], opts: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    const flag = e.type ?? '0';
    let name = e.name;
    let prefix: string | undefined;
    if (e.long === 'pax') {
      parts.push(paxHeader(paxRecord('path', e.name)));
      name = e.name.slice(0, 99);
    } else if (e.long === 'gnu') {
      const body = Buffer.from(`${e.name}\0`);
      parts.push(header('././@LongLink', 'L', body.length), pad(body));
      name = e.name.slice(0, 99);
    } else if (e.long === 'prefix') {
      const i = e.name.lastIndexOf('/');
      prefix = e.name.slice(0, i);
      name = e.name.slice(i + 1);
    }
    const size = flag === '0' ? data.length : 0;
    parts.push(header(name, flag, size, { linkname: e.linkname, prefix, base256: e.base256 }));
    if (size > 0) parts.push(pad(data));
  }
  if (opts.end !== false) parts.push(END);
  return Buffer.concat(parts);
}

export interface Scan {
  s: TarScanner;
  entries: TarEntry[];
  /** Content reported per entry name. */
  contents: Map<string, Buffer>;
  /** Names in the order their entryEnd was reported. */
  ended: string[];
}

/** Pushes `buf` in chunks of `chunk` bytes (through one reused buffer when `reuse`), then finish(). */
export function scanAll(buf: Buffer, chunk: number, opts: { reuse?: boolean; finish?: boolean } = {}): Scan {
  const entries: TarEntry[] = [];
  const contents = new Map<string, Buffer>();
  const ended: string[] = [];
  let current = '';
  const s = new TarScanner({
    entry: (e) => {
      entries.push({ ...e });
      current = e.name;
      contents.set(e.name, Buffer.alloc(0));
    },
    data: (d) => contents.set(current, Buffer.concat([contents.get(current) ?? Buffer.alloc(0), d])),
    entryEnd: (e) => ended.push(e.name),
  });
  const scratch = Buffer.alloc(chunk);
  for (let i = 0; i < buf.length; i += chunk) {
    const part = buf.subarray(i, i + chunk);
    if (opts.reuse) {
      part.copy(scratch);
      s.push(scratch.subarray(0, part.length));
      scratch.fill(0xee); // a reader that reuses its buffer overwrites what was pushed
    } else s.push(part);
  }
  if (opts.finish !== false) s.finish();
  return { s, entries, contents, ended };
}

export const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

/** A tree on disk for GNU tar: files (content), dirs, symlinks, hard links and fifos. */
export type Node =
  | { kind: 'file'; data: Buffer }
  | { kind: 'dir' }
  | { kind: 'symlink'; target: string }
  | { kind: 'hardlink'; to: string }
  | { kind: 'fifo' };

/** Writes `tree` (relative paths, parents first) under a fresh temporary directory; returns it. */
export function writeTree(tree: [string, Node][]): string {
  const root = mkdtempSync(join(tmpdir(), 'mtar-'));
  for (const [rel, n] of tree) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    if (n.kind === 'file') writeFileSync(p, n.data);
    else if (n.kind === 'dir') mkdirSync(p, { recursive: true });
    else if (n.kind === 'symlink') symlinkSync(n.target, p);
    else if (n.kind === 'hardlink') linkSync(join(root, n.to), p);
    else execFileSync('mkfifo', [p]);
  }
  return root;
}

export const removeTree = (root: string): void => rmSync(root, { recursive: true, force: true });

/** The archive GNU tar writes of `member` under `root` (sorted by name, so hard links are predictable). */
export function gnuTar(root: string, args: string[], member = 'vol'): Buffer {
  return execFileSync(
    'tar',
    [...args, '--sort=name', '--blocking-factor=1', '-cf', '-', '-C', root, member],
    {
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}
