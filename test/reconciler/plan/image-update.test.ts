import { describe, expect, it } from 'vitest';
import type { ImageUpdatePolicy, ObservedObject } from '../../../reconciler/model/objects.js';
import {
  applyImageUpdates,
  decideImage,
  IMAGE_CHANGES_KEPT,
  imageChanges,
  keptChanges,
  policyOf,
  type RegistryFacts,
  repositoryOf,
  retag,
} from '../../../reconciler/plan/image-update.js';
import { svc } from './fixtures.js';
import { AMD64, D1, D2 } from './image-fixtures.js';

const DIGEST: ImageUpdatePolicy = { kind: 'digest' };
const SEMVER: ImageUpdatePolicy = { kind: 'semver', range: '^1.2' };
const resolved = (digest: string): RegistryFacts => ({ resolution: { ok: true, digest, platforms: AMD64 } });
const TAGS: RegistryFacts = { tags: ['1.2.1', '1.3.0', '2.0.0', 'latest'] };

describe('policyOf', () => {
  it.each([
    [undefined, undefined],
    ['digest', { kind: 'digest' }],
    ['off', { kind: 'off' }],
    [{ semver: '^1.2' }, { kind: 'semver', range: '^1.2' }],
    [
      { policy: 'semver', range: '~2' },
      { kind: 'semver', range: '~2' },
    ],
    [{ policy: 'digest' }, { kind: 'digest' }],
    [{ policy: 'off' }, { kind: 'off' }],
    ['weekly', undefined],
    [{ policy: 'semver' }, undefined],
  ])('%j -> %j', (raw, want) => expect(policyOf(raw)).toEqual(want));
});

describe('retag and repositoryOf', () => {
  it.each([
    ['reg:5000/app:1.2.1', '1.3.0', 'reg:5000/app:1.3.0'],
    ['reg:5000/app', '1.3.0', 'reg:5000/app:1.3.0'],
    [`reg:5000/app:1.2.1@${D1}`, '1.3.0', 'reg:5000/app:1.3.0'],
    ['nginx:1.25', '1.27.0', 'nginx:1.27.0'],
  ])('%s with tag %s is %s', (image, tag, want) => expect(retag(image, tag)).toBe(want));

  it.each([
    ['reg:5000/team/app:1', 'reg:5000/team/app'],
    ['nginx:1', 'docker.io/library/nginx'],
    ['Bad:Ref', undefined],
  ])('the repository of %s is %s', (image, want) => expect(repositoryOf(image)).toBe(want));
});

describe('decideImage', () => {
  it.each<[string, string, ImageUpdatePolicy, RegistryFacts | undefined, string[], string, boolean]>([
    ['off keeps the image', 'reg:5000/app:1', { kind: 'off' }, resolved(D2), [], 'reg:5000/app:1', false],
    ['digest pins the polled digest', 'reg:5000/app:1', DIGEST, resolved(D2), [], 'reg:5000/app:1', true],
    ['digest: not polled yet', 'reg:5000/app:1', DIGEST, undefined, [], 'reg:5000/app:1', false],
    [
      'digest: the registry was unreachable',
      'reg:5000/app:1',
      DIGEST,
      { resolution: { ok: false } },
      [],
      'reg:5000/app:1',
      false,
    ],
    [
      'digest: a digest written in the compose file is fixed',
      `reg:5000/app:1@${D1}`,
      DIGEST,
      resolved(D2),
      [],
      `reg:5000/app:1@${D1}`,
      false,
    ],
    [
      'digest: a rolled-back digest is not sent again',
      'reg:5000/app:1',
      DIGEST,
      resolved(D2),
      [`reg:5000/app:1@${D2}`],
      'reg:5000/app:1',
      false,
    ],
    [
      'semver moves to the newest tag in range',
      'reg:5000/app:1.2.1',
      SEMVER,
      TAGS,
      [],
      'reg:5000/app:1.3.0',
      false,
    ],
    ['semver: the newest already', 'reg:5000/app:1.3.0', SEMVER, TAGS, [], 'reg:5000/app:1.3.0', false],
    [
      'semver: a digest written beside the newest tag gives way to the tag (pinned again from the registry)',
      `reg:5000/app:1.3.0@${D1}`,
      SEMVER,
      TAGS,
      [],
      'reg:5000/app:1.3.0',
      false,
    ],
    ['semver: tags not listed yet', 'reg:5000/app:1.2.1', SEMVER, undefined, [], 'reg:5000/app:1.2.1', false],
    [
      'semver: nothing in range keeps the tag',
      'reg:5000/app:1.2.1',
      SEMVER,
      { tags: ['2.0.0', 'latest'] },
      [],
      'reg:5000/app:1.2.1',
      false,
    ],
    [
      'semver: a rolled-back tag is skipped',
      'reg:5000/app:1.2.1',
      SEMVER,
      TAGS,
      ['reg:5000/app:1.3.0'],
      'reg:5000/app:1.2.1',
      false,
    ],
    [
      'semver: an invalid range keeps the tag',
      'reg:5000/app:1.2.1',
      { kind: 'semver', range: 'soon' },
      TAGS,
      [],
      'reg:5000/app:1.2.1',
      false,
    ],
  ])('%s', (_, image, policy, facts, rejected, want, pins) => {
    const d = decideImage(image, policy, facts, new Set(rejected));
    expect(d.image).toBe(want);
    expect(d.resolution !== undefined).toBe(pins);
  });
});

