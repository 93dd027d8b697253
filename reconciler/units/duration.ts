/**
 * Durations, one syntax everywhere: Go's time.ParseDuration (compose files, as docker/cli reads them, and every
 * duration option and setting of swarmkeeper). Pure.
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

/**
 * One `<number><unit>` component of a Go duration: the number (`1`, `1.5`, `.5`) and the unit.
 * `µs` (U+00B5) and `μs` (U+03BC) are written as escapes: one character above U+00FF in the CLI's
 * bundle makes V8 keep its whole source as two bytes per character (build/bundle-cli.ts refuses it).
 */
export const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g;

const GO_DURATION = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/;

/** `1m30s`, `10s`, `500ms`, `1.5h` -> nanoseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (/^[+-]?0$/.test(s)) return 0; // Go reads the sign first: -0 and +0 are zero too
  const m = GO_DURATION.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of s.replace(/^[+-]/, '').matchAll(DURATION_PART)) {
    total += Number(part[1]) * Number(DURATION_UNIT_NS[part[2] as string] ?? 0n);
  }
  return Math.round(m[1] === '-' ? -total : total);
}

/**
 * A duration option (`--resync 5m`, `interval=1h30m`, `500ms`) -> milliseconds. A plain integer counts as
 * seconds. Negative or malformed values throw, naming the value.
 */
export function parseDurationMs(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const ns = parseDuration(text);
  if (ns === undefined || ns < 0 || text.trim() !== text)
    throw new Error(`invalid duration "${text}" (use e.g. 90s, 5m, 1h)`);
  return ns / 1e6;
}
