import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DirSource } from '../../../controllers/sources/dir-source.js';
import type { SourceSnapshot } from '../../../controllers/ports.js';

// A real directory and real filesystem events.
let dir: string | undefined;
let source: DirSource | undefined;
afterEach(async () => {
  await source?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('DirSource', () => {
  it('emits a snapshot at start and a debounced one after changes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sk-dirsrc-'));
    mkdirSync(join(dir, 'web'));
    writeFileSync(join(dir, 'web', 'docker-compose.yml'), 'services:\n  a:\n    image: x\n');
    const snaps: SourceSnapshot[] = [];
    source = new DirSource(dir, { debounceMs: 50, name: 'dir:test' });
    await source.start((s) => snaps.push(s));
    expect(snaps).toHaveLength(1);
    expect(snaps[0]!.resources.map((r) => r.key)).toEqual(['SwarmStack/default/web']);
    const first = snaps[0]!.revision;

    mkdirSync(join(dir, 'api'));
    writeFileSync(join(dir, 'api', 'docker-compose.yml'), 'services:\n  b:\n    image: y\n');
    writeFileSync(join(dir, 'web', 'docker-compose.yml'), 'services:\n  a:\n    image: z\n');
    await vi.waitFor(
      () =>
        expect(snaps.at(-1)!.resources.map((r) => r.key)).toEqual([
          'SwarmStack/default/api',
          'SwarmStack/default/web',
        ]),
      {
        timeout: 5000,
        interval: 20,
      },
    );
    expect(snaps.at(-1)!.revision).not.toBe(first);
    // several writes in a burst produce fewer snapshots than writes (debounced)
    expect(snaps.length).toBeLessThanOrEqual(3);
  });

  it('reports files that fail to parse, so their resources are kept', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sk-dirsrc-'));
    writeFileSync(join(dir, 'bad.yaml'), 'services: [\n');
    const snaps: SourceSnapshot[] = [];
    source = new DirSource(dir, { debounceMs: 50 });
    await source.start((s) => snaps.push(s));
    expect(snaps[0]!.failedFiles).toEqual(['bad.yaml']);
    expect(snaps[0]!.errors[0]!.code).toBe('SK_ERR_YAML_SYNTAX');
  });
});
