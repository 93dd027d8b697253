import { afterEach, describe, expect, it, vi } from 'vitest';
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
    ['two documents', 'include: [a.yml]\n---\ninclude: [b.yml]\n', { compose: [], data: [] }],
    [
      "compose's merge tags",
      'services:\n  s:\n    env_file: !override [a.env]\n    ports: !reset []\n',
      { compose: [], data: ['a.env'] },
    ],
    [
      'an alias bomb is refused by the parser',
      `a: &a [x]\n${Array.from({ length: 120 }, (_, i) => `b${i}: *a`).join('\n')}\n`,
      { compose: [], data: [] },
    ],
  ])('%s', (_n, text, want) => {
    expect(rawComposeRefs(text)).toEqual(want);
  });

  afterEach(() => vi.restoreAllMocks());

  // The compose spec's !reset and !override are tags the YAML 1.2 schema does not know: the yaml
  // package's parse() used to report each as a process warning on stderr (twice per apply).
  it('a tag the schema does not know is no process warning', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    rawComposeRefs('services:\n  s:\n    image: x\n    ports: !reset []\n');
    expect(warn).not.toHaveBeenCalled();
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
