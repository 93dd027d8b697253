/**
 * Value syntaxes of compose files, parsed the way docker/cli parses them:
 * Go durations (time.ParseDuration), byte sizes (go-units RAMInBytes), CPUs (opts.ParseCPUs)
 * and shell words (go-shellwords, without variable expansion).
 */

/** Go's duration units in nanoseconds, exact (int64 bounds are checked on them, validate/go-duration.ts). */
export const DURATION_UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** One `<number><unit>` component of a Go duration: the number (`1`, `1.5`, `.5`) and the unit. */
export const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** `1m30s`, `10s`, `500ms`, `1.5h` -> nanoseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (/^[+-]?0$/.test(s)) return 0; // Go reads the sign first: -0 and +0 are zero too
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of s.replace(/^[+-]/, '').matchAll(DURATION_PART)) {
    total += Number(part[1]) * Number(DURATION_UNIT_NS[part[2] as string] ?? 0n);
  }
  return Math.round(m[1] === '-' ? -total : total);
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/** `512M`, `1g`, `100k`, `1.5GiB`, 1024 -> bytes (binary units, like go-units RAMInBytes). */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  return Math.floor(n * (SIZE_UNITS[(m[2] ?? '').toLowerCase()] ?? 1));
}

/** `0.5` -> 500000000 NanoCPUs (opts.ParseCPUs). */
export function parseCPUs(value: string | number): number | undefined {
  const s = String(value).trim();
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s)) return undefined;
  const nano = Math.round(Number(s) * 1e9);
  return Number.isSafeInteger(nano) ? nano : undefined;
}

/**
 * Splits a command string into words like go-shellwords: blanks separate words,
 * single quotes are literal, double quotes honour backslash escapes, a backslash
 * outside quotes escapes the next character. Throws on an unterminated quote.
 */
export function shellSplit(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === '\\') {
      if (i + 1 < line.length) cur += line[++i];
      inWord = true;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (inWord) words.push(cur);
  return words;
}

/**
 * A YAML scalar as docker/cli's loader stringifies it (fmt.Sprint): a non-integral number is
 * printed like Go's %v for float64, i.e. `%e` when the exponent is < -4 or >= 6 (`1e-05`, `2.5e+06`).
 * Integral numbers print as integers (a `1000000.0` token cannot be told apart from `1000000` here).
 */
export function goScalarString(v: string | number | boolean): string {
  if (typeof v !== 'number' || Number.isInteger(v)) return String(v);
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const [mantissa, e] = v.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp >= -4 && exp < 6) return String(v);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?)?$/;

const pad = (n: number | string, w = 2): string => String(n).padStart(w, '0');

/**
 * An unquoted YAML timestamp as docker/cli 28 stringifies it (go-yaml v3 decodes it into a Go
 * time.Time, then fmt.Sprint): `2024-01-31` -> `2024-01-31 00:00:00 +0000 UTC`. Undefined when the
 * text is not one of go-yaml v3's timestamp forms or not a valid time (it then stays a string).
 */
export function goTimestamp(text: string): string | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, s] = [Number(m[4] ?? m[9] ?? 0), Number(m[5] ?? m[10] ?? 0), Number(m[6] ?? m[11] ?? 0)];
  const frac = (m[7] ?? m[12] ?? '').replace(/0+$/, '');
  const zone = m[8] ?? 'Z';
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    return undefined;
  const offset = zone === 'Z' ? '+0000' : zone.replace(':', '');
  const name = offset === '+0000' || offset === '-0000' ? 'UTC' : offset;
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}${frac ? `.${frac}` : ''} ${
    name === 'UTC' ? '+0000' : offset
  } ${name}`;
}
