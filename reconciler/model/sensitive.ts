/**
 * A value that must never appear in logs, status, events or errors.
 * JSON, string conversion and util.inspect all print a redaction marker;
 * only `reveal()` hands out the value, and only adapters that send it to Docker call it.
 */
export const REDACTED = '[redacted]';

export class Sensitive<T = string> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toJSON(): string {
    return REDACTED;
  }
  toString(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

export function isSensitive(v: unknown): v is Sensitive<unknown> {
  return v instanceof Sensitive;
}

/** Shorter texts are not hidden: they would mask ordinary words (Problems.redact uses the same bound). */
const MIN_REDACTED = 4;

/**
 * The texts a secret value may show up as in a program's output: the whole value and each of its
 * lines, trimmed, of at least four characters; longest first, so a line inside the value is
 * replaced after the value itself.
 */
export function secretTexts(value: string): string[] {
  const all = [value, value.trim(), ...value.split(/\r?\n/).map((l) => l.trim())];
  return [...new Set(all.filter((t) => t.length >= MIN_REDACTED))].sort((a, b) => b.length - a.length);
}

/** `text` with each of `texts` (secretTexts) replaced by the redaction marker. */
export function redactTexts(text: string, texts: readonly string[]): string {
  let out = text;
  for (const t of texts) out = out.split(t).join(REDACTED);
  return out;
}
