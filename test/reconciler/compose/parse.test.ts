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
