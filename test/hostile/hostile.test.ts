// The hostile-input corpus, in process: every case of every test/hostile/cases/*.ts file is written
// as a `bad/` stack beside a valid `good/` one; `validate` and `plan` (the loader, the desired state
// and the planner against an in-memory Swarm) must report exactly the expected error for `bad`,
// and plan `good` normally.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GOOD_FILES, expectedMessage, loadCorpus, matches, writeFiles } from './materialize.js';
import { runRoot } from './run-case.js';

const all = await loadCorpus();
const corpus = await loadCorpus({ files: true });
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe('hostile corpus', () => {
  it('is large enough and its names are unique', () => {
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(120);
    expect(corpus.length).toBeGreaterThanOrEqual(60);
  });

  it.each(corpus.filter((c) => !c.skip?.includes('validate')).map((c) => [c.name, c] as const))(
    '%s',
    (_name, c) => {
      const root = mkdtempSync(join(tmpdir(), 'sk-hostile-'));
      roots.push(root);
      writeFiles(root, 'good', GOOD_FILES);
      writeFiles(root, 'bad', c.files);
      const outcome = runRoot(root, c.env ?? {});
      const good = outcome.get('good');
      expect(good?.errors.map((e) => e.message)).toEqual([]);
      expect(good?.plans.flatMap((p) => p.actions.map((a) => `${a.op} ${a.kind}`)).sort()).toEqual([
        'create config',
        'create network',
        'create service',
      ]);
      const bad = outcome.get('bad') ?? { errors: [], plans: [], keys: [] };
      if ('code' in c.expect) {
        const first = bad.errors[0];
        expect(first, 'the bad stack must fail').toBeDefined();
        expect({ code: first?.code, message: first?.message }).toEqual({
          code: c.expect.code,
          message: expect.toSatisfy((m: string) => matches(m, expectedMessage(c, 'bad')!)),
        });
        expect(bad.plans).toEqual([]);
      } else {
        expect(bad.errors.map((e) => e.message)).toEqual([]);
        expect(bad.plans.length).toBeGreaterThan(0);
      }
    },
  );
});
