// The tar reader on archives written by the system's GNU tar, in every format it writes: what Docker
// hands back for a volume is a real archive, so the reader is judged on real ones (v7, ustar, gnu,
// oldgnu, pax; long names and long link targets through GNU 'L'/'K' records and PAX headers; files
// ending exactly on a block boundary; incremental dumpdirs, sparse files, global PAX headers).
import { appendFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestBuilder, TarScanner, type TarEntry } from '../../machines/volume-migration.tar.js';
import { gnuTar, removeTree, scanAll, sha256, writeTree, type Node } from './tar-fixture.js';

const bytes = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 251));
const N100 = `vol/${'n'.repeat(100)}`; // ustar: prefix `vol` + a 100-byte name with no NUL
const DEEP = `vol/${'d'.repeat(120)}`;
const LONG_TARGET = `${'t'.repeat(130)}/f`;

// v7 knows files, dirs, symlinks and hard links with names under 100 bytes
const base: [string, Node][] = [
  ['vol/a.txt', { kind: 'file', data: Buffer.from('hello\n') }],
  ['vol/block', { kind: 'file', data: bytes(512, 1) }],
  ['vol/blocks', { kind: 'file', data: bytes(1024, 2) }],
  ['vol/empty', { kind: 'file', data: Buffer.alloc(0) }],
  ['vol/hard', { kind: 'hardlink', to: 'vol/a.txt' }],
  ['vol/link', { kind: 'symlink', target: 'a.txt' }],
  ['vol/odd', { kind: 'file', data: bytes(1000, 3) }],
  ['vol/x./y', { kind: 'file', data: Buffer.from('y\n') }],
];
// ustar adds fifos and a 100-byte name split into prefix and name
const mid: [string, Node][] = [
  ...base,
  ['vol/fifo', { kind: 'fifo' }],
  [N100, { kind: 'file', data: Buffer.from('n') }],
];
// gnu and pax carry any length
const long: [string, Node][] = [
  ...mid,
  [`${DEEP}/f`, { kind: 'file', data: Buffer.from('deep') }],
  ['vol/longlink', { kind: 'symlink', target: LONG_TARGET }],
];

type Row = [name: string, type: TarEntry['type'], size: number, linkname: string];

