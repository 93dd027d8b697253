import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImageUpdates } from '../../../controllers/stack/image-update-poller.js';
import { reconcileResource, type ReconcileReport } from '../../../controllers/stack/reconcile-resource.js';
import { GitSource } from '../../../controllers/sources/git-source.js';
import { parseSourceSpec, type GitSourceSpec } from '../../../controllers/sources/source-spec.js';
import type { RegistryFacts } from '../../../reconciler/plan/image-update.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { ImageResolver, SourceSnapshot } from '../../../controllers/ports.js';
import { GitFixture, git } from '../../support/git-fixture.js';
import { simulatorSwarm } from './reconcile-world.js';

// A real git source (a local bare repository) with write-back, the planner's simulator as the
// Swarm: a policy's change is committed to the compose file, and the reconcile of that new
// revision plans nothing.

const D = (n: number) => `sha256:${String(n).repeat(64)}`;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until<T>(f: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function world(compose: string, writeBack: boolean) {
  const fx = new GitFixture('infra');
  const work = mkdtempSync(join(tmpdir(), 'sk-rwb-'));
  cleanups.push(
    () => fx.remove(),
    () => rmSync(work, { recursive: true, force: true }),
  );
  fx.commit({ 'app/compose.yml': compose });
  fx.push();
  const spec = parseSourceSpec(
    `git=${fx.fileUrl},branch=main${writeBack ? ',writeBackBranch=main' : ''}`,
  ) as GitSourceSpec;
  const source = new GitSource(spec, { workDir: work, logger: pino({ level: 'silent' }), env: {} });
  cleanups.push(() => source.stop());
  const snaps: SourceSnapshot[] = [];
  await source.start((s) => snaps.push(s));
  const sim = new SwarmSimulator();
  const swarm = simulatorSwarm(sim);
  const digests: Record<string, string> = { '1.2.1': D(1), '1.3.0': D(2), '1': D(1) };
  const images: ImageResolver = {
    resolveImage: async (name) => ({ digest: digests[name.split(':').pop()!] ?? D(9), platforms: [] }),
  };
  const poll: { facts?: RegistryFacts } = {};
  const updates: ImageUpdates = {
    watch: () => undefined,
    factsOf: () => poll.facts,
    warningsOf: () => [],
    rejected: () => new Set(),
    sent: () => undefined,
    rolledBack: () => undefined,
  };
  const reconcile = (snap: SourceSnapshot, prev?: ReconcileReport) =>
    reconcileResource(
      snap.resources[0]!,
      { mode: 'apply' },
      {
        swarm,
        images,
        imageUpdates: updates,
        instanceId: 'i1',
        secretHashKey: new TextEncoder().encode('reconcile-write-back-key'),
        root: snap.root,
        logger: pino({ level: 'silent' }),
        writeBackOf: (name) => (name === source.name ? source.writeBack : undefined),
      },
      prev?.status,
    );
  const running = () =>
    (
      sim.observed().objects.find((o) => o.name === 'app_web')?.spec as {
        TaskTemplate: { ContainerSpec: { Image: string } };
      }
    ).TaskTemplate.ContainerSpec.Image;
  const file = () => git(fx.bare, 'show', 'main:app/compose.yml');
  return { fx, snaps, poll, digests, reconcile, running, file };
}

const SEMVER = `services:\n  web: # the front\n    image: 'reg:5000/app:1.2.1'\n    deploy: { replicas: 0, endpoint_mode: dnsrr }\n    x-swarmkeeper: { image-update: { semver: "^1.2" } }\n`;
const DIGEST = `services:\n  web:\n    image: reg:5000/app:1\n    deploy: { replicas: 0, endpoint_mode: dnsrr }\n    x-swarmkeeper: { image-update: digest }\n`;

describe('reconcile with write-back to a git source', () => {
  it('semver: the new tag is committed, the source loads it, and its reconcile plans nothing', async () => {
    const w = await world(SEMVER, true);
    const first = await w.reconcile(w.snaps[0]!);
    expect(w.running()).toBe(`reg:5000/app:1.2.1@${D(1)}`);
    w.poll.facts = { tags: ['1.2.1', '1.3.0', '2.0.0'] };
    const second = await w.reconcile(w.snaps[0]!, first);
    expect(w.running()).toBe(`reg:5000/app:1.3.0@${D(2)}`);
    expect(second.warnings).toEqual([]);
    expect(w.file()).toBe(SEMVER.replace('1.2.1', '1.3.0').trimEnd());
    expect(git(w.fx.bare, 'log', '-1', '--format=%s', 'main')).toBe(
      'swarmkeeper: app/web image reg:5000/app:1.2.1 -> reg:5000/app:1.3.0',
    );
    const next = await until(() => w.snaps[1], 'the written revision');
    expect(next.revision).toBe(git(w.fx.bare, 'rev-parse', 'main'));
    const third = await w.reconcile(next, second);
    expect(third.error).toBeUndefined();
    expect(third.plan?.actions).toEqual([]);
    expect(third.images).toEqual([]);
  });

  it('digest: tag@digest is committed, plans nothing, and a later digest is still followed', async () => {
    const w = await world(DIGEST, true);
    const first = await w.reconcile(w.snaps[0]!);
    w.poll.facts = { resolution: { ok: true, digest: D(2), platforms: [] } };
    w.digests['1'] = D(2);
    const second = await w.reconcile(w.snaps[0]!, first);
    expect(w.running()).toBe(`reg:5000/app:1@${D(2)}`);
    expect(w.file()).toContain(`image: reg:5000/app:1@${D(2)}\n`);
    const next = await until(() => w.snaps[1], 'the written revision');
    const third = await w.reconcile(next, second);
    expect(third.plan?.actions).toEqual([]);
    w.poll.facts = { resolution: { ok: true, digest: D(3), platforms: [] } };
    w.digests['1'] = D(3);
    await w.reconcile(next, third);
    expect(w.running()).toBe(`reg:5000/app:1@${D(3)}`);
    expect(w.file()).toContain(`image: reg:5000/app:1@${D(3)}\n`);
    expect(git(w.fx.bare, 'log', '-1', '--format=%s', 'main')).toBe(
      `swarmkeeper: app/web image reg:5000/app:1@${D(2)} -> reg:5000/app:1@${D(3)}`,
    );
  });

  it('the image is written in the form the file has (docker.io/… is no familiar name)', async () => {
    const compose = SEMVER.replace("'reg:5000/app:1.2.1'", 'docker.io/acme/app:1.2.1');
    const w = await world(compose, true);
    const first = await w.reconcile(w.snaps[0]!);
    w.poll.facts = { tags: ['1.2.1', '1.3.0'] };
    const second = await w.reconcile(w.snaps[0]!, first);
    expect(second.warnings).toEqual([]);
    expect(w.file()).toBe(compose.replace('1.2.1', '1.3.0').trimEnd());
    const next = await until(() => w.snaps[1], 'the written revision');
    expect((await w.reconcile(next, second)).plan?.actions).toEqual([]);
  });

  it('off (no writeBackBranch): the service is updated and git is left alone', async () => {
    const w = await world(SEMVER, false);
    const head = git(w.fx.bare, 'rev-parse', 'main');
    const first = await w.reconcile(w.snaps[0]!);
    w.poll.facts = { tags: ['1.2.1', '1.3.0'] };
    await w.reconcile(w.snaps[0]!, first);
    expect(w.running()).toBe(`reg:5000/app:1.3.0@${D(2)}`);
    expect(git(w.fx.bare, 'rev-parse', 'main')).toBe(head);
  });
});
