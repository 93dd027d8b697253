import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { reconcileResource } from '../../../controllers/stack/reconcile-resource.js';
import type { ImageResolver } from '../../../controllers/ports.js';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import type { ResourceStatus } from '../../../reconciler/status/resource-status.js';
import { simulatorSwarm } from './reconcile-world.js';

// The Swarm is the planner's simulator, the registry a table of digests: what is under test is
// which images a reconcile resolves, what it sends, and what it reports when the registry is down.

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const APP = 'reg:5000/app:1';
const WARNING = `image ${APP} could not be accessed on a registry to record\nits digest. Each node will access ${APP} independently,\npossibly leading to different nodes running different\nversions of the image.`;

function stack(spec: Record<string, unknown> = {}, env = 'A=1', image = APP): DesiredResource {
  return {
    key: 'SwarmStack/default/app',
    kind: 'SwarmStack',
    namespace: 'default',
    name: 'app',
    spec: {
      compose: {
        services: {
          web: { image, environment: [env] },
          api: { image },
          side: { image: 'busybox:1' },
        },
      },
      ...spec,
    },
    origin: { file: 'app.yaml' },
    baseDir: '.',
  };
}

function world() {
  const sim = new SwarmSimulator();
  const registry = new Map<string, string>([
    [APP, D1],
    ['busybox:1', D2],
  ]);
  let down = false;
  const asked: string[] = [];
  const images: ImageResolver = {
    resolveImage: async (image) => {
      asked.push(image);
      const digest = registry.get(image);
      if (down || digest === undefined) throw new Error(`cannot resolve image ${image}: connection refused`);
      return { digest, platforms: [{ Architecture: 'amd64', OS: 'linux' }] };
    },
  };
  const swarm = simulatorSwarm(sim);
  const deps = {
    swarm,
    images,
    instanceId: 'i1',
    secretHashKey: new TextEncoder().encode('resolve-images-test-key'),
    root: '.',
    logger: pino({ level: 'silent' }),
  };
  const imageOf = (name: string) =>
    (sim.observed().objects.find((o) => o.name === name)?.spec as ServiceSpec | undefined)?.TaskTemplate
      .ContainerSpec.Image;
  const setDown = (v: boolean) => {
    down = v;
  };
  return { sim, registry, asked, deps, imageOf, setDown };
}

async function run(
  w: ReturnType<typeof world>,
  res: DesiredResource,
  prev?: ResourceStatus,
  extra: { resolveImage?: 'always' | 'changed' | 'never' } = {},
) {
  w.asked.length = 0;
  return reconcileResource(
    res,
    { mode: 'apply', ...(extra.resolveImage ? { resolveImage: extra.resolveImage } : {}) },
    w.deps,
    prev,
  );
}

