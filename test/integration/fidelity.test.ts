/**
 * FIDELITY: every compose file under test/integration/fidelity/<case>/ is deployed twice, with
 * `docker stack deploy` (stack A) and with `swarmkeeper apply -f` (stack B, from a copy of the case folder
 * named B), and the read-back ServiceSpecs, networks, configs and secrets must be equal once stack
 * names, ownership labels, object IDs and content-hash suffixes are normalised away.
 * A compose file with the comment `# fidelity: exclusive` (fixed subnets, host ports) deploys A and B
 * one after the other instead of side by side. Objects a file declares `external: true` are created
 * first (support/externals.ts), as an operator would. `stack deploy` runs with CLI 28 (support/cli.ts).
 * Both deploy with `--resolve-image never` (the corpus names registries the lab cannot reach); pinning
 * to digests is compared against the lab registry in image-pinning.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackDeploy, swarmkeeper } from './fidelity/support/cli.js';
import { compareStacks, userIpamNetworks } from './fidelity/support/compare.js';
import {
  ensureExternals,
  externalsOf,
  removeExternals,
  type ExternalObject,
} from './fidelity/support/externals.js';
import { deepDiff, formatDiff } from './fidelity/support/normalise.js';
import { removeStacks, snapshot, type StackSnapshot } from './fidelity/support/stack.js';

const CORPUS = fileURLToPath(new URL('./fidelity/', import.meta.url));
const RUN = randomBytes(2).toString('hex');
const INSTANCE = `fidelity-${RUN}`;
const TMP = mkdtempSync(join(tmpdir(), 'sk-fidelity-'));

const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(CORPUS, e.name, 'docker-compose.yml')))
  .map((e) => e.name)
  .sort();

async function deployWithDocker(dir: string, ns: string): Promise<StackSnapshot> {
  await stackDeploy(join(dir, 'docker-compose.yml'), ns);
  return snapshot(ns, dir);
}

async function deployWithSwarmkeeper(dir: string, ns: string): Promise<StackSnapshot> {
  const copy = join(TMP, ns);
  cpSync(dir, copy, { recursive: true });
  // like for like: stack A is deployed with --resolve-image never (stackDeploy)
  const r = await swarmkeeper(INSTANCE, [
    'apply',
    '--resolve-image',
    'never',
    '-f',
    join(copy, 'docker-compose.yml'),
  ]);
  if (r.code !== 0) throw new Error(`swarmkeeper apply exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return snapshot(ns, copy);
}

let externals: ExternalObject[] = [];

beforeAll(async () => {
  // globalSetup (or the developer) provides the swarm; never fall back to the local daemon.
  if (!process.env.DOCKER_HOST)
    throw new Error('DOCKER_HOST is not set (the integration globalSetup sets it)');
  externals = await ensureExternals(
    cases.flatMap((c) => externalsOf(readFileSync(join(CORPUS, c, 'docker-compose.yml'), 'utf8'))),
  );
});

afterAll(async () => {
  await removeExternals(externals);
  rmSync(TMP, { recursive: true, force: true });
});

describe('docker stack deploy and swarmkeeper apply create the same Swarm objects', () => {
  it('has a corpus of at least 43 compose files', () => {
    expect(cases.length).toBeGreaterThanOrEqual(43);
  });

  it('reports a difference with its path and both values', () => {
    const d = { TaskTemplate: { ContainerSpec: { Env: ['A=1'], User: 'x' } } };
    const s = { TaskTemplate: { ContainerSpec: { Env: ['A=2'] } } };
    expect(formatDiff('service web', deepDiff(d, s))).toBe(
      'service web TaskTemplate.ContainerSpec.Env[0]: docker "A=1" vs swarmkeeper "A=2"\n' +
        'service web TaskTemplate.ContainerSpec.User: docker "x" vs swarmkeeper undefined',
    );
  });

  it.each(cases)('%s', async (name) => {
    const dir = join(CORPUS, name);
    const text = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
    const a = `fd${RUN}-${name}`;
    const b = `fs${RUN}-${name}`;
    try {
      let da: StackSnapshot;
      let sb: StackSnapshot;
      if (/^# fidelity: exclusive$/m.test(text)) {
        da = await deployWithDocker(dir, a);
        await removeStacks([a]);
        sb = await deployWithSwarmkeeper(dir, b);
      } else {
        // allSettled: both deployers finish before the cleanup in `finally`, even when one fails.
        const [ra, rb] = await Promise.allSettled([deployWithDocker(dir, a), deployWithSwarmkeeper(dir, b)]);
        if (ra.status === 'rejected') throw ra.reason;
        if (rb.status === 'rejected') throw rb.reason;
        [da, sb] = [ra.value, rb.value];
      }
      expect(da.services.size, 'docker created no service').toBeGreaterThan(0);
      const diffs = compareStacks(da, sb, userIpamNetworks(text));
      expect(diffs.join('\n'), `${name}: docker stack deploy vs swarmkeeper apply`).toBe('');
    } finally {
      await removeStacks([a, b]);
    }
  });
});
