/**
 * Go's time.Duration is an int64 of nanoseconds: time.ParseDuration refuses anything beyond
 * ±(2^63-1) ns (about 292 years) with `time: invalid duration`. JavaScript numbers cannot hold
 * that bound exactly, so the overflow is checked on the text, with BigInt.
 */
import { DURATION_PART, DURATION_UNIT_NS } from '../units/duration.js';

export const GO_DURATION_MAX_NS = (1n << 63n) - 1n;
export const GO_DURATION_MAX_TEXT = '2562047h47m16.854775807s';
export const GO_DURATION_RULE = `Go's time.ParseDuration keeps int64 nanoseconds (at most ${GO_DURATION_MAX_TEXT}) and fails with "time: invalid duration" beyond`;

/** True when a well-formed Go duration string is outside int64 nanoseconds. */
export function goDurationOverflows(text: string): boolean {
  const s = text.trim();
  const negative = s.startsWith('-');
  let total = 0n;
  for (const m of s.replace(/^[+-]/, '').matchAll(DURATION_PART)) {
    const unit = DURATION_UNIT_NS[m[2] as string] ?? 1n;
    const [int = '', frac = ''] = (m[1] as string).split('.');
    const whole = BigInt(int || '0');
    const fracNs = frac === '' ? 0n : (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    total += whole * unit + fracNs;
  }
  return negative ? total > GO_DURATION_MAX_NS + 1n : total > GO_DURATION_MAX_NS;
}
