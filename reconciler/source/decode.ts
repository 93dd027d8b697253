import { skError } from '../errors.js';

/**
 * Decodes the bytes of a source file as docker/cli's YAML reader (go-yaml) does: UTF-8, with or
 * without a byte order mark, or UTF-16 (LE/BE) when it starts with its byte order mark. Anything
 * else is a precise error naming the file and the line, never U+FFFD in a service.
 */
export function decodeText(file: string, bytes: Uint8Array): string {
  const b = bytes;
  if (
    b.length >= 4 &&
    ((b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) ||
      (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff))
  )
    throw skError('ENCODING', `${file}: UTF-32 is not supported; save the file as UTF-8`);
  if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) {
    const le = b[0] === 0xff;
    try {
      return new TextDecoder(le ? 'utf-16le' : 'utf-16be', { fatal: true, ignoreBOM: false }).decode(b);
    } catch {
      throw skError(
        'ENCODING',
        `${file}: not valid UTF-16${le ? 'LE' : 'BE'} (it starts with a UTF-16 byte order mark)`,
      );
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(b);
  } catch {
    const at = firstInvalidUtf8(b);
    let line = 1;
    let col = 1;
    for (let i = 0; i < at; i++) {
      if (b[i] === 0x0a) {
        line++;
        col = 1;
      } else if ((b[i]! & 0xc0) !== 0x80) col++;
    }
    const byte = b[at]?.toString(16).toUpperCase().padStart(2, '0') ?? 'EOF';
    throw skError(
      'ENCODING',
      `${file}:${line}: not valid UTF-8 (byte 0x${byte} at column ${col}); save the file as UTF-8`,
    );
  }
}

/** Offset of the first byte that does not start (or continue) a valid UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    let min = 0;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    if (i + n >= b.length) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}
