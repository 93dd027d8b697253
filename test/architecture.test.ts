/**
 * The house rules, checked on the tree (the lint rules in eslint.config.js say the same to an editor):
 *  - reconciler/ and machines/ are pure: no I/O module, nothing from controllers/;
 *  - adapters (docker, kube, sources, observability, redis) import neither the runtime nor the CLI;
 *  - no production file is over 350 lines;
 *  - there is no import cycle (madge).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..');
const FORBIDDEN =
  /^(dockerode|@kubernetes\/client-node|bullmq|ioredis|(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|tls))$/;
const ADAPTERS = ['docker', 'kube', 'sources', 'observability', 'redis'];
const MAX_LINES = 350;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(source: string): string[] {
  const re = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...source.matchAll(re)].map((m) => m[1] ?? m[2] ?? '');
}

const production = ['reconciler', 'machines', 'controllers'].flatMap((d) => tsFiles(join(REPO, d)));
const rel = (f: string) => relative(REPO, f);

describe.each(['reconciler', 'machines'])('%s/ is pure', (dir) => {
  const files = tsFiles(join(REPO, dir));
  it('has source files', () => expect(files.length).toBeGreaterThan(3));
  it.each(files.map((f) => [rel(f), f]))(
    '%s imports no I/O module and nothing of controllers/',
    (_r, file) => {
      const bad = importsOf(readFileSync(file, 'utf8')).filter(
        (m) => FORBIDDEN.test(m) || m.includes('/controllers/'),
      );
      expect(bad).toEqual([]);
    },
  );
});

describe('layering', () => {
  const adapters = ADAPTERS.flatMap((d) => tsFiles(join(REPO, 'controllers', d)));
  it.each(adapters.map((f) => [rel(f), f]))('%s imports neither the runtime nor the CLI', (_r, file) => {
    const bad = importsOf(readFileSync(file, 'utf8')).filter((m) => /(^|\/)\.\.\/(runtime|cli)\//.test(m));
    expect(bad).toEqual([]);
  });

  it('detects forbidden imports', () => {
    expect(importsOf("import Docker from 'dockerode';\nimport { x } from './y.js';")).toEqual([
      'dockerode',
      './y.js',
    ]);
    expect(FORBIDDEN.test('node:fs')).toBe(true);
  });
});

describe('small pieces', () => {
  it(`no production file is over ${MAX_LINES} lines`, () => {
    const long = production
      .map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length - 1] as const)
      .filter(([, n]) => n > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('there is no import cycle', async () => {
    const graph = await madge(
      ['reconciler', 'machines', 'controllers'].map((d) => join(REPO, d)),
      {
        fileExtensions: ['ts'],
        tsConfig: join(REPO, 'tsconfig.json'),
      },
    );
    expect(graph.circular()).toEqual([]);
  }, 60_000);
});
