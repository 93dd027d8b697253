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
