/** YAML scalars as docker/cli 28 reads them (go-yaml v3 into interface{}); checked with `docker stack config`. */
import { describe, expect, it } from 'vitest';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { parseYaml } from '../../../reconciler/compose/parse.js';
import { memFiles } from './helpers.js';

const scalar = (text: string): unknown => (parseYaml('s.yml', `v: ${text}\n`).value as { v: unknown }).v;

describe('parseYaml: plain scalars', () => {
  it.each<[string, unknown]>([
    // floats need a digit in the mantissa; underscores between digits are dropped
    ['1.5e3', 1500],
    ['.5', 0.5],
    ['.5_0', 0.5],
    ['1_0.5', 10.5],
    ['-1.5', -1.5],
    ['1.', 1],
    ['e5', 'e5'],
    ['E3', 'E3'],
    ['-e1', '-e1'],
    ['.e5', '.e5'],
    ['.', '.'],
    ['-.', '-.'],
    ['._5', '._5'],
    // integers, octal, booleans of YAML 1.2 only
    ['1_000', 1000],
    ['0644', 0o644],
    ['0o17', 0o17],
    ['-0o17', -0o17],
    ['true', true],
    ['False', false],
    ['TRUE', true],
    ['yes', 'yes'],
    ['off', 'off'],
    ['80:80', '80:80'],
    // no base-60 numbers in go-yaml v3 (YAML 1.1 read 1:20 as 80)
    ['1:20', '1:20'],
    ['1:20.5', '1:20.5'],
    // octal with 0o: signs and underscores, nothing around it
    ['+0o17', 0o17],
    ['0o1_7', 0o17],
    ['0o17x', '0o17x'],
    ['x0o17', 'x0o17'],
    ['0x1F', 31],
    ['.inf', Infinity],
    ['-.INF', -Infinity],
    ['.nan', NaN],
    // timestamps become the text fmt.Sprint gives for Go's time.Time; anything around one is a string
    ['2001-12-14', '2001-12-14 00:00:00 +0000 UTC'],
    ['2001-12-14T21:59:43Z', '2001-12-14 21:59:43 +0000 UTC'],
    ['2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.1 -0500 -0500'],
    ['x2001-12-14', 'x2001-12-14'],
    ['2001-12-14x', '2001-12-14x'],
    ['2001-12-14X21:59', '2001-12-14X21:59'],
  ])('%s', (text, want) => expect(scalar(text)).toEqual(want));
});

describe('loadCompose: what docker stack config reads from those scalars', () => {
  it('environment values and network names that look almost like numbers', () => {
    const text =
      'services:\n  s:\n    image: a\n    networks: [e0]\n    environment: {A: e5, B: ., C: -0o17, D: .5_0, E: -e1}\n' +
      'networks:\n  e0: {}\n';
    const p = loadCompose({ file: 's.yml', text }, { env: {}, files: memFiles({}) });
    expect(p.services['s']?.environment).toEqual({ A: 'e5', B: '.', C: '-15', D: '0.5', E: '-e1' });
    expect(Object.keys(p.services['s']?.networks ?? {})).toEqual(['e0']);
  });
});

describe('parseYaml: mapping keys', () => {
  it('keys stay the text written (go-yaml decodes keys into strings)', () => {
    expect(parseYaml('s.yml', 'x: {1: a, true: b, null: c, 0o17: e, 1_000: f}\n').value).toEqual({
      x: { '1': 'a', true: 'b', null: 'c', '0o17': 'e', '1_000': 'f' },
    });
  });
  it('duplicate keys are an error with their line', () => {
    expect(() => parseYaml('s.yml', 'a: 1\nb: 2\na: 3\n')).toThrow('s.yml:3: Map keys must be unique');
  });
});

describe('parseYaml: the line of a path', () => {
  const lineOf = (text: string, ...path: (string | number)[]) => parseYaml('s.yml', text).lineOf(path);
  it.each<[string, string, (string | number)[], number]>([
    ['a key', 'a:\n  b:\n    c: 1\n', ['a', 'b', 'c'], 3],
    ['a path below a scalar falls back to it', 'a:\n  b: 1\n', ['a', 'b', 'c', 'd'], 2],
    ['an alias met first: the anchored line', 'b: &b\n  t: 1\nu: *b\n', ['u', 't'], 2],
    [
      'merge keys: a merged key is on the line it came from, the first source winning',
      'a: &a\n  image: x\n  user: u\nb: &b\n  image: y\n  hostname: h\nweb:\n  <<: [*a, *b]\n  user: v\n',
      ['web', 'image'],
      2,
    ],
    [
      'merge keys: a key of the mapping itself is on its own line',
      'a: &a\n  image: x\n  user: u\nb: &b\n  image: y\n  hostname: h\nweb:\n  <<: [*a, *b]\n  user: v\n',
      ['web', 'user'],
      9,
    ],
    [
      'merge keys: a key of the second source',
      'a: &a\n  image: x\n  user: u\nb: &b\n  image: y\n  hostname: h\nweb:\n  <<: [*a, *b]\n  user: v\n',
      ['web', 'hostname'],
      6,
    ],
    ['merge key with one alias', 'a: &a\n  image: x\nweb:\n  <<: *a\n', ['web', 'image'], 2],
    // the same alias node reached twice (inside an anchored mapping used twice) is walked once:
    // the second time its paths fall back to the alias's own line, so the walk stays linear
    [
      'a nested alias, where it is written',
      'b: &b {t: 1}\na: &a {k: *b}\nu: *a\nv: *a\n',
      ['a', 'k', 't'],
      1,
    ],
    [
      'a nested alias, used again through its anchor',
      'b: &b {t: 1}\na: &a {k: *b}\nu: *a\nv: *a\n',
      ['v', 'k', 't'],
      2,
    ],
    ['a nested alias in a list, second use', 'b: &b {t: 1}\na: &a [*b]\nu: *a\nv: *a\n', ['v', 0, 't'], 2],
  ])('%s', (_n, text, path, line) => {
    expect(lineOf(text, ...path)).toBe(line);
  });

  it('lines are kept to a depth of 65 keys; deeper paths name the deepest line kept', () => {
    const text = `${Array.from({ length: 70 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} v\n`;
    const path = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);
    expect(lineOf(text, ...path(65))).toBe(65);
    expect(lineOf(text, ...path(66))).toBe(65);
  });
});