describe('image resolution in a reconcile (resolveImage always, the default)', () => {
  it('pins every service, asking once per distinct image', async () => {
    const w = world();
    const r = await run(w, stack());
    expect(w.asked.sort()).toEqual(['busybox:1', APP]);
    expect(w.imageOf('app_web')).toBe(`${APP}@${D1}`);
    expect(w.imageOf('app_api')).toBe(`${APP}@${D1}`);
    expect(w.imageOf('app_side')).toBe(`busybox:1@${D2}`);
    expect(r.status.warnings).toBeUndefined();
  });

  it('a resync of the applied state asks no registry and plans nothing', async () => {
    const w = world();
    const first = await run(w, stack());
    w.registry.set(APP, D2);
    const again = await run(w, stack(), first.status);
    expect(w.asked).toEqual([]);
    expect(again.plan?.actions).toEqual([]);
  });

  it('a new desired state resolves again: the same digest plans only the change, a new one rolls', async () => {
    const w = world();
    const first = await run(w, stack());
    const second = await run(w, stack({}, 'A=2'), first.status);
    expect(w.asked.sort()).toEqual(['busybox:1', APP]);
    expect(second.plan?.actions.map((a) => a.name)).toEqual(['app_web']);
    w.registry.set(APP, D2);
    const third = await run(w, stack({}, 'A=3'), second.status);
    expect(third.plan?.actions.map((a) => a.name).sort()).toEqual(['app_api', 'app_web']);
    expect(w.imageOf('app_api')).toBe(`${APP}@${D2}`);
  });

  it('an unreachable registry keeps the tag, warns as docker does, and is no error', async () => {
    const w = world();
    w.setDown(true);
    const r = await run(w, stack());
    expect(r.error).toBeUndefined();
    expect(w.imageOf('app_web')).toBe(APP);
    expect(r.status.warnings).toContain(WARNING);
    expect(r.warnings).toContain(WARNING);
  });

  it('with the registry down, a pinned stack changes nothing; resyncs keep reporting it without asking again', async () => {
    const w = world();
    const first = await run(w, stack());
    w.setDown(true);
    const down = await run(w, stack({}, 'A=2'), first.status);
    expect(down.plan?.actions.map((a) => a.name)).toEqual(['app_web']);
    expect(w.imageOf('app_web')).toBe(`${APP}@${D1}`);
    expect(down.status.warnings).toContain(WARNING);
    // a resync asks no registry and keeps the warning in the status
    const resync = await run(w, stack({}, 'A=2'), down.status);
    expect(w.asked).toEqual([]);
    expect(resync.plan?.actions).toEqual([]);
    expect(resync.status.warnings).toContain(WARNING);
    // the next desired state resolves again: the registry is back, the warning goes
    w.setDown(false);
    const back = await run(w, stack({}, 'A=3'), resync.status);
    expect(w.asked.sort()).toEqual(['busybox:1', APP]);
    expect(back.plan?.actions.map((a) => a.name)).toEqual(['app_web']);
    expect(back.status.warnings).toBeUndefined();
  });

  it('a warning goes with its image: a service that no longer uses it is not reported', async () => {
    const w = world();
    w.setDown(true);
    const down = await run(w, stack());
    expect(down.status.warnings).toContain(WARNING);
    w.setDown(false);
    const moved = await run(w, stack({}, 'A=1', 'reg:5000/app:9'), down.status, { resolveImage: 'changed' });
    expect(moved.status.warnings?.some((x) => x.includes(`image ${APP} `))).toBeFalsy();
  });
});

describe('resolveImage changed and never', () => {
  it('changed resolves new services and changed images only', async () => {
    const w = world();
    const first = await run(w, stack({ resolveImage: 'changed' }));
    expect(w.asked.sort()).toEqual(['busybox:1', APP]);
    expect(w.imageOf('app_web')).toBe(`${APP}@${D1}`);
    const second = await run(w, stack({ resolveImage: 'changed' }, 'A=2'), first.status);
    expect(w.asked).toEqual([]);
    expect(w.imageOf('app_web')).toBe(`${APP}@${D1}`);
    w.registry.set('reg:5000/app:2', D2);
    await run(w, stack({ resolveImage: 'changed' }, 'A=2', 'reg:5000/app:2'), second.status);
    expect(w.asked).toEqual(['reg:5000/app:2']);
    expect(w.imageOf('app_web')).toBe(`reg:5000/app:2@${D2}`);
  });

  it('never sends the tags as written and asks nothing', async () => {
    const w = world();
    await run(w, stack({ resolveImage: 'never' }));
    expect(w.asked).toEqual([]);
    expect(w.imageOf('app_web')).toBe(APP);
  });

  it('the CLI option overrides spec.resolveImage', async () => {
    const w = world();
    await run(w, stack({ resolveImage: 'always' }), undefined, { resolveImage: 'never' });
    expect(w.asked).toEqual([]);
    await run(w, stack({ resolveImage: 'never' }), undefined, { resolveImage: 'always' });
    expect(w.asked.sort()).toEqual(['busybox:1', APP]);
  });

  it('a stack spec with another mode is rejected', async () => {
    const w = world();
    const r = await run(w, stack({ resolveImage: 'sometimes' }));
    expect(r.error?.message).toMatch(/resolveImage/);
  });
});
