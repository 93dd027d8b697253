import { describe, expect, it } from 'vitest';
import { folderOf, formatScores, scoresByFolder } from './scores.js';

describe('mutation scores per folder', () => {
  it.each([
    ['reconciler/plan/diff.ts', 'reconciler/plan/'],
    ['reconciler/errors.ts', 'reconciler/'],
    ['machines/node-plan.ts', 'machines/'],
    ['controllers/runtime/queue/key-lock.ts', 'controllers/runtime/queue/'],
    ['controllers/stack/reconcile-resource.ts', 'controllers/stack/'],
  ])('%s counts in %s', (path, folder) => expect(folderOf(path)).toBe(folder));

  it('counts killed and timed-out mutants over all that ran or had no coverage', () => {
    const m = (status: string) => ({ status });
    const scores = scoresByFolder({
      files: {
        'machines/a.ts': {
          mutants: [m('Killed'), m('Timeout'), m('Survived'), m('NoCoverage'), m('CompileError')],
        },
        'machines/b.ts': { mutants: [] },
      },
    });
    expect(scores).toEqual([{ folder: 'machines/', killed: 2, survived: 1, noCoverage: 1, score: 50 }]);
    expect(formatScores(scores)).toContain('| `machines/` | 50.0% | 2 | 1 | 1 |');
  });
});
