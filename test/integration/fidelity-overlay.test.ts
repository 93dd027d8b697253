/**
 * FIDELITY of several compose files: every case under test/integration/fidelity/overlays/<case>/
 * (base.yml, prod.yml) is deployed with `docker stack deploy -c base.yml -c prod.yml` (stack A) and
 * with `swarmkeeper apply -f stack.yaml`, a SwarmStack beside the files naming
 * `composeFiles: [base.yml, prod.yml]` (stack B); the read-back objects must be equal once stack
 * names, ownership labels, IDs and content-hash suffixes are normalised away (as fidelity.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run, STACK_CLI, swarmkeeper } from './fidelity/support/cli.js';
import { compareStacks } from './fidelity/support/compare.js';
import { removeStacks, snapshot } from './fidelity/support/stack.js';

const CORPUS = fileURLToPath(new URL('./fidelity/overlays/', import.meta.url));
const RUN = randomBytes(2).toString('hex');
const INSTANCE = `fidelity-ov-${RUN}`;
const TMP = mkdtempSync(join(tmpdir(), 'sk-fidelity-ov-'));
const FILES = ['base.yml', 'prod.yml'];

const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe('docker stack deploy -c base -c prod and a SwarmStack with composeFiles create the same objects', () => {
  it('has a corpus', () => {
    expect(cases.length).toBeGreaterThanOrEqual(1);
  });

  it.each(cases)('%s', async (name) => {
    if (!process.env.DOCKER_HOST)
      throw new Error('DOCKER_HOST is not set (the integration globalSetup sets it)');
    const dir = join(CORPUS, name);
    const a = `od${RUN}-${name}`;
    const b = `os${RUN}-${name}`;
    try {
      const args = [
        'stack',
        'deploy',
        '--resolve-image',
        'never',
        ...FILES.flatMap((f) => ['-c', join(dir, f)]),
        a,
      ];
      const env = {
        PATH: process.env.PATH ?? '',
        DOCKER_HOST: process.env.DOCKER_HOST,
        HOME: process.env.HOME ?? '/root',
      };
      const ra = await run(STACK_CLI, args, { env });
      if (ra.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${ra.code}): ${ra.stderr.trim()}`);
      const da = await snapshot(a, dir);
      await removeStacks([a]); // the cases publish host ports: one stack at a time

      const copy = join(TMP, b);
      cpSync(dir, copy, { recursive: true });
      writeFileSync(
        join(copy, 'stack.yaml'),
        `apiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmStack\nmetadata:\n  name: ${b}\nspec:\n  composeFiles: [${FILES.join(', ')}]\n`,
      );
      const rb = await swarmkeeper(INSTANCE, ['apply', '-f', join(copy, 'stack.yaml')]);
      if (rb.code !== 0) throw new Error(`swarmkeeper apply exited ${rb.code}:\n${rb.stdout}\n${rb.stderr}`);
      const sb = await snapshot(b, copy);

      expect(da.services.size, 'docker created no service').toBeGreaterThan(0);
      const diffs = compareStacks(da, sb, new Set());
      expect(diffs.join('\n'), `${name}: docker stack deploy -c … -c … vs swarmkeeper apply`).toBe('');
    } finally {
      await removeStacks([a, b]);
    }
  });
});
