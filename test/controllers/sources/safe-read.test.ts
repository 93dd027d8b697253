import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsFileReader } from '../../../controllers/sources/fs-file-reader.js';
import {
  ByteBudget,
  confine,
  readRegular,
  realRoot,
  setSourceLimits,
  sourceLimits,
} from '../../../controllers/sources/safe-read.js';

const root = mkdtempSync(join(tmpdir(), 'sk-safe-read-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const real = realRoot(root);
mkdirSync(join(root, 'app'));
writeFileSync(join(root, 'app', 'ok.txt'), 'hello\n');
symlinkSync('ok.txt', join(root, 'app', 'inside.link'));
symlinkSync('/etc/hostname', join(root, 'app', 'out.link'));
symlinkSync('/proc/self/environ', join(root, 'app', 'environ.link'));
symlinkSync('/etc', join(root, 'app', 'etc'));
symlinkSync('missing', join(root, 'app', 'dangling.link'));
symlinkSync('loop2', join(root, 'app', 'loop1'));
symlinkSync('loop1', join(root, 'app', 'loop2'));
execFileSync('mkfifo', [join(root, 'app', 'pipe')]);

describe('confine', () => {
  it.each([
    ['app/ok.txt', /\/app\/ok\.txt$/],
    ['app/inside.link', /\/app\/ok\.txt$/],
  ])('%s stays inside the root', (path, re) => {
    expect(confine(real, path, path)).toMatch(re);
  });

  it.each([
    ['app/out.link', 'SK_ERR_FILE_REFUSED', 'app/out.link: a symbolic link leads outside the source root'],
    [
      'app/environ.link',
      'SK_ERR_FILE_REFUSED',
      'app/environ.link: a symbolic link leads outside the source root',
    ],
    [
      'app/etc/passwd',
      'SK_ERR_FILE_REFUSED',
      'app/etc/passwd: a symbolic link leads outside the source root',
    ],
    ['../x', 'SK_ERR_FILE_REFUSED', '../x: outside the source root'],
    ['/etc/passwd', 'SK_ERR_FILE_REFUSED', '/etc/passwd: outside the source root'],
    [
      'app/dangling.link',
      'SK_ERR_FILE_UNREADABLE',
      'app/dangling.link: no such file, or a dangling symbolic link (ENOENT)',
    ],
    ['app/loop1', 'SK_ERR_FILE_REFUSED', 'app/loop1: a symbolic link loop (ELOOP)'],
  ])('%s is refused', (path, code, message) => {
    expect(() => confine(real, path, path)).toThrow(
      expect.objectContaining({ code, message: expect.stringContaining(message) }),
    );
  });
});

describe('readRegular', () => {
  it('refuses a FIFO without opening it (returns at once, nothing is written to it)', () => {
    const p = confine(real, 'app/pipe', 'app/pipe');
    expect(() => readRegular(p, 'app/pipe', 1024)).toThrow(
      'app/pipe: a FIFO (named pipe); only regular files are read from a source',
    );
  });

  it('refuses a directory and a file over the limit, and counts a budget', () => {
    expect(() => readRegular(join(real, 'app'), 'app', 1024)).toThrow('app: a directory');
    expect(() => readRegular(join(real, 'app', 'ok.txt'), 'app/ok.txt', 3)).toThrow(
      'app/ok.txt: 6 bytes, more than the 3 bytes a file may have (--max-file-size)',
    );
    const budget = new ByteBudget(10);
    expect(readRegular(join(real, 'app', 'ok.txt'), 'app/ok.txt', 1024, budget).toString()).toBe('hello\n');
    expect(() => readRegular(join(real, 'app', 'ok.txt'), 'app/ok.txt', 1024, budget)).toThrow(
      'app/ok.txt: the source would exceed 10 bytes read in total (--max-source-size)',
    );
  });
});

describe('fsFileReader', () => {
  it('reads a file inside the root and refuses links out of it, for text and bytes', () => {
    const r = fsFileReader(root);
    expect(r.readText('app/inside.link')).toBe('hello\n');
    expect(() => r.readBytes('app/environ.link')).toThrow(
      expect.objectContaining({ code: 'SK_ERR_FILE_REFUSED' }),
    );
    expect(() => r.readText('app/etc/shadow')).toThrow(
      expect.objectContaining({ code: 'SK_ERR_FILE_REFUSED' }),
    );
  });

  it('decodes text strictly (not valid UTF-8 names the line)', () => {
    writeFileSync(
      join(root, 'app', 'latin1.env'),
      Buffer.from([0x41, 0x3d, 0x31, 0x0a, 0x42, 0x3d, 0xe9, 0x0a]),
    );
    expect(() => fsFileReader(root).readText('app/latin1.env')).toThrow(
      'app/latin1.env:2: not valid UTF-8 (byte 0xE9 at column 3)',
    );
  });

  it('follows the limits set by --max-file-size', () => {
    const before = { ...sourceLimits() };
    try {
      setSourceLimits({ maxFileBytes: 4 });
      expect(() => fsFileReader(root).readText('app/ok.txt')).toThrow(
        'more than the 4 bytes a file may have',
      );
    } finally {
      setSourceLimits(before);
    }
  });
});
