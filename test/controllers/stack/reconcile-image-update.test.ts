import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ImageUpdates } from '../../../controllers/stack/image-update-poller.js';
import { reconcileResource } from '../../../controllers/stack/reconcile-resource.js';
import type { RegistryFacts } from '../../../reconciler/plan/image-update.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { ImageResolver, SwarmPort } from '../../../controllers/ports.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import type { ResourceStatus } from '../../../reconciler/status/resource-status.js';
import type { ObservedState } from '../../../reconciler/model/objects.js';

// A stack whose service follows its tag's digest, on the planner's simulator: the reconcile sends
// what the last poll says, and reports it.

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const IMAGE = 'reg:5000/web:1';

const res = (driftPolicy: string): DesiredResource => ({
  key: 'SwarmStack/default/app',
  kind: 'SwarmStack',
  namespace: 'default',
  name: 'app',
  spec: {
    driftPolicy,
    compose: {
      services: {
        web: {
          image: IMAGE,
          deploy: { replicas: 0, endpoint_mode: 'dnsrr' },
          'x-swarmkeeper': { 'image-update': 'digest' },
        },
      },
    },
  },
  origin: { file: 'app.yaml' },
  baseDir: '.',
});

function world() {
  const box = { sim: new SwarmSimulator() };
  const swarm: SwarmPort = {
    health: async () => new Map(),
    observe: async () => box.sim.observed(),
    apply: async (plan) => {
      box.sim.apply(plan);
      return plan.actions.map((action) => ({ action, ok: true }));
    },
  };
  const images: ImageResolver = { resolveImage: async () => ({ digest: D1, platforms: [] }) };
  const poll: { facts?: RegistryFacts; warnings: string[] } = { warnings: [] };
  const updates: ImageUpdates = {
    watch: () => undefined,
    factsOf: () => poll.facts,
    warningsOf: () => poll.warnings,
    rejected: () => new Set(),
    sent: () => undefined,
    rolledBack: () => undefined,
  };
  const deps = {
    swarm,
    images,
    imageUpdates: updates,
    instanceId: 'i1',
    secretHashKey: new TextEncoder().encode('reconcile-image-update-key'),
    root: '.',
    logger: pino({ level: 'silent' }),
    now: () => new Date('2026-12-06T12:00:00Z'),
  };
  const running = () =>
    (
      box.sim.observed().objects.find((o) => o.name === 'app_web')?.spec as {
        TaskTemplate: { ContainerSpec: { Image: string } };
      }
    ).TaskTemplate.ContainerSpec.Image;
  /** Replaces the Swarm by what `f` makes of what it holds (an out-of-band change). */
  const edit = (f: (s: ObservedState) => ObservedState) =>
    (box.sim = new SwarmSimulator(f(box.sim.observed())));
  return { deps, poll, running, edit };
}

describe('reconcileResource with an image update policy', () => {
  it.each(['correct', 'detect'])(
    'driftPolicy %s: a new digest polled rolls the service once, reported, and is no drift',
    async (driftPolicy) => {
      const w = world();
      const first = await reconcileResource(res(driftPolicy), { mode: 'apply' }, w.deps);
      expect(w.running()).toBe(`${IMAGE}@${D1}`);
      expect(first.images).toEqual([]);
      w.poll.facts = { resolution: { ok: true, digest: D2, platforms: [] } };
      const second = await reconcileResource(res(driftPolicy), { mode: 'apply' }, w.deps, first.status);
      expect(w.running()).toBe(`${IMAGE}@${D2}`);
      expect(second.drift).toBe(false);
      // no write-back configured: nothing is written, nothing warned
      expect(second.warnings).toEqual([]);
      expect(second.outcome.drift).toBeUndefined();
      const change = {
        service: 'app_web',
        from: `${IMAGE}@${D1}`,
        to: `${IMAGE}@${D2}`,
        at: '2026-12-06T12:00:00.000Z',
      };
      expect(second.images).toEqual([change]);
      expect(second.status.images).toEqual([change]);
      const third = await reconcileResource(res(driftPolicy), { mode: 'apply' }, w.deps, second.status);
      expect(third.plan?.actions).toEqual([]);
      expect(third.images).toEqual([]);
      expect(third.status.images).toEqual([change]);
    },
  );

  it('a registry the poll could not read changes nothing: a warning, no error, still Ready', async () => {
    const w = world();
    const first = await reconcileResource(res('correct'), { mode: 'apply' }, w.deps);
    w.poll.warnings = ['image update (digest): the digest of reg:5000/web:1 could not be read'];
    const r = await reconcileResource(
      res('correct'),
      { mode: 'apply' },
      w.deps,
      first.status as ResourceStatus,
    );
    expect(r.error).toBeUndefined();
    expect(r.plan?.actions).toEqual([]);
    expect(r.status.warnings).toEqual(w.poll.warnings);
    expect(r.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it.each([
    ['not polled yet (a restarted controller)', undefined],
    ['its registry unreachable since the restart', undefined],
    ['a tag list without the running tag', { tags: ['1.2.1'] }],
  ])('semver: a service moved to a newer tag stays there when the tags are %s', async (_, facts) => {
    const w = world();
    const semver: DesiredResource = {
      ...res('correct'),
      spec: {
        compose: {
          services: {
            web: {
              image: 'reg:5000/web:1.2.1',
              deploy: { replicas: 0, endpoint_mode: 'dnsrr' },
              'x-swarmkeeper': { 'image-update': { semver: '^1.2' } },
            },
          },
        },
      },
    };
    w.poll.facts = { tags: ['1.2.1', '1.3.0', '2.0.0'] };
    const first = await reconcileResource(semver, { mode: 'apply' }, w.deps);
    expect(w.running()).toBe(`reg:5000/web:1.3.0@${D1}`);
    w.poll.facts = facts;
    const after = await reconcileResource(semver, { mode: 'apply' }, w.deps, first.status);
    expect(after.plan?.actions).toEqual([]);
    expect(w.running()).toBe(`reg:5000/web:1.3.0@${D1}`);
  });

  it('a policy change beside an out-of-band change is no drift-only run: both are applied', async () => {
    const w = world();
    const two = (): DesiredResource => {
      const r = res('detect');
      const compose = r.spec['compose'] as { services: Record<string, unknown> };
      compose.services['db'] = { image: 'reg:5000/db:1', deploy: { replicas: 0, endpoint_mode: 'dnsrr' } };
      return r;
    };
    const first = await reconcileResource(two(), { mode: 'apply' }, w.deps);
    w.edit((st) => ({
      objects: st.objects.map((o) =>
        o.name === 'app_db'
          ? ({ ...o, spec: { ...(o.spec as object), Mode: { Replicated: { Replicas: 3 } } } } as typeof o)
          : o,
      ),
    }));
    w.poll.facts = { resolution: { ok: true, digest: D2, platforms: [] } };
    const second = await reconcileResource(two(), { mode: 'apply' }, w.deps, first.status);
    expect(second.drift).toBe(false);
    expect(second.plan?.actions.map((a) => `${a.op} ${a.name}`).sort()).toEqual([
      'update app_db',
      'update app_web',
    ]);
    expect(w.running()).toBe(`${IMAGE}@${D2}`);
  });
});
