// The tar reader on hostile, hand-made archives (what a volume's archive could be made to look like):
// bad numeric fields and checksums, truncation anywhere, malformed PAX records, odd type flags and
// header fields. Asserted: what the reader reports, and the exact TarFormatError message.
import { describe, expect, it } from 'vitest';
import { parsePax, TarFormatError, TarScanner } from '../../machines/volume-migration.tar.js';
import { END, file, header, pad, paxHeader, paxRecord, scanAll } from './tar-fixture.js';

const NUL = (n: number) => '\0'.repeat(n);
const row = (s: ReturnType<typeof scanAll>) => s.entries.map((e) => [e.name, e.type, e.size, e.linkname]);

/** The error `fn` throws (it must throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}

describe('TarScanner: numeric header fields', () => {
  it.each([
    ['leading spaces and a trailing space', `     12 ${NUL(4)}`, 10],
    ['leading zeros, NUL-terminated', `00000000012${NUL(1)}`, 10],
    ['an empty field (all NUL)', NUL(12), 0],
    ['a field of spaces', ' '.repeat(12), 0],
  ])('a size field with %s is read', (_what, field, size) => {
    const data = Buffer.alloc(size, 'z');
    const buf = Buffer.concat([
      header('vol/a', '0', 0, { raw: { 124: field } }),
      pad(data),
      file('vol/b', 'b'),
      END,
    ]);
    const scan = scanAll(buf, 512);
    expect(row(scan)).toEqual([
      ['vol/a', 'file', size, ''],
      ['vol/b', 'file', 1, ''],
    ]);
    expect(scan.contents.get('vol/a')).toEqual(data);
  });

  it.each([
    ['12x', `12x${NUL(9)}`],
    ['x12', `x12${NUL(9)}`],
    ['8', `8${NUL(11)}`],
    ['8x', `8x${NUL(10)}`],
    ['1 2', ` 1 2 ${NUL(7)}`],
    ['-1', `-1${NUL(10)}`],
  ])('a size field %j is a TarFormatError naming it', (shown, field) => {
    const buf = Buffer.concat([header('vol/a', '0', 0, { raw: { 124: field } }), END]);
    const err = thrown(() => new TarScanner().push(buf));
    expect(err).toBeInstanceOf(TarFormatError);
    expect(err.name).toBe('TarFormatError');
    expect(err.message).toBe(`bad numeric header field ${JSON.stringify(shown)}`);
  });

  it('the mode is read from a space-padded field; a checksum written with leading spaces is accepted', () => {
    const buf = Buffer.concat([
      header('vol/a', '0', 0, {
        raw: { 100: `  755 ${NUL(2)}` },
        checksum: (s) => `${s.toString(8).padStart(6, ' ')}\0 `,
      }),
      END,
    ]);
    expect(scanAll(buf, 512).entries[0]?.mode).toBe(0o755);
  });
});

describe('TarScanner: checksums and truncation', () => {
  it.each([
    [[] as Buffer[], 'bad header checksum after 0 entries'],
    [[file('vol/ok', 'ok')], 'bad header checksum after 1 entries'],
  ])('a header with a wrong checksum: %#', (before, message) => {
    const bad = header('vol/a', '0', 0, { checksum: (s) => `${(s + 1).toString(8).padStart(6, '0')}\0 ` });
    const err = thrown(() => new TarScanner().push(Buffer.concat([...before, bad, END])));
    expect(err).toBeInstanceOf(TarFormatError);
    expect(err.message).toBe(message);
  });

  const big = file('vol/a', Buffer.alloc(1000, 1));
  const longName = Buffer.concat([
    header('././@LongLink', 'L', 201),
    pad(Buffer.from(`${'l'.repeat(200)}\0`)),
  ]);
  const longLink = Buffer.concat([header('././@LongLink', 'K', 2), pad(Buffer.from('k\0'))]);
  it.each([
    ['inside a file', big.subarray(0, 512 + 300), 'archive truncated inside vol/a (1 entries read)'],
    [
      'inside the padding after a file',
      big.subarray(0, 512 + 1000 + 5),
      'archive truncated (1 entries read)',
    ],
    [
      'inside a header',
      Buffer.concat([big, header('vol/b', '0', 0).subarray(0, 300)]),
      'archive truncated (1 entries read)',
    ],
    ['inside a long-name record', longName.subarray(0, 512 + 50), 'archive truncated (0 entries read)'],
    [
      'inside a PAX record',
      paxHeader(paxRecord('path', 'p'.repeat(600))).subarray(0, 700),
      'archive truncated (0 entries read)',
    ],
    ['after a long-name record, before its entry', longName, 'archive truncated (0 entries read)'],
    ['after a long-link record, before its entry', longLink, 'archive truncated (0 entries read)'],
    [
      'after a PAX header, before its entry',
      paxHeader(paxRecord('path', 'x')),
      'archive truncated (0 entries read)',
    ],
  ])('an archive cut %s is a TarFormatError', (_where, buf, message) => {
    for (const chunk of [1, 100, 512, buf.length]) {
      const err = thrown(() => scanAll(buf, chunk));
      expect(err).toBeInstanceOf(TarFormatError);
      expect(err.message).toBe(message);
    }
  });

  it.each([
    ['a file ending on a block boundary', file('vol/a', Buffer.alloc(512, 2)), [['vol/a', 'file', 512, '']]],
    ['an empty file', file('vol/a', ''), [['vol/a', 'file', 0, '']]],
    ['a directory', header('vol/', '5', 0), [['vol', 'dir', 0, '']]],
    ['a symlink', header('vol/l', '2', 0, { linkname: 'a' }), [['vol/l', 'symlink', 0, 'a']]],
    ['nothing at all', Buffer.alloc(0), []],
  ])('an archive without end blocks that ends after %s is complete', (_what, buf, rows) => {
    const scan = scanAll(buf, 512, { finish: false });
    expect(scan.ended).toEqual(rows.map((r) => r[0]));
    expect(scan.s.done).toBe(false);
    scan.s.finish();
    expect(scan.s.done).toBe(true);
    expect(row(scan)).toEqual(rows);
  });

  it('is done at the end-of-archive blocks, not before', () => {
    const buf = Buffer.concat([file('vol/a', 'abc'), END]);
    const s = new TarScanner();
    s.push(buf.subarray(0, 512));
    expect(s.done).toBe(false);
    s.push(buf.subarray(512, 1024));
    expect(s.done).toBe(false);
    s.push(buf.subarray(1024));
    expect(s.done).toBe(true);
  });
});

describe('TarScanner: PAX records', () => {
  /** The entry `hdr` preceded by a PAX header with `records`. */
  const withPax = (records: string) => Buffer.concat([paxHeader(records), file('hdr', 'x'), END]);

  it.each([
    ['a valid path', paxRecord('path', 'good/name'), 'good/name'],
    ['a zero length', '0 path=evil\n', 'hdr'],
    ['a negative length', '-5 path=evil\n', 'hdr'],
    ['a length past the end', '99 path=evil\n', 'hdr'],
    ['a length that is no number', 'ab path=evil\n', 'hdr'],
    ['no space after the length', '16path=evil/name', 'hdr'],
    ['a record without "="', '8 pathX\n', 'hdr'],
    ['a record without "=", then a valid one', `8 pathX\n${paxRecord('path', 'good')}`, 'good'],
    ['a zero length, then a valid record (not read)', `0 a=b\n${paxRecord('path', 'evil')}`, 'hdr'],
  ])('%s', (_what, records, name) => {
    expect(scanAll(withPax(records), 100).entries.map((e) => e.name)).toEqual([name]);
  });

  it.each([
    ['9 =value\n', {}],
    ['8 pathX\n', {}],
    ['12345678', {}],
    [`${paxRecord('a', '=b')}${paxRecord('c', '')}`, { a: '=b', c: '' }],
  ])('parsePax(%j)', (records, want) => {
    expect(parsePax(Buffer.from(records))).toEqual(want);
  });

  it('a PAX size and linkpath override the header', () => {
    const buf = Buffer.concat([
      paxHeader(paxRecord('size', '10')),
      header('vol/big', '0', 0),
      pad(Buffer.from('helloworld')),
      paxHeader(paxRecord('linkpath', `vol/${'t'.repeat(150)}`)),
      header('vol/l', '2', 0, { linkname: 'short' }),
      file('vol/next', 'n'),
      END,
    ]);
    const scan = scanAll(buf, 7);
    expect(row(scan)).toEqual([
      ['vol/big', 'file', 10, ''],
      ['vol/l', 'symlink', 0, `vol/${'t'.repeat(150)}`],
      ['vol/next', 'file', 1, ''],
    ]);
    expect(scan.contents.get('vol/big')?.toString()).toBe('helloworld');
    expect(scan.s.contentBytes).toBe(11);
  });

  it.each(['abc', '-5', '1.5', '0x10', '', '1e3', ' 5', '99999999999999999999'])(
    'a PAX size %j is a TarFormatError',
    (size) => {
      const buf = Buffer.concat([paxHeader(paxRecord('size', size)), file('vol/a', 'abcde'), END]);
      const err = thrown(() => scanAll(buf, 512));
      expect(err).toBeInstanceOf(TarFormatError);
      expect(err.message).toBe(`bad PAX size ${JSON.stringify(size)}`);
    },
  );
});

