import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crdFiles } from '../../reconciler/api/crd-files.js';

const DIR = join(import.meta.dirname, '../../crds');
const isCrdFile = (f: string) => f.endsWith('.yaml') || /^kustomization/i.test(f);
const onDisk = readdirSync(DIR).filter(isCrdFile).sort();

// The generator runs inside each test, not while the file is collected: code run at collection is
// not attributed to a test, and mutation testing then never sees these tests fail.
describe('checked-in crds/ match the generator', () => {
  it.each(onDisk)('%s is up to date', (path) => {
    const generated = crdFiles().find((f) => f.path === path);
    expect(generated, `crds/${path} is not generated any more: run \`npm run gen:crds\``).toBeDefined();
    expect(
      readFileSync(join(DIR, path), 'utf8') === generated?.content,
      `crds/${path} is stale: run \`npm run gen:crds\``,
    ).toBe(true);
  });

  it('the generator makes exactly the files on disk', () => {
    expect(
      crdFiles()
        .map((f) => f.path)
        .sort(),
      'crds/ is stale: run `npm run gen:crds`',
    ).toEqual(onDisk);
  });
});
