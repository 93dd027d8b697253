import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isSensitive,
  redactTexts,
  REDACTED,
  secretTexts,
  Sensitive,
} from '../../../reconciler/model/sensitive.js';

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

describe('secretTexts and redactTexts: a secret in program output', () => {
  it.each<[string, string[]]>([
    ['hunter22', ['hunter22']],
    ['abc', []],
    ['  pass-word \n', ['  pass-word \n', 'pass-word']],
    [
      'user: admin\npassword: xyzzy\nab\n',
      [
        'user: admin\npassword: xyzzy\nab\n',
        'user: admin\npassword: xyzzy\nab',
        'password: xyzzy',
        'user: admin',
      ],
    ],
  ])('the texts of %j, longest first', (value, texts) => expect(secretTexts(value)).toEqual(texts));

  it('law: no line of output shows a secret of at least four characters', () => {
    const word = fc
      .string({ minLength: 4, maxLength: 20 })
      .filter((v) => !/[[\]\n\r]/.test(v) && v.trim() === v);
    fc.assert(
      fc.property(fc.string(), word, fc.string(), (before, value, after) => {
        expect(redactTexts(`${before}${value}${after}`, secretTexts(value))).not.toContain(value);
      }),
    );
  });
});