const observedService = (name: string, image: string): ObservedObject => ({
  kind: 'service',
  id: `id-${name}`,
  name,
  version: 1,
  labels: {},
  spec: { Name: name, TaskTemplate: { ContainerSpec: { Image: image } } },
});

describe('decideImage under semver with the running image', () => {
  it.each<[string, RegistryFacts | undefined, string | undefined, string[], string]>([
    [
      'no tags known: the running tag in range stays',
      undefined,
      `reg:5000/app:1.3.0@${D1}`,
      [],
      'reg:5000/app:1.3.0',
    ],
    ['no tags known, nothing running: as written', undefined, undefined, [], 'reg:5000/app:1.2.1'],
    [
      'the running tag out of range is no candidate',
      undefined,
      'reg:5000/app:2.0.0',
      [],
      'reg:5000/app:1.2.1',
    ],
    ['another repository is no candidate', undefined, 'reg:5000/other:1.9.0', [], 'reg:5000/app:1.2.1'],
    ['a newer listed tag wins over the running one', TAGS, 'reg:5000/app:1.2.5', [], 'reg:5000/app:1.3.0'],
    [
      'a running tag no longer listed is kept',
      { tags: ['1.2.1'] },
      'reg:5000/app:1.3.0',
      [],
      'reg:5000/app:1.3.0',
    ],
    [
      'a rolled-back running tag is no candidate',
      { tags: ['1.2.1'] },
      'reg:5000/app:1.3.0',
      ['reg:5000/app:1.3.0'],
      'reg:5000/app:1.2.1',
    ],
  ])('%s', (_, facts, running, rejected, want) =>
    expect(decideImage('reg:5000/app:1.2.1', SEMVER, facts, new Set(rejected), running).image).toBe(want),
  );
});

describe('applyImageUpdates and imageChanges', () => {
  const objects = [
    svc('web', {}, { Image: 'reg:5000/web:1' }),
    svc('api', {}, { Image: 'reg:5000/api:1.2.1' }),
    svc('db', {}, { Image: 'reg:5000/db:1' }),
  ];
  const policies = { app_web: DIGEST, app_api: SEMVER };
  const facts = (image: string): RegistryFacts =>
    image.includes('/web:') ? resolved(D2) : image.includes('/api:') ? TAGS : resolved(D2);

  it('rewrites semver services, pins digest services, leaves the others alone', () => {
    const u = applyImageUpdates(objects, policies, facts);
    expect(
      u.objects.map((o) => (o.kind === 'service' ? o.spec.TaskTemplate.ContainerSpec.Image : '')),
    ).toEqual(['reg:5000/web:1', 'reg:5000/api:1.3.0', 'reg:5000/db:1']);
    expect(Object.keys(u.resolutions)).toEqual(['reg:5000/web:1']);
    expect([...u.decided].sort()).toEqual(['app_api', 'app_web']);
    expect(u.objects[2]).toBe(objects[2]);
  });

  it('reports each service a policy changed, from the running image to the one sent', () => {
    const u = applyImageUpdates(objects, policies, facts);
    const observed = [
      observedService('app_web', `reg:5000/web:1@${D1}`),
      observedService('app_api', `reg:5000/api:1.2.1@${D1}`),
      observedService('app_db', `reg:5000/db:1@${D1}`),
    ];
    const at = '2026-12-06T12:00:00.000Z';
    expect(imageChanges(u.objects, observed, u.decided, u.resolutions, at)).toEqual([
      { service: 'app_web', from: `reg:5000/web:1@${D1}`, to: `reg:5000/web:1@${D2}`, at },
      { service: 'app_api', from: `reg:5000/api:1.2.1@${D1}`, to: 'reg:5000/api:1.3.0', at },
    ]);
  });

  it('reports nothing when the running image is what the policy wants, or the service is new', () => {
    const u = applyImageUpdates(objects, policies, facts);
    const observed = [observedService('app_web', `reg:5000/web:1@${D2}`)];
    expect(imageChanges(u.objects, observed, u.decided, u.resolutions, 'now')).toEqual([]);
  });

  it('status keeps the newest changes', () => {
    const change = (i: number) => ({ service: 's', from: `a${i}`, to: `b${i}`, at: `${i}` });
    const prev = Array.from({ length: IMAGE_CHANGES_KEPT }, (_, i) => change(i));
    const kept = keptChanges(prev, [change(99)]);
    expect(kept).toHaveLength(IMAGE_CHANGES_KEPT);
    expect(kept.at(-1)).toEqual(change(99));
    expect(kept[0]).toEqual(change(1));
    expect(keptChanges(undefined, [])).toEqual([]);
  });
});
