import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isSensitive, REDACTED, Sensitive } from '../../../reconciler/model/sensitive.js';

describe('Sensitive', () => {
  const s = new Sensitive('hunter2');

  it('hands the value out only through reveal', () => {
    expect(s.reveal()).toBe('hunter2');
    expect(JSON.stringify({ s })).toBe(`{"s":"${REDACTED}"}`);
    expect(String(s)).toBe('[redacted]');
    expect(`${s}`).toBe('[redacted]');
    expect(inspect({ s })).not.toContain('hunter2');
    expect(inspect(s)).toBe('[redacted]');
  });

  it.each<[unknown, boolean]>([
    [s, true],
    ['hunter2', false],
    [{ reveal: (): string => 'x' }, false],
    [undefined, false],
  ])('isSensitive(%s) is %s', (v, want) => {
    expect(isSensitive(v)).toBe(want);
  });
});
