import { describe, expect, it } from 'vitest';
import { rawComposeRefs, resolveRefs } from '../../../reconciler/desired/compose-refs.js';

describe('rawComposeRefs: the paths a compose file names, as written', () => {
  it.each<[string, string, { compose: string[]; data: string[] }]>([
    [
      'every kind of reference',
      [
        'include: [a.yml, {path: b.yml}, {path: [c.yml, d.yml]}, 5]',
        'services:',
        '  s:',
        '    env_file: [e.env, {path: f.env, required: false}]',
        '    extends: {file: g.yml, service: x}',
        '  t:',
        '    env_file: h.env',
        '    extends: s',
        '  u: 5',
        'configs: {c: {file: ./c.conf}, x: {external: true}}',
        'secrets: {s: {file: s.txt}, e: {environment: TOKEN}}',
      ].join('\n'),
      {
        compose: ['a.yml', 'b.yml', 'c.yml', 'd.yml', 'g.yml'],
        data: ['e.env', 'f.env', 'h.env', './c.conf', 's.txt'],
      },
    ],
    [
      'variables and absolute paths are left out',
      'include: ["${X}.yml", /etc/a.yml]\nservices: {s: {env_file: ["$E", /etc/passwd, ok.env]}}\n',
      { compose: [], data: ['ok.env'] },
    ],
    ['include that is not a list', 'include: a.yml\n', { compose: [], data: [] }],
    ['not YAML', 'include: [a.yml\n', { compose: [], data: [] }],
    ['not a mapping', '- a\n', { compose: [], data: [] }],
    [
      'an alias bomb is refused by the parser',
      `a: &a [x]\n${Array.from({ length: 120 }, (_, i) => `b${i}: *a`).join('\n')}\n`,
      { compose: [], data: [] },
    ],
  ])('%s', (_n, text, want) => {
    expect(rawComposeRefs(text)).toEqual(want);
  });

  it('resolveRefs: against each folder, normalised, each once', () => {
    expect(resolveRefs(['./a.env', '../b.env', 'a.env'], ['x/y', 'x/y', 'z'])).toEqual([
      'x/y/a.env',
      'x/b.env',
      'z/a.env',
      'b.env',
    ]);
  });
});