/** What the reader must report for a tree, in GNU tar's sorted order. */
function expected(tree: [string, Node][]): Row[] {
  const rows = new Map<string, Row>([['vol', ['vol', 'dir', 0, '']]]);
  for (const [rel, n] of tree) {
    for (let d = rel.indexOf('/'); d !== -1; d = rel.indexOf('/', d + 1))
      rows.set(rel.slice(0, d), [rel.slice(0, d), 'dir', 0, '']);
    if (n.kind === 'file') rows.set(rel, [rel, 'file', n.data.length, '']);
    else if (n.kind === 'symlink') rows.set(rel, [rel, 'symlink', 0, n.target]);
    else if (n.kind === 'hardlink') rows.set(rel, [rel, 'hardlink', 0, n.to]);
    else if (n.kind === 'fifo') rows.set(rel, [rel, 'other', 0, '']);
  }
  return [...rows.values()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

const formats = [
  ['v7', base],
  ['ustar', mid],
  ['gnu', long],
  ['oldgnu', long],
  ['pax', long],
] as const;

const roots: string[] = [];
const archives = new Map<string, Buffer>();

beforeAll(() => {
  for (const [format, tree] of formats) {
    const root = writeTree(tree);
    roots.push(root);
    archives.set(format, gnuTar(root, [`--format=${format}`]));
  }
});
afterAll(() => roots.forEach(removeTree));

const row = (e: TarEntry): Row => [e.name, e.type, e.size, e.linkname];
const fileBytes = (tree: readonly [string, Node][]) =>
  tree.flatMap(([, n]) => (n.kind === 'file' ? [n.data.length] : []));

describe('TarScanner on archives written by GNU tar', () => {
  it.each(formats)('%s: entries, types, sizes, link targets, contents and counts', (format, tree) => {
    const buf = archives.get(format) ?? Buffer.alloc(0);
    for (const chunk of [1, 3, 100, 511, 512, 513, 1000, buf.length]) {
      const { s, entries, contents, ended } = scanAll(buf, chunk);
      expect(entries.map(row)).toEqual(expected(tree));
      expect(ended).toEqual(entries.map((e) => e.name));
      for (const [rel, n] of tree) if (n.kind === 'file') expect(contents.get(rel)).toEqual(n.data);
      expect(s).toMatchObject({ entries: entries.length, files: fileBytes(tree).length, done: true });
      expect(s.contentBytes).toBe(fileBytes(tree).reduce((a, b) => a + b, 0));
    }
  });

  it.each(formats)('%s: a reader reusing one buffer for every chunk reads the same', (format, tree) => {
    const buf = archives.get(format) ?? Buffer.alloc(0);
    for (const chunk of [1, 7, 64, 700]) {
      const { entries, contents } = scanAll(buf, chunk, { reuse: true });
      expect(entries.map(row)).toEqual(expected(tree));
      for (const [rel, n] of tree) if (n.kind === 'file') expect(contents.get(rel)).toEqual(n.data);
    }
  });

  it('a gnu archive of long names and a long link reads the same split at any offset, in chunks of any size', () => {
    const tree: [string, Node][] = [
      [`${DEEP}/f`, { kind: 'file', data: Buffer.from('deep') }],
      ['vol/longlink', { kind: 'symlink', target: LONG_TARGET }],
    ];
    const root = writeTree(tree);
    try {
      const buf = gnuTar(root, ['--format=gnu']);
      const want = expected(tree);
      const read = (chunks: Buffer[]) => {
        const s = new TarScanner({ entry: (e) => got.push(row(e)) });
        const got: Row[] = [];
        for (const c of chunks) s.push(c);
        s.finish();
        return got;
      };
      // every offset inside the first long-name header, its record and the next header
      for (let at = 0; at <= 1536; at++) expect(read([buf.subarray(0, at), buf.subarray(at)])).toEqual(want);
      for (let chunk = 1; chunk <= 64; chunk++) expect(scanAll(buf, chunk).entries.map(row)).toEqual(want);
    } finally {
      removeTree(root);
    }
  }, 120_000);

  it.each(formats)('%s: the manifest hashes every file, relative to the volume', (format, tree) => {
    const { sink, manifest } = manifestBuilder('vol');
    const s = new TarScanner(sink);
    s.push(archives.get(format) ?? Buffer.alloc(0));
    s.finish();
    expect(manifest.get('.')).toEqual({ type: 'dir', size: 0 });
    expect(manifest.get('x./y')).toEqual({ type: 'file', size: 2, sha256: sha256('y\n') });
    expect(manifest.get('block')).toEqual({ type: 'file', size: 512, sha256: sha256(bytes(512, 1)) });
    expect(manifest.get('empty')).toEqual({ type: 'file', size: 0, sha256: sha256('') });
    expect(manifest.get('hard')).toEqual({ type: 'hardlink', size: 0, linkname: 'a.txt' });
    expect(manifest.get('link')).toEqual({ type: 'symlink', size: 0, linkname: 'a.txt' });
    expect(manifest.size).toBe(expected(tree).length);
  });

  it('an incremental (-G) gnu archive: dumpdirs are skipped over, the time fields do not leak into names', () => {
    const root = writeTree(base);
    try {
      const { s, entries, contents } = scanAll(gnuTar(root, ['--format=gnu', '-G']), 100);
      const dirs = expected(base).filter((r) => r[1] === 'dir');
      expect(entries.filter((e) => e.type === 'other').map((e) => [e.name, e.size])).toEqual(
        dirs.map((d) => [d[0], 0]),
      );
      expect(entries.filter((e) => e.type !== 'other').map(row)).toEqual(
        expected(base).filter((r) => r[1] !== 'dir'),
      );
      expect(contents.get('vol/odd')).toEqual(bytes(1000, 3));
      expect(s.contentBytes).toBe(fileBytes(base).reduce((a, b) => a + b, 0));
    } finally {
      removeTree(root);
    }
  });

  it('a sparse file (gnu S) is one entry of another type, its data skipped and not counted', () => {
    const root = writeTree([['vol/z', { kind: 'file', data: Buffer.from('z') }]]);
    try {
      const sparse = join(root, 'vol/sparse'); // a hole of 100000 bytes, then data
      writeFileSync(sparse, '');
      truncateSync(sparse, 100_000);
      appendFileSync(sparse, 'tail\n');
      const { s, entries, contents } = scanAll(gnuTar(root, ['--format=gnu', '--sparse']), 333);
      expect(entries.map(row)).toEqual([
        ['vol', 'dir', 0, ''],
        ['vol/sparse', 'other', 0, ''],
        ['vol/z', 'file', 1, ''],
      ]);
      expect(contents.get('vol/sparse')).toEqual(Buffer.alloc(0));
      expect(contents.get('vol/z')?.toString()).toBe('z');
      expect(s).toMatchObject({ files: 1, contentBytes: 1 });
    } finally {
      removeTree(root);
    }
  });

  it('a global PAX header is neither an entry nor applied to the entries', () => {
    const root = writeTree([['vol/a', { kind: 'file', data: Buffer.from('a') }]]);
    try {
      const buf = gnuTar(root, ['--format=pax', '--pax-option=comment=hello,path=evil']);
      expect(buf.subarray(156, 157).toString()).toBe('g');
      const { s, entries } = scanAll(buf, 512);
      expect(entries.map(row)).toEqual([
        ['vol', 'dir', 0, ''],
        ['vol/a', 'file', 1, ''],
      ]);
      expect(s.entries).toBe(2);
    } finally {
      removeTree(root);
    }
  });
});
