import { describe, expect, it } from 'vitest';
import type { KindStatus } from '../../../controllers/ports.js';
import { DesiredCache } from '../../../controllers/stack/desired-cache.js';
import { SAFE_STACK_SETTINGS } from '../../../controllers/stack/stack-settings.js';
import type { Condition } from '../../../reconciler/status/conditions.js';
import type { ImageUpdates } from '../../../controllers/stack/image-update-poller.js';
import { kindWorld } from './planned-kind-support.js';
import { stackRes, svc } from './reconcile-world.js';

// The planned kinds as the reconcile loop sees them: the status written when a new generation
// starts, which Swarm a run reads, and the dependencies it hands the reconcile.

const web = (generation?: number) =>
  stackRes({ web: svc('web:1') }, generation === undefined ? {} : { generation });
const cond = (type: string, status: string, observedGeneration?: number): Condition => ({
  type,
  status: status as Condition['status'],
  reason: 'R',
  message: '',
  lastTransitionTime: '2100-01-01T00:00:00Z',
  ...(observedGeneration === undefined ? {} : { observedGeneration }),
});

describe('plannedKind: a new generation', () => {
  it('writes Reconciling=True and Ready=Unknown for it before the apply', async () => {
    const k = kindWorld();
    const r = await k.reconcile(web(3));
    expect(k.progress).toHaveLength(1);
    const started = k.progress[0]!;
    expect(started.conditions.find((c) => c.type === 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'Progressing',
      message: 'reconciling generation 3',
      observedGeneration: 3,
    });
    expect(started.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'Unknown' });
    expect(started).not.toHaveProperty('observedGeneration');
    expect(r.status.observedGeneration).toBe(3);
    expect(r.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it.each<[string, KindStatus | undefined, number | undefined, number]>([
    ['no generation', undefined, undefined, 0],
    ['no generation, one observed before', { conditions: [], observedGeneration: 2 }, undefined, 0],
    ['the generation already observed', { conditions: [], observedGeneration: 3 }, 3, 0],
    [
      'a start of it already written',
      { conditions: [cond('Reconciling', 'True', 3)], observedGeneration: 2 },
      3,
      0,
    ],
    [
      'a start of another generation',
      { conditions: [cond('Reconciling', 'True', 2)], observedGeneration: 1 },
      3,
      1,
    ],
    [
      'Reconciling=False of it',
      { conditions: [cond('Reconciling', 'False', 3)], observedGeneration: 2 },
      3,
      1,
    ],
    ['another condition of it', { conditions: [cond('Ready', 'True', 3)], observedGeneration: 2 }, 3, 1],
    ['an older generation observed', { conditions: [], observedGeneration: 2 }, 3, 1],
  ])('%s: %#', async (_, prev, gen, writes) => {
    const k = kindWorld();
    await k.reconcile(web(gen), prev);
    expect(k.progress).toHaveLength(writes);
  });
});

describe('plannedKind: what a run reads and is given', () => {
  it('a resync run reads the pass-wide snapshot; others observe', async () => {
    const k = kindWorld();
    k.setView({
      observe: () => ({ objects: [] }),
      health: () => [],
    });
    await k.reconcile(web(), undefined, { via: 'resync' });
    expect(k.viewGets).toHaveLength(1);
    expect(k.observes).toStrictEqual([]);
    await k.reconcile(web());
    expect(k.viewGets).toHaveLength(1);
    expect(k.observes).toHaveLength(1);
  });

  it('once applied, event and source runs observe by name; a resync run without a snapshot by label', async () => {
    const k = kindWorld();
    const first = await k.reconcile(web());
    await k.reconcile(web(), first.status);
    await k.reconcile(web(), first.status, { via: 'resync' });
    expect(k.observes.map((q) => q.ownedByName)).toStrictEqual([undefined, true, undefined]);
  });

  it('a relative bind source resolves inside the source bindRoot', async () => {
    const k = kindWorld();
    const res = stackRes({ web: svc('web:1', { volumes: ['./data:/data'] }) });
    await k.reconcile(res, undefined, { bindRoot: '/srv/src' });
    await k.reconcile(
      stackRes(
        { web: svc('web:1', { volumes: ['./data:/data'] }) },
        { name: 'app2', key: 'SwarmStack/default/app2' },
      ),
    );
    const mounts = (name: string) =>
      k.state.sim
        .observed()
        .objects.flatMap((o) =>
          o.kind === 'service' && o.name === name
            ? ((o.spec as { TaskTemplate: { ContainerSpec: { Mounts?: { Source: string }[] } } }).TaskTemplate
                .ContainerSpec.Mounts ?? [])
            : [],
        );
    expect(mounts('app_web').map((m) => m.Source)).toStrictEqual(['/srv/src/data']);
    expect(mounts('app2_web').map((m) => m.Source)).not.toStrictEqual(['/srv/src/data']);
  });

  it('hands the reconcile its image resolver, secret resolver and stack settings', async () => {
    const asked: string[] = [];
    const secretsAsked: string[] = [];
    const k = kindWorld({
      images: {
        resolveImage: async (image) => {
          asked.push(image);
          return { digest: `sha256:${'c'.repeat(64)}`, platforms: [] };
        },
      },
      secrets: {
        get: async (ns, name, key) => {
          secretsAsked.push(`${ns}/${name}/${key}`);
          return Buffer.from('v');
        },
      },
      stack: { ...SAFE_STACK_SETTINGS, env: { vars: { TAG: '7' }, allow: ['TAG'] } },
    });
    const res = stackRes(
      { web: svc('web:${TAG}', { secrets: ['db'] }) },
      { specExtra: { secretRefs: [{ name: 'db', secretRef: { name: 's', key: 'k' } }] } },
    );
    (res.spec['compose'] as Record<string, unknown>)['secrets'] = { db: {} };
    const r = await k.reconcile(res);
    expect(r.error).toBeUndefined();
    expect(asked).toStrictEqual(['web:7']);
    expect(secretsAsked).toStrictEqual(['default/s/k']);
  });

  it('uses the cache it is given', async () => {
    const cache = new DesiredCache();
    const calls: string[] = [];
    const desiredFor = cache.desiredFor.bind(cache);
    cache.desiredFor = (res, ctx, source) => {
      calls.push(res.key);
      return desiredFor(res, ctx, source);
    };
    const k = kindWorld({ cache });
    await k.reconcile(web());
    expect(calls).toStrictEqual(['SwarmStack/default/app']);
  });

  it("logs with the loop's logger as it is", async () => {
    const k = kindWorld();
    await k.reconcile(web());
    expect(k.lines.length).toBeGreaterThan(0);
    for (const l of k.lines) expect(l).not.toHaveProperty('reconcileId');
  });
});

describe('plannedKind: image update policies', () => {
  const D1 = `sha256:${'1'.repeat(64)}`;
  const D2 = `sha256:${'2'.repeat(64)}`;
  const followed = () =>
    stackRes(
      { web: svc('reg:5000/web:1', { 'x-swarmkeeper': { 'image-update': 'digest' } }) },
      { origin: { file: 'app.yaml', source: 'infra' } },
    );
  function updates() {
    const state = { digest: D1, watched: [] as string[] };
    const u: ImageUpdates = {
      watch: (key, ws) => void state.watched.push(...ws.map((w) => `${key} ${w.image}`)),
      factsOf: () => ({ resolution: { ok: true, digest: state.digest, platforms: [] } }),
      warningsOf: () => [],
      rejected: () => new Set(),
      sent: () => undefined,
      rolledBack: () => undefined,
    };
    return { u, state };
  }

  it('hands the reconcile its poller and write-back lookup; each image change is counted once', async () => {
    const { u, state } = updates();
    const counted: string[] = [];
    const sources: string[] = [];
    const k = kindWorld({
      imageUpdates: u,
      writeBackOf: (source) => void sources.push(source),
      onImageChange: (key) => counted.push(key),
    });
    expect((await k.reconcile(followed())).error).toBeUndefined();
    expect(state.watched).toStrictEqual(['SwarmStack/default/app reg:5000/web:1']);
    expect(sources).toStrictEqual(['infra']);
    expect(counted).toStrictEqual([]);
    state.digest = D2;
    const r = await k.reconcile(followed());
    expect(r.error).toBeUndefined();
    expect(counted).toStrictEqual(['SwarmStack/default/app']);
  });

  it('an image change without a counter is no error', async () => {
    const { u, state } = updates();
    const k = kindWorld({ imageUpdates: u });
    await k.reconcile(followed());
    state.digest = D2;
    const r = await k.reconcile(followed());
    expect(r.error).toBeUndefined();
    expect((r.events ?? []).map((e) => e.reason)).toContain('ImageUpdated');
  });
});
