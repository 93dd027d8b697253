/**
 * A streaming tar reader for volume migrations (Docker's archive API speaks tar): it parses the
 * 512-byte headers (ustar, GNU long names `L`/`K`, PAX `x`/`g` records, base-256 sizes) of chunks as
 * they pass, so a copy can count files and bytes and a verify can hash each entry's content without
 * ever holding the archive in memory. Pure: no I/O, chunks in, callbacks out.
 */
import { createHash } from 'node:crypto';
import { byKey } from '../reconciler/model/order.js';

const BLOCK = 512;

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** Path as stored (a directory's trailing `/` removed). */
  name: string;
  type: TarEntryType;
  /** Content bytes (0 for anything but regular files). */
  size: number;
  linkname: string;
  mode: number;
}

export interface TarSink {
  /** A header was read; its content follows through `data`. */
  entry?(e: TarEntry): void;
  /** Content bytes of the current regular file. */
  data?(chunk: Uint8Array): void;
  /** The current entry's content is complete. */
  entryEnd?(e: TarEntry): void;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

const decoder = new TextDecoder();

function cString(b: Uint8Array, off: number, len: number): string {
  const end = b.subarray(off, off + len).indexOf(0);
  return decoder.decode(b.subarray(off, end === -1 ? off + len : off + end));
}

/** An octal field, or GNU base-256 when the high bit of the first byte is set. */
export function numeric(b: Uint8Array, off: number, len: number): number {
  const first = b[off] ?? 0;
  if (first & 0x80) {
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (b[off + i] ?? 0);
    return v;
  }
  const s = cString(b, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`bad numeric header field ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

function checksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  return sum === numeric(h, 148, 8);
}

function isZero(h: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (h[i] !== 0) return false;
  return true;
}

/** PAX extended header records: `<len> <key>=<value>\n`. */
export function parsePax(buf: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < buf.length) {
    let sp = i;
    while (sp < buf.length && buf[sp] !== 0x20) sp++;
    const len = Number(decoder.decode(buf.subarray(i, sp)));
    if (!Number.isInteger(len) || len <= 0 || i + len > buf.length) break;
    const record = decoder.decode(buf.subarray(sp + 1, i + len - 1));
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/** A PAX `size`: the decimal digits of a safe integer (Go's archive/tar, Docker's writer, rejects the rest). */
function paxSize(v: string): number {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n))
    throw new TarFormatError(`bad PAX size ${JSON.stringify(v)}`);
  return n;
}

function entryType(flag: string): TarEntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
    case '':
      return 'file';
    case '5':
      return 'dir';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

type Phase = 'header' | 'content' | 'meta' | 'padding' | 'end';

/**
 * Push chunks of a tar stream in order; `finish()` at the end. Counts entries, regular files and
 * content bytes as they pass (`contentBytes` grows inside a file, for live progress).
 */
export class TarScanner {
  entries = 0;
  files = 0;
  contentBytes = 0;
  #phase: Phase = 'header';
  readonly #header = new Uint8Array(BLOCK);
  #headerFill = 0;
  /** Bytes of content left in the current entry (file data or a metadata record). */
  #left = 0;
  #padLeft = 0;
  #meta: Uint8Array[] = [];
  #metaType = '';
  #current: TarEntry | undefined;
  #pax: Record<string, string> = {};
  #longName: string | undefined;
  #longLink: string | undefined;

  constructor(private readonly sink: TarSink = {}) {}

  get done(): boolean {
    return this.#phase === 'end';
  }

  push(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length && this.#phase !== 'end') {
      switch (this.#phase) {
        case 'header': {
          const n = Math.min(BLOCK - this.#headerFill, chunk.length - off);
          this.#header.set(chunk.subarray(off, off + n), this.#headerFill);
          this.#headerFill += n;
          off += n;
          if (this.#headerFill === BLOCK) {
            this.#headerFill = 0;
            this.#onHeader();
          }
          break;
        }
        case 'content':
        case 'meta': {
          const n = Math.min(this.#left, chunk.length - off);
          const part = chunk.subarray(off, off + n);
          off += n;
          this.#left -= n;
          // kept as a copy: the caller may reuse its chunk (and a Buffer's slice() is a view)
          if (this.#phase === 'meta') this.#meta.push(new Uint8Array(part));
          else if (this.#current?.type === 'file') {
            this.contentBytes += n;
            if (n > 0) this.sink.data?.(part);
          }
          if (this.#left === 0) this.#endContent();
          break;
        }
        case 'padding': {
          const n = Math.min(this.#padLeft, chunk.length - off);
          off += n;
          this.#padLeft -= n;
          if (this.#padLeft === 0) this.#phase = 'header';
          break;
        }
      }
    }
  }

  /** The stream ended: throws when it stopped inside an entry. */
  finish(): void {
    if (this.#phase === 'end') return;
    const metaPending =
      this.#longName !== undefined || this.#longLink !== undefined || Object.keys(this.#pax).length > 0;
    if (this.#phase === 'header' && this.#headerFill === 0 && this.#current === undefined && !metaPending) {
      this.#phase = 'end'; // no end-of-archive blocks: accepted when it ends on an entry boundary
      return;
    }
    throw new TarFormatError(
      `archive truncated${this.#current ? ` inside ${this.#current.name}` : ''} (${this.entries} entries read)`,
    );
  }

  #onHeader(): void {
    const h = this.#header;
    if (isZero(h)) {
      this.#phase = 'end';
      return;
    }
    if (!checksumOk(h)) throw new TarFormatError(`bad header checksum after ${this.entries} entries`);
    const flag = String.fromCharCode(h[156] ?? 0);
    const size = numeric(h, 124, 12);
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      this.#metaType = flag;
      this.#meta = [];
      this.#startContent(size, 'meta');
      return;
    }
    const magic = cString(h, 257, 6);
    const prefix = magic === 'ustar' && h[262] === 0 ? cString(h, 345, 155) : '';
    let name =
      this.#longName ??
      this.#pax['path'] ??
      (prefix ? `${prefix}/${cString(h, 0, 100)}` : cString(h, 0, 100));
    const linkname = this.#longLink ?? this.#pax['linkpath'] ?? cString(h, 157, 100);
    const paxSizeField = this.#pax['size'];
    const realSize = paxSizeField !== undefined ? paxSize(paxSizeField) : size;
    this.#pax = {};
    this.#longName = undefined;
    this.#longLink = undefined;
    const type = entryType(flag);
    if (name.length > 1 && name.endsWith('/')) name = name.slice(0, -1);
    const entry: TarEntry = {
      name,
      type,
      size: type === 'file' ? realSize : 0,
      linkname,
      mode: numeric(h, 100, 8),
    };
    this.entries += 1;
    if (type === 'file') this.files += 1;
    this.#current = entry;
    this.sink.entry?.(entry);
    // only regular files' content is reported; an unknown type with a size is skipped over
    this.#startContent(type === 'file' || type === 'other' ? realSize : 0, 'content');
  }

  #startContent(size: number, phase: 'content' | 'meta'): void {
    this.#left = size;
    this.#padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
    this.#phase = phase;
    if (size === 0) this.#endContent();
  }

  #endContent(): void {
    if (this.#phase === 'meta') {
      const total = this.#meta.reduce((a, b) => a + b.length, 0);
      const buf = new Uint8Array(total);
      let o = 0;
      for (const m of this.#meta) {
        buf.set(m, o);
        o += m.length;
      }
      this.#meta = [];
      if (this.#metaType === 'x') this.#pax = { ...this.#pax, ...parsePax(buf) };
      else if (this.#metaType === 'L') this.#longName = cString(buf, 0, buf.length);
      else if (this.#metaType === 'K') this.#longLink = cString(buf, 0, buf.length);
      // 'g' (global PAX) carries nothing a content comparison needs
    } else if (this.#current) {
      this.sink.entryEnd?.(this.#current);
      this.#current = undefined;
    }
    this.#phase = this.#padLeft > 0 ? 'padding' : 'header';
  }
}

/** What verify compares per entry. */
export interface ManifestEntry {
  type: TarEntryType;
  size: number;
  /** Regular files: sha256 of the content, hex. */
  sha256?: string;
  /** Symlinks and hard links: the link target. */
  linkname?: string;
}

/** Path inside the archived directory: `vol/a/b` -> `a/b`, `vol` -> `.` (root = the archived dir). */
export function relativeName(name: string, root: string): string {
  const n = name.replace(/^\.\//, '');
  if (n === root) return '.';
  return n.startsWith(`${root}/`) ? n.slice(root.length + 1) : n;
}

/** A sink that builds name -> ManifestEntry, hashing each file's content as it streams. */
export function manifestBuilder(root: string): { sink: TarSink; manifest: Map<string, ManifestEntry> } {
  const manifest = new Map<string, ManifestEntry>();
  let hash: ReturnType<typeof createHash> | undefined;
  const sink: TarSink = {
    entry(e) {
      hash = e.type === 'file' ? createHash('sha256') : undefined;
    },
    data(chunk) {
      hash?.update(chunk);
    },
    entryEnd(e) {
      const m: ManifestEntry = { type: e.type, size: e.size };
      if (e.type === 'file') m.sha256 = hash?.digest('hex') ?? '';
      if (e.type === 'symlink' || e.type === 'hardlink') m.linkname = relativeName(e.linkname, root);
      manifest.set(relativeName(e.name, root), m);
      hash = undefined;
    },
  };
  return { sink, manifest };
}

export interface ManifestDifference {
  name: string;
  problem: string;
}

/** Every entry of the source must be in the target, identical, and nothing else. Sorted by name. */
export function compareManifests(
  source: ReadonlyMap<string, ManifestEntry>,
  target: ReadonlyMap<string, ManifestEntry>,
): ManifestDifference[] {
  const out: ManifestDifference[] = [];
  for (const [name, s] of source) {
    const t = target.get(name);
    if (t === undefined) out.push({ name, problem: 'missing in the target' });
    else if (t.type !== s.type)
      out.push({ name, problem: `is a ${t.type} in the target, a ${s.type} in the source` });
    else if (t.size !== s.size)
      out.push({ name, problem: `size ${t.size} in the target, ${s.size} in the source` });
    else if (t.sha256 !== s.sha256) out.push({ name, problem: 'sha256 differs' });
    else if ((t.linkname ?? '') !== (s.linkname ?? ''))
      out.push({ name, problem: `links to ${t.linkname} in the target, ${s.linkname} in the source` });
  }
  for (const name of target.keys()) if (!source.has(name)) out.push({ name, problem: 'only in the target' });
  return out.sort(byKey((d) => d.name));
}

/** `3 differences: a: sha256 differs; b: missing in the target; c: only in the target` (first `max`). */
export function describeDifferences(diffs: readonly ManifestDifference[], max = 5): string {
  const shown = diffs.slice(0, max).map((d) => `${d.name}: ${d.problem}`);
  const more = diffs.length > max ? `; and ${diffs.length - max} more` : '';
  return `${diffs.length} difference${diffs.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`;
}
