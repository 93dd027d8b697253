import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type { DesiredService, ObservedObject } from '../../../reconciler/model/objects.js';
import { LABEL_STACK_IMAGE } from '../../../reconciler/model/ownership.js';
import {
  type ImageResolutions,
  imageChanged,
  imagesToResolve,
  pinImage,
  withDigest,
} from '../../../reconciler/plan/image-pin.js';
import { STACK_LABELS } from './fixtures.js';
import { AMD64, app, D1, D2, TAG } from './image-fixtures.js';

/** The running spec of a service made from `image`. */
const running = (image: string | undefined, patch: Partial<ServiceSpec> = {}): ServiceSpec =>
  ({
    Name: 'app_app',
    Labels: { ...STACK_LABELS, [LABEL_STACK_IMAGE]: TAG },
    TaskTemplate: { ContainerSpec: { Image: image } },
    ...patch,
  }) as ServiceSpec;
const observed = (spec: unknown, kind: ObservedObject['kind'] = 'service'): ObservedObject => ({
  kind,
  id: `${kind}-1`,
  name: 'app_app',
  labels: {},
  spec,
});

describe('imageChanged: whether the running service was made from another image', () => {
  it.each<[string, DesiredService, unknown, boolean]>([
    ['the same tag, pinned', app(), running(`${TAG}@${D1}`), false],
    ['another tag', app(), running(`reg:5000/app:2@${D1}`), true],
    ['an observed service without spec', app(), undefined, true],
    ['a spec without TaskTemplate', app(), { Name: 'app_app', Labels: { [LABEL_STACK_IMAGE]: TAG } }, true],
    ['a TaskTemplate without ContainerSpec', app(), running(undefined, { TaskTemplate: {} as never }), true],
    ['a running spec without labels', app(), running(TAG, { Labels: undefined }), true],
    ['a desired service without labels: tags compared', app(TAG, false), running(`${TAG}@${D1}`), false],
    [
      'a digest-only image, nothing running',
      app(`app@${D1}`),
      running(undefined, { Labels: { [LABEL_STACK_IMAGE]: `app@${D1}` } }),
      true,
    ],
  ])('%s', (_n, d, spec, want) => {
    expect(imageChanged(d, observed(spec))).toBe(want);
  });
});

describe('imagesToResolve: which images are asked for', () => {
  it.each([
    ['a digest-only image is resolved', `app@${D1}`, [`app@${D1}`]],
    ['text that is no reference is not', 'Not A Reference', []],
  ])('%s', (_n, image, want) => {
    expect(imagesToResolve([app(image)], [], 'changed', false)).toEqual(want);
  });

  it('only a service of that name is the running one (not a network named like it)', () => {
    const objs = [observed({ Name: 'app_app' }, 'network'), observed(running(`${TAG}@${D1}`))];
    expect(imagesToResolve([app()], objs, 'changed', false)).toEqual([]);
  });

  it('the images come sorted, whatever the order of the services', () => {
    const other = { ...app('busybox:1'), name: 'app_other' };
    expect(imagesToResolve([app(), other], [], 'always', true)).toEqual(['busybox:1', TAG]);
  });
});

describe('pinImage: what is sent', () => {
  const resolved = (image: string, platforms = AMD64): ImageResolutions => ({
    [image]: { ok: true, digest: D2, platforms },
  });

  it('text that is no reference is never pinned', () => {
    expect(withDigest('Not A Reference', D2)).toBe('Not A Reference');
  });

  it('a resolution without platforms adds no empty Placement', () => {
    const t = pinImage(app(), undefined, resolved(TAG, [])).spec.TaskTemplate;
    expect(t.ContainerSpec.Image).toBe(`${TAG}@${D2}`);
    expect('Placement' in t).toBe(false);
  });

  it('a desired digest is sent as written, not the digest running under the same tag', () => {
    const d = app(`${TAG}@${D1}`);
    expect(pinImage(d, running(`${TAG}@${D2}`), undefined)).toBe(d);
  });

  it('an unpinned running image of the same tag is not sent in its place', () => {
    const d = app('docker.io/library/nginx:1');
    expect(pinImage(d, running('nginx:1'), undefined)).toBe(d);
  });

  it('the running pin is kept without platforms when it has no Placement', () => {
    const t = pinImage(app(), running(`${TAG}@${D1}`), undefined).spec.TaskTemplate;
    expect(t.ContainerSpec.Image).toBe(`${TAG}@${D1}`);
    expect('Placement' in t).toBe(false);
  });
});
