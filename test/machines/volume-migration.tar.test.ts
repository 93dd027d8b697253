import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareManifests,
  describeDifferences,
  manifestBuilder,
  numeric,
  parsePax,
  relativeName,
  TarFormatError,
  TarScanner,
  type ManifestEntry,
} from '../../machines/volume-migration.tar.js';
import { paxRecord, scanAll, tar, type In } from './tar-fixture.js';
import { propertyRuns } from '../support/property-runs.js';

const LONG = `vol/${'d'.repeat(60)}/${'e'.repeat(60)}/file.bin`;
const sample: In[] = [
  { name: 'vol/', type: '5' },
  { name: 'vol/a.txt', data: Buffer.from('hello\n') },
  { name: 'vol/sub/', type: '5' },
  { name: 'vol/sub/big.bin', data: Buffer.alloc(1500, 7) },
  { name: 'vol/empty', data: Buffer.alloc(0) },
  { name: 'vol/link', type: '2', linkname: 'a.txt' },
  { name: 'vol/hard', type: '1', linkname: 'vol/a.txt' },
  { name: LONG, long: 'pax', data: Buffer.from('pax') },
  { name: `${LONG}2`, long: 'gnu', data: Buffer.from('gnu') },
  { name: `vol/${'p'.repeat(120)}/f`, long: 'prefix', data: Buffer.from('prefix') },
  { name: 'vol/b256', base256: true, data: Buffer.from('b') },
];

describe('TarScanner', () => {
  it.each([1, 7, 511, 512, 513, 4096, 1 << 20])('reads every header kind in chunks of %i bytes', (chunk) => {
    const { s, entries, contents } = scanAll(tar(sample), chunk);
    expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['vol', 'dir', 0],
      ['vol/a.txt', 'file', 6],
      ['vol/sub', 'dir', 0],
      ['vol/sub/big.bin', 'file', 1500],
      ['vol/empty', 'file', 0],
      ['vol/link', 'symlink', 0],
      ['vol/hard', 'hardlink', 0],
      [LONG, 'file', 3],
      [`${LONG}2`, 'file', 3],
      [`vol/${'p'.repeat(120)}/f`, 'file', 6],
      ['vol/b256', 'file', 1],
    ]);
    expect(entries[5]?.linkname).toBe('a.txt');
    expect(contents.get('vol/sub/big.bin')).toEqual(Buffer.alloc(1500, 7));
    expect(contents.get(LONG)?.toString()).toBe('pax');
    expect(s).toMatchObject({ entries: 11, files: 7, contentBytes: 6 + 1500 + 3 + 3 + 6 + 1 });
    expect(s.done).toBe(true);
  });

  it('counts content bytes while a file streams (live progress)', () => {
    const buf = tar([{ name: 'vol/f', data: Buffer.alloc(2000, 1) }]);
    const s = new TarScanner();
    s.push(buf.subarray(0, 512 + 1000));
    expect(s.contentBytes).toBe(1000);
    expect(s.files).toBe(1);
    s.push(buf.subarray(512 + 1000));
    s.finish();
    expect(s.contentBytes).toBe(2000);
  });

  it('ignores what follows the end-of-archive blocks', () => {
    const buf = Buffer.concat([tar([{ name: 'vol/a', data: Buffer.from('x') }]), Buffer.alloc(4096, 9)]);
    const { s } = scanAll(buf, 100);
    expect(s.entries).toBe(1);
  });

  it('accepts an archive that ends on an entry boundary without end blocks', () => {
    const { s } = scanAll(tar([{ name: 'vol/a', data: Buffer.from('x') }], { end: false }), 64);
    expect(s.files).toBe(1);
  });

  it('rejects a truncated archive, naming the entry', () => {
    const buf = tar([{ name: 'vol/a', data: Buffer.alloc(1000) }], { end: false });
    const s = new TarScanner();
    s.push(buf.subarray(0, 900));
    expect(() => s.finish()).toThrow(/archive truncated inside vol\/a/);
  });

  it('rejects a corrupt header', () => {
    const buf = tar([{ name: 'vol/a', data: Buffer.from('x') }]);
    buf[0] = 'X'.charCodeAt(0);
    expect(() => new TarScanner().push(buf)).toThrow(TarFormatError);
  });

  it('parses octal, base-256 and PAX fields', () => {
    expect(numeric(Buffer.from('00000000017\0'), 0, 12)).toBe(15);
    const b = Buffer.alloc(12);
    b[0] = 0x80;
    b[7] = 2;
    b[11] = 1;
    expect(numeric(b, 0, 12)).toBe(2 * 256 ** 4 + 1);
    expect(parsePax(Buffer.from(paxRecord('path', 'a/ü b') + paxRecord('size', '12')))).toEqual({
      path: 'a/ü b',
      size: '12',
    });
  });

  it('any split of any archive gives the same entries and contents', () => {
    const entry = fc.record({
      name: fc.stringMatching(/^[a-z]{1,8}$/),
      size: fc.integer({ min: 0, max: 3000 }),
      fill: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(entry, { selector: (e) => e.name, maxLength: 6 }),
        fc.integer({ min: 1, max: 2000 }),
        (es, chunk) => {
          const buf = tar(es.map((e) => ({ name: `vol/${e.name}`, data: Buffer.alloc(e.size, e.fill) })));
          const { s, contents } = scanAll(buf, chunk);
          expect(s.files).toBe(es.length);
          expect(s.contentBytes).toBe(es.reduce((a, e) => a + e.size, 0));
          for (const e of es) expect(contents.get(`vol/${e.name}`)).toEqual(Buffer.alloc(e.size, e.fill));
        },
      ),
      propertyRuns(60),
    );
    // a deadline, not a speed target: 60 runs take well under a second on a quiet machine
  }, 30_000);
});

