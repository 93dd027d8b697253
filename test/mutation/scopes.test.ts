import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCOPES, incrementalFile, pickScopes, scopeMutates } from './scopes.js';

const KINDS = ['stack', 'node', 'plugin', 'volume', 'volume-migration', 'network'];
const ROOTS = [
  'reconciler',
  'machines',
  'controllers/runtime/queue',
  ...KINDS.map((k) => `controllers/${k}`),
];
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

describe('mutation scopes', () => {
  it('all scopes when none is named; the named ones otherwise; unknown names reported', () => {
    expect(pickScopes([]).scopes.map((s) => s.name)).toEqual(SCOPES.map((s) => s.name));
    expect(pickScopes(['plan', 'queue']).scopes.map((s) => s.name)).toEqual(['queue', 'plan']);
    expect(pickScopes(['plan', 'nope'])).toMatchObject({ unknown: ['nope'] });
  });

  it('each scope keeps its own incremental file', () => {
    const files = SCOPES.map(incrementalFile);
    expect(new Set(files).size).toBe(SCOPES.length);
  });

  it.each([
    ['controllers/runtime/queue/key-lock.ts', 'queue'],
    ['machines/node-plan.ts', 'machines'],
    ['reconciler/plan/diff.ts', 'plan'],
    ['reconciler/compose/ports.ts', 'compose-swarm'],
    ['reconciler/compose/to-swarm-service.ts', 'compose-swarm'],
    ['reconciler/compose/load.ts', 'compose-load'],
    ['reconciler/compose/schema-top.ts', 'compose-load'],
    ['reconciler/errors.ts', 'core'],
    ['reconciler/units/size.ts', 'core'],
    ['reconciler/api/kinds.ts', 'api'],
    ['controllers/stack/reconcile-resource.ts', 'kind-stack'],
    ['controllers/volume-migration/migration-run.ts', 'kind-volume'],
    ['controllers/network/network-kind.ts', 'kind-volume'],
  ])('%s is mutated by exactly the %s scope', (file, scope) => {
    const owners = SCOPES.filter((s) => scopeMutates(s, file)).map((s) => s.name);
    expect(owners).toEqual([scope]);
  });

  it('every source file of the pure core, the machines, the queue and the kinds has exactly one scope', () => {
    const files = ROOTS.flatMap(sources);
    expect(files.length).toBeGreaterThan(100);
    const wrong = files.filter((f) => SCOPES.filter((s) => scopeMutates(s, f)).length !== 1);
    expect(wrong).toEqual([]);
  });

  it('no glob has a comma or a brace (run.ts joins them with commas for --mutate)', () => {
    expect(SCOPES.flatMap((s) => s.mutate).filter((g) => /[,{}]/.test(g))).toEqual([]);
  });

  it('a ! glob takes its files out of a scope', () => {
    const scope = { name: 'x', mutate: ['a/*.ts', '!a/b*.ts'] };
    expect(['a/a.ts', 'a/b.ts', 'a/bc.ts', 'c/a.ts'].filter((f) => scopeMutates(scope, f))).toEqual([
      'a/a.ts',
    ]);
  });
});
