import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// reconciler/ holds the model, the translation and the planner: no I/O modules may be imported.
const FORBIDDEN =
  /^(dockerode|@kubernetes\/client-node|bullmq|ioredis|(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|tls))$/;
const ROOT = join(import.meta.dirname, '../../reconciler');

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

describe('reconciler/ is pure', () => {
  const files = tsFiles(ROOT);
  it('has source files', () => expect(files.length).toBeGreaterThan(3));
  it.each(files.map((f) => [relative(ROOT, f), f]))('%s imports no I/O module', (_rel, file) => {
    const bad = importsOf(readFileSync(file, 'utf8')).filter(
      (m) => FORBIDDEN.test(m) || m.includes('/controllers/'),
    );
    expect(bad).toEqual([]);
  });
  it('detects a forbidden import', () => {
    expect(importsOf("import Docker from 'dockerode';\nimport { x } from './y.js';")).toEqual([
      'dockerode',
      './y.js',
    ]);
    expect(FORBIDDEN.test('node:fs')).toBe(true);
  });
});
