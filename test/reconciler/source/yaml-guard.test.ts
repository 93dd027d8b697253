import { afterEach, describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import {
  YAML_BOUNDS,
  checkDocument,
  checkTextBounds,
  setYamlBounds,
} from '../../../reconciler/source/yaml-guard.js';

const DEFAULTS = { ...YAML_BOUNDS };
afterEach(() => setYamlBounds(DEFAULTS));

/** checkDocument on a parsed document: undefined when it passes, else the error's code and message. */
function check(text: string): { code: string; message: string } | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true });
  try {
    checkDocument('f.yml', doc, lineCounter);
    return undefined;
  } catch (e) {
    const { code, message } = e as { code: string; message: string };
    return { code, message };
  }
}

const MERGE = 'f.yml:3: x.<<: a merge key (<<) takes a mapping, an alias of one, or a list of them';

describe('checkDocument', () => {
  it.each([
    ['a list of aliases of mappings', 'm1: &m1 {a: 1}\nm2: &m2 {b: 2}\nx:\n  <<: [*m1, *m2]\n'],
    ['a list with an inline mapping', 'm1: &m1 {a: 1}\nx:\n  <<: [*m1, {b: 2}]\n'],
    ['a complex key within the bounds', '? [a, b, c]\n: 1\n'],
  ])('accepts %s', (_n, text) => {
    expect(check(text)).toBeUndefined();
  });

  it.each([
    [
      'an undefined alias',
      'a: 1\nb: *nope\n',
      'YAML_SYNTAX',
      'f.yml:2: b: undefined alias "*nope" (no anchor &nope before it)',
    ],
    [
      'a recursive alias',
      'a: &a\n  - x\n  - *a\n',
      'YAML_SYNTAX',
      'f.yml:3: a[1]: alias "*a" refers to a node that contains it (a recursive document)',
    ],
    ['a merge list with a scalar', 'm1: &m1 {a: 1}\nx:\n  <<: [*m1, 5]\n', 'YAML_SYNTAX', MERGE],
    ['a merge list with an alias of a scalar', 's: &s 5\nx:\n  <<: [*s]\n', 'YAML_SYNTAX', MERGE],
    // an undefined alias in a merge key is reported as what it is, not as a bad merge value
    [
      'a merge list with an undefined alias',
      'x:\n  <<: [*nope]\n',
      'YAML_SYNTAX',
      'f.yml:2: x.<<[0]: undefined alias "*nope" (no anchor &nope before it)',
    ],
    [
      'a merge key with an undefined alias',
      'x:\n  <<: *nope\n',
      'YAML_SYNTAX',
      'f.yml:2: x.<<: undefined alias "*nope" (no anchor &nope before it)',
    ],
  ])('refuses %s', (_n, text, code, message) => {
    expect(check(text)).toEqual({ code: `SK_ERR_${code}`, message });
  });

  it('counts the nodes an alias expands to, and names the collection that goes over', () => {
    setYamlBounds({ maxNodes: 9 });
    expect(check('a: &a [1, 2, 3]\nb: *a\n')).toBeUndefined();
    expect(check('a: &a [1, 2, 3]\nb: [*a, *a]\n')).toEqual({
      code: 'SK_ERR_YAML_LIMIT',
      message: 'f.yml:1: more than 9 nodes once aliases are expanded (an alias bomb?)',
    });
    setYamlBounds({ maxNodes: 4 });
    expect(check('x: 0\na: &a [1, 2, 3, 4]\nb: {c: *a}\n')).toEqual({
      code: 'SK_ERR_YAML_LIMIT',
      message: 'f.yml:2: more than 4 nodes once aliases are expanded (an alias bomb?)',
    });
  });

  it('counts the nodes of a complex key', () => {
    setYamlBounds({ maxNodes: 6 });
    expect(check('? [a, b, c, d, e, f]\n: 1\n')).toEqual({
      code: 'SK_ERR_YAML_LIMIT',
      message: 'f.yml:1: more than 6 nodes once aliases are expanded (an alias bomb?)',
    });
  });

  it('measures the depth of an alias where it is used', () => {
    setYamlBounds({ maxDepth: 2 });
    expect(check('x: &x {y: 1}\n')).toBeUndefined();
    expect(check('x: &x {y: 1}\na:\n  b: *x\n')).toEqual({
      code: 'SK_ERR_YAML_LIMIT',
      message: 'f.yml:1: nested more than 2 levels deep once aliases are expanded',
    });
  });
});

describe('checkTextBounds', () => {
  it('refuses a text longer than the bound, naming both sizes', () => {
    setYamlBounds({ maxChars: 10 });
    expect(() => checkTextBounds('f.yml', 'a: 1234567\n')).toThrow(
      expect.objectContaining({
        code: 'SK_ERR_YAML_LIMIT',
        message: 'f.yml: 11 characters, more than the 10 a YAML file may have',
      }),
    );
    expect(() => checkTextBounds('f.yml', 'a: 123456\n')).not.toThrow();
  });

  it('refuses nesting deeper than the bound at the line where it goes over', () => {
    setYamlBounds({ maxDepth: 3 });
    expect(() => checkTextBounds('f.yml', 'a:\n  b: [1]\n')).not.toThrow();
    expect(() => checkTextBounds('f.yml', 'a:\n  b:\n    c: [1]\n')).toThrow(
      expect.objectContaining({
        code: 'SK_ERR_YAML_LIMIT',
        message: 'f.yml:3: nested more than 3 levels deep',
      }),
    );
  });

  it('the bounds raised process-wide apply to later checks', () => {
    setYamlBounds({ maxChars: 5 });
    expect(YAML_BOUNDS.maxChars).toBe(5);
    expect(() => checkTextBounds('f.yml', 'a: 12\n')).toThrow(/6 characters, more than the 5/);
  });
});