describe('manifests', () => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');

  function manifestOf(entries: In[]) {
    const { sink, manifest } = manifestBuilder('vol');
    const s = new TarScanner(sink);
    s.push(tar(entries));
    s.finish();
    return manifest;
  }

  it('maps names relative to the volume root to size and sha256', () => {
    const m = manifestOf(sample);
    expect(m.get('.')).toEqual({ type: 'dir', size: 0 });
    expect(m.get('a.txt')).toEqual({ type: 'file', size: 6, sha256: sha('hello\n') });
    expect(m.get('sub/big.bin')?.sha256).toBe(
      createHash('sha256').update(Buffer.alloc(1500, 7)).digest('hex'),
    );
    expect(m.get('empty')).toEqual({ type: 'file', size: 0, sha256: sha('') });
    expect(m.get('link')).toEqual({ type: 'symlink', size: 0, linkname: 'a.txt' });
    expect(m.get('hard')).toEqual({ type: 'hardlink', size: 0, linkname: 'a.txt' });
  });

  it('equal archives compare equal; every kind of difference is named', () => {
    expect(compareManifests(manifestOf(sample), manifestOf(sample))).toEqual([]);
    const changed = manifestOf([
      { name: 'vol/', type: '5' },
      { name: 'vol/a.txt', data: Buffer.from('hellO\n') },
      { name: 'vol/sub', data: Buffer.from('') },
      { name: 'vol/link', type: '2', linkname: 'b' },
      { name: 'vol/extra', data: Buffer.from('x') },
      { name: 'vol/empty', data: Buffer.from('x') },
    ]);
    const diffs = compareManifests(manifestOf(sample), changed);
    expect(diffs).toContainEqual({ name: 'a.txt', problem: 'sha256 differs' });
    expect(diffs).toContainEqual({ name: 'sub', problem: 'is a file in the target, a dir in the source' });
    expect(diffs).toContainEqual({ name: 'empty', problem: 'size 1 in the target, 0 in the source' });
    expect(diffs).toContainEqual({ name: 'link', problem: 'links to b in the target, a.txt in the source' });
    expect(diffs).toContainEqual({ name: 'extra', problem: 'only in the target' });
    expect(diffs).toContainEqual({ name: 'sub/big.bin', problem: 'missing in the target' });
    expect(describeDifferences(diffs, 2)).toMatch(/^\d+ differences: .*; and \d+ more$/);
  });

  it('relative names', () => {
    expect(relativeName('vol', 'vol')).toBe('.');
    expect(relativeName('./vol/a', 'vol')).toBe('a');
    expect(relativeName('other/a', 'vol')).toBe('other/a');
    const one: ManifestEntry = { type: 'file', size: 1, sha256: 'a' };
    expect(describeDifferences(compareManifests(new Map([['x', one]]), new Map()))).toBe(
      '1 difference: x: missing in the target',
    );
  });
});
