/**
 * Byte sizes, one rule everywhere: binary units, as docker's go-units RAMInBytes reads them (`k` = 1024,
 * `M` = `MB` = `MiB` = 2^20, ...), for compose sizes, --max-file-size and the migration bandwidth alike; shown
 * as KiB/MiB/GiB. Pure.
 */

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/** `512M`, `1g`, `100k`, `1.5GiB`, `64mb`, 1024 -> bytes; undefined when malformed. */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  return Math.floor(n * (SIZE_UNITS[(m[2] ?? '').toLowerCase()] ?? 1));
}

/** A size option (`4194304`, `512k`, `8MiB`, `1g`): a positive safe integer of bytes, else undefined. */
export function parseSizeOption(text: string): number | undefined {
  const n = parseByteSize(text);
  return n !== undefined && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** A rate (`20MB`, `512k/s`, `1.5Gi`): bytes per second, more than 0; throws naming `what` otherwise. */
export function parseByteRate(text: string, what: string): number {
  const n = parseByteSize(text.trim().replace(/\/s$/, ''));
  if (n === undefined) throw new Error(`${what}=${text}: expected bytes per second, e.g. 20MB or 512k`);
  if (n <= 0) throw new Error(`${what}=${text}: must be more than 0`);
  return n;
}

const SHOWN = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `100 bytes`, `512 KiB`, `12.5 MiB`, `4 GiB`: binary units, at most one decimal. */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  // 1023.96 KiB shows as 1 MiB, not as 1024 KiB.
  while (Math.round(v * 10) / 10 >= 1024 && u < SHOWN.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : Math.round(v * 10) / 10} ${SHOWN[u]}`;
}
