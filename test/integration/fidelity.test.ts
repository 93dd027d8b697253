/**
 * FIDELITY: every compose file under test/integration/fidelity/<case>/ is deployed twice, with
 * `docker stack deploy` (stack A) and with `swarmkeeper apply -f` (stack B, from a copy of the case folder
 * named B), and the read-back ServiceSpecs, networks, configs and secrets must be equal once stack
 * names, ownership labels, object IDs and content-hash suffixes are normalised away.
 * A compose file with the comment `# fidelity: exclusive` (fixed subnets, host ports) deploys A and B
 * one after the other instead of side by side.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, swarmkeeper } from './fidelity/support/cli.js';
import { compareStacks } from './fidelity/support/compare.js';
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

/** Networks whose IPAM config the compose file sets (their subnets are compared too). */
function userIpamNetworks(text: string): Set<string> {
  const doc = parse(text, { merge: true }) as {
    networks?: Record<string, { ipam?: { config?: unknown[] } } | null>;
  };
  return new Set(
    Object.entries(doc.networks ?? {})
      .filter(([, n]) => (n?.ipam?.config?.length ?? 0) > 0)
      .map(([k]) => `<stack>_${k}`),
  );
}

/** Bind sources under the folder a stack was deployed from become `<case>/…` (the two folders differ). */
function relativiseBinds(snap: StackSnapshot, dir: string): StackSnapshot {
  for (const spec of snap.services.values()) {
    const c = (spec['TaskTemplate'] as { ContainerSpec?: { Mounts?: { Source?: string }[] } } | undefined)
      ?.ContainerSpec;
    for (const m of c?.Mounts ?? [])
      if (m.Source?.startsWith(`${dir}/`)) m.Source = `<case>/${m.Source.slice(dir.length + 1)}`;
  }
  return snap;
}

async function deployWithDocker(dir: string, ns: string): Promise<StackSnapshot> {
  await docker(['stack', 'deploy', '--resolve-image', 'never', '-c', join(dir, 'docker-compose.yml'), ns]);
  return relativiseBinds(await snapshot(ns), dir);
}

async function deployWithSwarmkeeper(dir: string, ns: string): Promise<StackSnapshot> {
  const copy = join(TMP, ns);
  cpSync(dir, copy, { recursive: true });
  const r = await swarmkeeper(INSTANCE, ['apply', '-f', join(copy, 'docker-compose.yml')]);
  if (r.code !== 0) throw new Error(`swarmkeeper apply exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return relativiseBinds(await snapshot(ns), copy);
}

beforeAll(() => {
  // globalSetup (or the developer) provides the swarm; never fall back to the local daemon.
  if (!process.env.DOCKER_HOST)
    throw new Error('DOCKER_HOST is not set (the integration globalSetup sets it)');
});

afterAll(async () => {
  rmSync(TMP, { recursive: true, force: true });
});

describe('docker stack deploy and swarmkeeper apply create the same Swarm objects', () => {
  it('has a corpus of at least 15 compose files', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
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
