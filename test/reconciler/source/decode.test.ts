import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText, firstInvalidUtf8 } from '../../../reconciler/source/decode.js';
import { propertyRuns } from '../../support/property-runs.js';

const F = 'st/c.yml';
const bytes = (...b: number[]) => new Uint8Array(b);
const utf16 = (s: string, le: boolean) => {
  const out = [le ? 0xff : 0xfe, le ? 0xfe : 0xff];
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out.push(...(le ? [c & 0xff, c >> 8] : [c >> 8, c & 0xff]));
  }
  return new Uint8Array(out);
};

const utf8Error = (line: number, byte: string, col: number) =>
  `${F}:${line}: not valid UTF-8 (byte 0x${byte} at column ${col}); save the file as UTF-8`;

describe('decodeText', () => {
  it.each([
    ['UTF-8', new TextEncoder().encode('a: é\n'), 'a: é\n'],
    ['UTF-8 with a byte order mark', bytes(0xef, 0xbb, 0xbf, 0x61), 'a'],
    ['UTF-16LE with its mark', utf16('a: é', true), 'a: é'],
    ['UTF-16BE with its mark', utf16('a: é', false), 'a: é'],
    ['empty', bytes(), ''],
    ['a lone 0xFF 0xFE mark', bytes(0xff, 0xfe), ''],
    ['UTF-8 with NUL bytes where a UTF-32LE mark has them', bytes(0x61, 0x62, 0, 0), 'ab\0\0'],
    ['UTF-8 starting with three NUL bytes', bytes(0, 0, 0, 0x61), '\0\0\0a'],
    ['UTF-16LE whose first character has a zero high byte', bytes(0xff, 0xfe, 0x61, 0, 0, 0x61), 'a\u6100'],
    ['UTF-16LE whose first character is U+6100', bytes(0xff, 0xfe, 0, 0x61), '\u6100'],
  ])('%s', (_n, b, want) => {
    expect(decodeText(F, b)).toBe(want);
  });

  it.each([
    [
      'UTF-32LE',
      bytes(0xff, 0xfe, 0, 0, 0x61, 0, 0, 0),
      `${F}: UTF-32 is not supported; save the file as UTF-8`,
    ],
    [
      'UTF-32BE',
      bytes(0, 0, 0xfe, 0xff, 0, 0, 0, 0x61),
      `${F}: UTF-32 is not supported; save the file as UTF-8`,
    ],
    [
      'odd UTF-16LE',
      bytes(0xff, 0xfe, 0x61),
      `${F}: not valid UTF-16LE (it starts with a UTF-16 byte order mark)`,
    ],
    [
      'odd UTF-16BE',
      bytes(0xfe, 0xff, 0x61),
      `${F}: not valid UTF-16BE (it starts with a UTF-16 byte order mark)`,
    ],
    [
      'Latin-1 on line 1',
      bytes(0x61, 0x3a, 0x20, 0xe9, 0x0a),
      `${F}:1: not valid UTF-8 (byte 0xE9 at column 4); save the file as UTF-8`,
    ],
    [
      'Latin-1 after a multi-byte character on line 2',
      bytes(0x61, 0x0a, 0xc3, 0xa9, 0x20, 0xff),
      `${F}:2: not valid UTF-8 (byte 0xFF at column 3); save the file as UTF-8`,
    ],
    [
      'a sequence cut at the end',
      bytes(0x61, 0xe2, 0x82),
      `${F}:1: not valid UTF-8 (byte 0xE2 at column 2); save the file as UTF-8`,
    ],
    [
      'a bare UTF-32LE mark',
      bytes(0xff, 0xfe, 0, 0),
      `${F}: UTF-32 is not supported; save the file as UTF-8`,
    ],
    // bytes that are one byte away from a byte order mark are plain (invalid) UTF-8
    ['0xFF then NULs', bytes(0xff, 0x62, 0, 0), utf8Error(1, 'FF', 1)],
    ['0xFE in third place', bytes(0x61, 0, 0xfe, 0xff), utf8Error(1, 'FE', 3)],
    ['NUL, a letter, 0xFE 0xFF', bytes(0, 0x61, 0xfe, 0xff), utf8Error(1, 'FE', 3)],
    ['two NULs, a letter, 0xFF', bytes(0, 0, 0x61, 0xff), utf8Error(1, 'FF', 4)],
    ['two NULs, 0xFE, a letter', bytes(0, 0, 0xfe, 0x61), utf8Error(1, 'FE', 3)],
    ['a letter, then 0xFE', bytes(0x61, 0xfe), utf8Error(1, 'FE', 2)],
    ['0xFE, then a letter', bytes(0xfe, 0x61), utf8Error(1, 'FE', 1)],
    ['a letter, then 0xFF', bytes(0x61, 0xff), utf8Error(1, 'FF', 2)],
    ['0xFF, then a letter', bytes(0xff, 0x61), utf8Error(1, 'FF', 1)],
  ])('refuses %s', (_n, b, message) => {
    expect(() => decodeText(F, b)).toThrow(expect.objectContaining({ code: 'SK_ERR_ENCODING', message }));
  });
});

describe('firstInvalidUtf8', () => {
  it.each([
    ['ASCII', [0x61, 0x62], 2],
    ['2-byte', [0xc3, 0xa9], 2],
    ['3-byte', [0xe2, 0x82, 0xac], 3],
    ['4-byte', [0xf0, 0x9f, 0x98, 0x80], 4],
    ['overlong 2-byte lead', [0xc0, 0x80], 0],
    ['overlong 3-byte', [0xe0, 0x80, 0x80], 0],
    ['overlong 4-byte', [0xf0, 0x80, 0x80, 0x80], 0],
    ['surrogate', [0xed, 0xa0, 0x80], 0],
    ['last scalar value', [0xf4, 0x8f, 0xbf, 0xbf], 4],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['lead 0xF5', [0xf5, 0x80, 0x80, 0x80], 0],
    ['bad continuation', [0x61, 0xc3, 0x41], 1],
    ['cut 4-byte', [0x61, 0xf0, 0x9f, 0x98], 1],
    ['lone continuation', [0x80], 0],
    ['lowest 2-byte lead', [0xc2, 0x80], 2],
    ['highest 2-byte lead', [0xdf, 0xbf], 2],
    ['lowest 3-byte lead', [0xe0, 0xa0, 0x80], 3],
    ['highest 3-byte lead', [0xef, 0xbf, 0xbf], 3],
    ['continuation byte as a 3-byte lead', [0x8f, 0xbf, 0xbf], 0],
    ['continuation byte as a 4-byte lead', [0x83, 0xbf, 0xbf, 0xbf], 0],
    ['lead 0xF8', [0xf8, 0x90, 0x80, 0x80], 0],
    ['last surrogate', [0xed, 0xbf, 0xbf], 0],
    ['just below the surrogates', [0xed, 0x9f, 0xbf], 3],
  ])('%s: %i', (_n, b, at) => {
    expect(firstInvalidUtf8(new Uint8Array(b))).toBe(at);
  });

  it('is the length exactly for what a strict decoder accepts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (b) => {
        let ok = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(b);
        } catch {
          ok = false;
        }
        expect(firstInvalidUtf8(b) === b.length).toBe(ok);
      }),
      propertyRuns(300),
    );
  });
});
