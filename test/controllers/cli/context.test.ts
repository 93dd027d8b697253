import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../../controllers/cli/context.js';

describe('parseDurationMs', () => {
  it.each([
    ['5m', 300_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['30', 30_000],
  ])('%s -> %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));
  it.each(['', 'five', '5x', '5m junk'])('rejects %j', (text) =>
    expect(() => parseDurationMs(text)).toThrow(`invalid duration "${text}" (use e.g. 90s, 5m, 1h)`),
  );
});
