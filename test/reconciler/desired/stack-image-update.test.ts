import { describe, expect, it } from 'vitest';
import { desiredFor } from '../../../reconciler/desired/desired-for.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { SECRET_HASH_KEY, memFiles } from '../compose/helpers.js';

const ctx = { instanceId: 'i1', files: memFiles({}), secretHashKey: SECRET_HASH_KEY };
const res = (spec: Record<string, unknown>): DesiredResource => ({
  key: 'SwarmStack/default/web',
  kind: 'SwarmStack',
  namespace: 'default',
  name: 'web',
  spec,
  origin: { file: 'web/res.yaml' },
  baseDir: 'web',
});
const compose = (policies: Record<string, unknown>) => ({
  services: Object.fromEntries(
    Object.entries(policies).map(([name, p]) => [
      name,
      {
        image: `reg:5000/${name}:1.2.1`,
        ...(p === undefined ? {} : { 'x-swarmkeeper': { 'image-update': p } }),
      },
    ]),
  ),
});

describe('image update policies of a stack', () => {
  it.each<[string, Record<string, unknown>, unknown, unknown]>([
    ['none anywhere', { a: undefined }, undefined, undefined],
    ['a service policy', { a: 'digest', b: undefined }, undefined, { web_a: { kind: 'digest' } }],
    ['a semver range', { a: { semver: '^1.2' } }, undefined, { web_a: { kind: 'semver', range: '^1.2' } }],
    [
      'the stack default, a service off wins over it',
      { a: undefined, b: 'off' },
      { policy: 'semver', range: '~1.2' },
      { web_a: { kind: 'semver', range: '~1.2' } },
    ],
    ['the stack default off', { a: undefined }, { policy: 'off' }, undefined],
  ])('%s', (_, policies, stackDefault, want) => {
    const spec = { compose: compose(policies), ...(stackDefault ? { imageUpdate: stackDefault } : {}) };
    expect(desiredFor(res(spec), ctx).desired.imageUpdates).toEqual(want);
  });

  it.each<[string, Record<string, unknown>, unknown, string]>([
    ['an unknown policy', { a: 'weekly' }, undefined, 'expected digest, off or {semver: "<range>"}'],
    ['a bad range', { a: { semver: 'soon' } }, undefined, '"soon" is not a semver range'],
    [
      'a stack range without semver',
      { a: undefined },
      { policy: 'digest', range: '^1' },
      'a range goes with the semver policy only',
    ],
    ['semver without a range', { a: undefined }, { policy: 'semver' }, 'the semver policy needs a range'],
    [
      'a bad stack range',
      { a: undefined },
      { policy: 'semver', range: 'soon' },
      '"soon" is not a semver range',
    ],
  ])('%s is refused where it is written', (_, policies, stackDefault, message) => {
    const spec = { compose: compose(policies), ...(stackDefault ? { imageUpdate: stackDefault } : {}) };
    expect(() => desiredFor(res(spec), ctx)).toThrow(message);
  });
});
