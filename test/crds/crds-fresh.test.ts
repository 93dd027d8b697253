import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crdFiles } from '../../reconciler/api/crd-files.js';

const DIR = join(import.meta.dirname, '../../crds');
const files = crdFiles();

describe('checked-in crds/ match the generator', () => {
  it.each(files.map((f) => [f.path, f.content]))('%s is up to date', (path, content) => {
    let onDisk = '';
    try {
      onDisk = readFileSync(join(DIR, path), 'utf8');
    } catch {
      /* missing file: reported by the assertion below */
    }
    expect(onDisk === content, `crds/${path} is stale or missing: run \`npm run gen:crds\``).toBe(true);
  });

  it('has no CRD file the generator does not produce', () => {
    const extra = readdirSync(DIR).filter(
      (f) => (f.endsWith('.yaml') || /^kustomization/i.test(f)) && !files.some((g) => g.path === f),
    );
    expect(extra, 'stale files in crds/: run `npm run gen:crds`').toEqual([]);
  });
});
