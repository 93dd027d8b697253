/**
 * The CLI reads each YAML file once: its classification, its references (the revision, the
 * compose files a stack claims) and, for a compose file, its load all compose their documents from
 * one tokenisation of the text (reconciler/source/yaml-cst.ts). Errors still name the file and line.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validate } from '../../../controllers/cli/actions/validate.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A source folder `<tmp>/app` holding `files`; each text gets a comment of its own (a text read before is kept). */
function source(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sk-load-source-'));
  dirs.push(root);
  const dir = join(root, 'app');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), `# ${randomBytes(8).toString('hex')}\n${text}`);
  }
  return dir;
}

/** `swarmkeeper validate -f path`: exit code, stdout, stderr, and how many texts the YAML parser read. */
function runValidate(path: string): { code: number; out: string; err: string; parses: number } {
  const parse = vi.spyOn(Parser.prototype, 'parse');
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const exit = { code: -1 };
  validate({ file: path }, exit);
  return { code: exit.code, out, err, parses: parse.mock.calls.length };
}

const COMPOSE = [
  'services:',
  '  web:',
  '    image: local/busybox:1',
  '    env_file: [web.env]',
  '    deploy:',
  '      replicas: 2',
  '  db:',
  '    image: local/busybox:1',
  '',
].join('\n');

describe('loadForCli: one read of each YAML file', () => {
  it.each<[string, Record<string, string>, number]>([
    ['a compose file', { 'docker-compose.yml': COMPOSE, 'web.env': 'A=1\n' }, 1],
    [
      'a compose file and a SwarmStack naming another one',
      {
        'docker-compose.yml': COMPOSE,
        'web.env': 'A=1\n',
        'other/stack.yaml': [
          'apiVersion: swarmkeeper.io/v1alpha1',
          'kind: SwarmStack',
          'metadata: {name: other}',
          'spec: {composeFile: base.yml}',
          '',
        ].join('\n'),
        'other/base.yml': 'services:\n  a:\n    image: local/busybox:1\n',
      },
      // docker-compose.yml, stack.yaml, and base.yml: a YAML file of the folder (classified, then
      // claimed by the stack, whose load reads the same text)
      3,
    ],
  ])('%s: the parser reads each YAML file once', (_name, files, yamlFiles) => {
    const r = runValidate(source(files));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.parses).toBe(yamlFiles);
  });

  it('a single compose file given by path: one read, the stack loaded', () => {
    const dir = source({ 'docker-compose.yml': COMPOSE, 'web.env': 'A=1\n' });
    const r = runValidate(join(dir, 'docker-compose.yml'));
    expect(r).toMatchObject({ code: 0, parses: 1, err: '' });
    expect(r.out).toContain('ok  SwarmStack/default/app (docker-compose.yml): 3 Swarm objects');
  });

  // (each text starts with the comment line source() adds: the lines below count it)
  it.each<[string, string, string]>([
    [
      'invalid YAML (the classification)',
      'services:\n  web:\n    image: [a\n',
      'error: docker-compose.yml:5: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (SK_ERR_YAML_SYNTAX)\n',
    ],
    [
      'a field of the wrong type (the load)',
      'services:\n  web:\n    image: local/busybox:1\n    deploy:\n      replicas: many\n',
      'error: docker-compose.yml:6: services.web.deploy.replicas: expected an integer, got "many" (SK_ERR_COMPOSE_INVALID)\n',
    ],
    [
      'a key given twice (the classification)',
      'services:\n  web:\n    image: local/busybox:1\n    image: local/busybox:2\n',
      'error: docker-compose.yml:5: invalid YAML: Map keys must be unique (SK_ERR_YAML_SYNTAX)\n',
    ],
    [
      // 1_0 is 10 in YAML 1.1 (docker's rules), a string in YAML 1.2 (the classification)
      'a key given twice under YAML 1.1 only (the load)',
      'services:\n  web:\n    image: local/busybox:1\n    environment:\n      1_0: a\n      10: b\n',
      'error: docker-compose.yml:7: Map keys must be unique (SK_ERR_YAML_SYNTAX)\n',
    ],
  ])('%s: the error names the file and line', (_name, text, want) => {
    const r = runValidate(source({ 'docker-compose.yml': text }));
    expect(r.code).toBe(1);
    expect(r.err).toBe(want);
    expect(r.parses).toBe(1);
  });
});
