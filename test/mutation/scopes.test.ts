import { describe, expect, it } from 'vitest';
import { minimatch } from 'minimatch';
import { SCOPES, incrementalFile, pickScopes } from './scopes.js';

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
    ['reconciler/compose/ports.ts', 'compose'],
    ['reconciler/errors.ts', 'core'],
    ['reconciler/units/size.ts', 'core'],
    ['reconciler/api/kinds.ts', 'core'],
  ])('%s is mutated by exactly the %s scope', (file, scope) => {
    const owners = SCOPES.filter((s) => s.mutate.some((g) => minimatch(file, g))).map((s) => s.name);
    expect(owners).toEqual([scope]);
  });
});