describe('TarScanner: type flags and header fields', () => {
  it('contiguous files are files; devices and unknown types are skipped over with their content', () => {
    const buf = Buffer.concat([
      header('vol/c', '7', 3),
      pad(Buffer.from('abc')),
      header('vol/dev', '3', 0),
      header('vol/unknown', 'Z', 700),
      pad(Buffer.alloc(700, 'u')),
      file('vol/after', 'after'),
      END,
    ]);
    const scan = scanAll(buf, 100);
    expect(row(scan)).toEqual([
      ['vol/c', 'file', 3, ''],
      ['vol/dev', 'other', 0, ''],
      ['vol/unknown', 'other', 0, ''],
      ['vol/after', 'file', 5, ''],
    ]);
    expect(scan.contents.get('vol/unknown')).toEqual(Buffer.alloc(0));
    expect(scan.s).toMatchObject({ entries: 4, files: 2, contentBytes: 8 });
    expect(scan.ended).toEqual(['vol/c', 'vol/dev', 'vol/unknown', 'vol/after']);
  });

  it.each([
    ['5', 'dir', ''],
    ['2', 'symlink', 'a'],
    ['1', 'hardlink', 'vol/a'],
  ] as const)(
    'a %s header with a size field has no content (header-only, as Go archive/tar reads it)',
    (flag, type, link) => {
      const buf = Buffer.concat([
        header('vol/x', flag, 700, { linkname: link }),
        file('vol/after', 'a'),
        END,
      ]);
      expect(row(scanAll(buf, 512))).toEqual([
        ['vol/x', type, 0, link],
        ['vol/after', 'file', 1, ''],
      ]);
    },
  );

  it.each([
    ['a v7 header (no magic) ignores the prefix field', { magic: NUL(8), raw: { 345: 'junk' } }, 'vol/a'],
    [
      'a GNU header ignores the prefix field (times live there)',
      { magic: 'ustar  \0', raw: { 345: '15305110034' } },
      'vol/a',
    ],
    ['a POSIX ustar header joins the prefix', { prefix: 'deep/dir' }, 'deep/dir/vol/a'],
  ])('%s', (_what, opts, name) => {
    expect(scanAll(Buffer.concat([header('vol/a', '0', 0, opts), END]), 512).entries[0]?.name).toBe(name);
  });

  it('names and link targets of exactly 100 bytes (no NUL) are read whole; "/" stays "/"', () => {
    const n = 'n'.repeat(100);
    const t = 't'.repeat(100);
    const buf = Buffer.concat([header(n, '2', 0, { linkname: t, magic: NUL(8) }), header('/', '5', 0), END]);
    expect(row(scanAll(buf, 512))).toEqual([
      [n, 'symlink', 0, t],
      ['/', 'dir', 0, ''],
    ]);
  });
});
