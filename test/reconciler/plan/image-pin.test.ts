import { describe, expect, it } from 'vitest';
import type { DesiredService } from '../../../reconciler/model/objects.js';
import { LABEL_STACK_IMAGE } from '../../../reconciler/model/ownership.js';
import {
  digestWarning,
  type ImageResolutions,
  imagesToResolve,
  isDigestWarning,
  pinImage,
  taggedName,
  withDigest,
} from '../../../reconciler/plan/image-pin.js';
import { plan } from '../../../reconciler/plan/plan.js';
import type { CreateAction, UpdateAction } from '../../../reconciler/plan/types.js';
import { deployed, mutate, ops, opts, stackDeployed, state, svc } from './fixtures.js';
import { AMD64, app, D1, D2, TAG } from './image-fixtures.js';

const resolved = (digest: string, image = TAG): ImageResolutions => ({
  [image]: { ok: true, digest, platforms: AMD64 },
});
const unreachable: ImageResolutions = { [TAG]: { ok: false } };

/** The Swarm after swarmkeeper deployed `d` with these resolutions. */
function deployedWith(d: DesiredService, images?: ImageResolutions) {
  return deployed(state(d), undefined, images ? { images } : {});
}

const imageOf = (a: CreateAction | UpdateAction) =>
  a.desired.kind === 'service' ? a.desired.spec.TaskTemplate.ContainerSpec.Image : undefined;
const platformsOf = (a: CreateAction | UpdateAction) =>
  a.desired.kind === 'service' ? a.desired.spec.TaskTemplate.Placement?.Platforms : undefined;

describe('image references with digests', () => {
  it.each([
    ['nginx', 'nginx:latest'],
    ['nginx:1', 'nginx:1'],
    [`nginx:1@${D1}`, 'nginx:1'],
    [`reg:5000/a/b:2@${D1}`, 'reg:5000/a/b:2'],
    [`nginx@${D1}`, undefined],
    ['Not A Reference', undefined],
  ])('the tagged name of %s is %s', (image, want) => {
    expect(taggedName(image)).toBe(want);
  });

  it.each([
    ['reg:5000/app:1', `reg:5000/app:1@${D2}`],
    ['docker.io/library/nginx:1', `nginx:1@${D2}`],
    ['nginx', `nginx:latest@${D2}`],
    [`nginx:1@${D1}`, `nginx:1@${D1}`],
  ])('%s pinned is %s (a digest reference is kept)', (image, want) => {
    expect(withDigest(image, D2)).toBe(want);
  });

  it("has docker's warning text, recognised as such", () => {
    const w = digestWarning('app:1');
    expect(w).toBe(
      'image app:1 could not be accessed on a registry to record\nits digest. Each node will access app:1 independently,\npossibly leading to different nodes running different\nversions of the image.',
    );
    expect(isDigestWarning(w)).toBe(true);
    expect(isDigestWarning('Ignoring unsupported options: build')).toBe(false);
  });
});

describe('which images a reconcile resolves', () => {
  const d = app();
  const pinned = deployedWith(d, resolved(D1)).objects;
  const other = svc('other', {}, { Image: 'busybox:1' });

  it.each([
    ['never, new service', 'never', true, [], []],
    ['always, new service', 'always', false, [], [TAG]],
    ['always, running, new desired state', 'always', true, pinned, [TAG]],
    ['always, running, resync (same desired state)', 'always', false, pinned, []],
    ['changed, running, new desired state', 'changed', true, pinned, []],
    ['changed, new service', 'changed', false, [], [TAG]],
  ] as const)('%s', (_n, mode, full, observed, want) => {
    expect(imagesToResolve([d], observed, mode, full)).toEqual(want);
  });

  it('changed: a new image text, or a running image of another tag (drift), is resolved', () => {
    const relabelled = app(TAG, 'reg:5000/app:${V}');
    expect(imagesToResolve([relabelled], pinned, 'changed', false)).toEqual([TAG]);
    const drifted = mutate(deployedWith(d, resolved(D1)), 'app_app', (o) => {
      (o.spec as { TaskTemplate: { ContainerSpec: { Image: string } } }).TaskTemplate.ContainerSpec.Image =
        `reg:5000/app:2@${D1}`;
    }).objects;
    expect(imagesToResolve([d], drifted, 'changed', false)).toEqual([TAG]);
  });

  it('asks once per distinct image, in a stable order', () => {
    const twin = { ...app(), name: 'app_twin', spec: { ...app().spec, Name: 'app_twin' } };
    expect(imagesToResolve([other, d, twin], [], 'always', true)).toEqual(['busybox:1', TAG]);
  });
});

describe('plan: pinned images (desired tag vs observed tag@digest)', () => {
  it('creates a service with the resolved digest and the manifest platforms, as docker does', () => {
    const p = plan(state(app()), { objects: [] }, opts({ images: resolved(D1) }));
    const c = p.actions[0] as CreateAction;
    expect(imageOf(c)).toBe(`${TAG}@${D1}`);
    expect(platformsOf(c)).toEqual(AMD64);
    // the image text of the compose file stays in the label
    expect(c.desired.spec.Labels?.[LABEL_STACK_IMAGE]).toBe(TAG);
  });

  it('creates with the tag as written when the registry cannot be reached (and in never mode)', () => {
    for (const images of [unreachable, undefined]) {
      const c = plan(state(app()), { objects: [] }, opts(images ? { images } : {}))
        .actions[0] as CreateAction;
      expect(imageOf(c)).toBe(TAG);
      expect(platformsOf(c)).toBeUndefined();
    }
  });

  const pinnedD1 = deployedWith(app(), resolved(D1));
  const unpinned = deployedWith(app());

  it.each([
    ['always, same digest', pinnedD1, resolved(D1), []],
    ['changed/never: no resolution, pinned to the same tag', pinnedD1, undefined, []],
    ['registry unreachable: the pin is kept', pinnedD1, unreachable, []],
    ['never: the tag as written was sent, nothing to resolve', unpinned, undefined, []],
    ['always, a new digest: an image update', pinnedD1, resolved(D2), [`${TAG}@${D2}`]],
    ['always, an unpinned service: pinned', unpinned, resolved(D1), [`${TAG}@${D1}`]],
  ] as const)('%s', (_n, observed, images, wantImages) => {
    const p = plan(state(app()), observed, opts(images ? { images } : {}));
    expect(p.actions.map((a) => imageOf(a as UpdateAction))).toEqual(wantImages);
    for (const a of p.actions as UpdateAction[])
      expect(a.changes.map((c) => c.path)).toContain('TaskTemplate.ContainerSpec.Image');
  });

  it('a re-resolution with the same digest plans nothing, again and again', () => {
    let observed = pinnedD1;
    for (let i = 0; i < 3; i++) {
      const p = plan(state(app()), observed, opts({ images: resolved(D1) }));
      expect(ops(p)).toEqual([]);
      observed = deployed(state(app()), observed, { images: resolved(D1) });
    }
  });

  it("an operator's `docker service update --image` of the same tag is no drift; another tag is", () => {
    const sameTag = mutate(unpinned, 'app_app', (o) => {
      const s = o.spec as { TaskTemplate: { ContainerSpec: { Image: string } } };
      s.TaskTemplate.ContainerSpec.Image = `${TAG}@${D2}`;
    });
    expect(ops(plan(state(app()), sameTag, opts()))).toEqual([]);
    const otherTag = mutate(unpinned, 'app_app', (o) => {
      const s = o.spec as { TaskTemplate: { ContainerSpec: { Image: string } } };
      s.TaskTemplate.ContainerSpec.Image = `reg:5000/app:2@${D2}`;
    });
    const u = plan(state(app()), otherTag, opts()).actions[0] as UpdateAction;
    expect(imageOf(u)).toBe(TAG);
    expect(u.changes).toEqual([
      { path: 'TaskTemplate.ContainerSpec.Image', from: `reg:5000/app:2@${D2}`, to: TAG },
    ]);
  });

  it('another change keeps the pin (the image is not sent unpinned)', () => {
    const changed = app();
    changed.spec.TaskTemplate.ContainerSpec.Env = ['A=2'];
    const u = plan(state(changed), pinnedD1, opts()).actions[0] as UpdateAction;
    expect(u.changes.map((c) => c.path)).toEqual(['TaskTemplate.ContainerSpec.Env']);
    expect(imageOf(u)).toBe(`${TAG}@${D1}`);
    expect(platformsOf(u)).toEqual(AMD64);
  });

  // What `docker stack deploy` (default --resolve-image always) writes: pinned image and platforms.
  const dockerPinned = app();
  dockerPinned.spec.TaskTemplate.ContainerSpec.Image = `${TAG}@${D1}`;
  dockerPinned.spec.TaskTemplate.Placement = { Platforms: AMD64 };
  const byDocker = stackDeployed([dockerPinned]);

  it.each([
    ['always, the same digest', resolved(D1)],
    ['never / changed (no resolution)', undefined],
    ['registry unreachable', unreachable],
  ] as const)('adopting a stack docker pinned changes labels only (%s)', (_n, images) => {
    const p = plan(state(app()), byDocker, opts({ adopt: true, ...(images ? { images } : {}) }));
    const u = p.actions[0] as UpdateAction;
    expect(ops(p)).toEqual(['update service app_app']);
    expect(u.labelsOnly).toBe(true);
    expect(u.changes.every((c) => c.path.startsWith('Labels'))).toBe(true);
  });

  it('a desired digest reference is sent as written, with the platforms when resolved', () => {
    const ref = `${TAG}@${D1}`;
    const c = plan(state(app(ref)), { objects: [] }, opts({ images: resolved(D1, ref) }))
      .actions[0] as CreateAction;
    expect(imageOf(c)).toBe(ref);
    expect(platformsOf(c)).toEqual(AMD64);
  });

  it('pinImage leaves a service without resolution or observed pin as it is', () => {
    const d = app();
    expect(pinImage(d, undefined, undefined)).toBe(d);
    expect(pinImage(d, undefined, unreachable)).toBe(d);
  });
});
