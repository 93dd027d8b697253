import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderResources } from '../../../reconciler/source/order.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { propertyRuns } from '../../support/property-runs.js';

function res(kind: string, name: string, dependsOn: { kind: string; name: string }[] = []): DesiredResource {
  return {
    key: `${kind}/default/${name}`,
    kind,
    namespace: 'default',
    name,
    spec: { dependsOn },
    origin: { file: `${name}.yaml` },
    baseDir: '.',
  };
}

describe('orderResources', () => {
  it.each([
    [
      'kind rank: networks before stacks',
      [res('SwarmStack', 'a'), res('SwarmNetwork', 'n')],
      ['SwarmNetwork/default/n', 'SwarmStack/default/a'],
    ],
    [
      'dependsOn within a kind',
      [res('SwarmStack', 'a', [{ kind: 'SwarmStack', name: 'b' }]), res('SwarmStack', 'b')],
      ['SwarmStack/default/b', 'SwarmStack/default/a'],
    ],
    [
      'missing dependency is not an ordering error',
      [res('SwarmStack', 'a', [{ kind: 'SwarmNetwork', name: 'gone' }])],
      ['SwarmStack/default/a'],
    ],
  ])('%s', (_n, input, keys) => {
    const r = orderResources(input);
    expect(r.errors).toEqual([]);
    expect(r.ordered.map((x) => x.key)).toEqual(keys);
  });

  it('reports a cycle and leaves its members out', () => {
    const r = orderResources([
      res('SwarmStack', 'a', [{ kind: 'SwarmStack', name: 'b' }]),
      res('SwarmStack', 'b', [{ kind: 'SwarmStack', name: 'a' }]),
      res('SwarmStack', 'c'),
    ]);
    expect(r.ordered.map((x) => x.key)).toEqual(['SwarmStack/default/c']);
    expect(r.errors.map((e) => e.message)).toEqual([
      'a.yaml: SwarmStack/default/a: spec.dependsOn: dependency cycle SwarmStack/default/a -> SwarmStack/default/b -> SwarmStack/default/a',
    ]);
  });

  it('ranks every kind: nodes, plugins, networks, volumes, stacks, migrations, then unknown kinds', () => {
    const kinds = [
      'Other',
      'SwarmVolumeMigration',
      'SwarmStack',
      'SwarmVolume',
      'SwarmNetwork',
      'SwarmPlugin',
      'SwarmNode',
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray(kinds, { minLength: kinds.length }), (order) => {
        expect(orderResources(order.map((k) => res(k, 'x'))).ordered.map((r) => r.kind)).toEqual(
          [...kinds].reverse(),
        );
      }),
      propertyRuns(50),
    );
  });

  it('within a kind, by key, whatever the input order', () => {
    const names = ['c', 'a', 'b'];
    fc.assert(
      fc.property(fc.shuffledSubarray(names, { minLength: 3 }), (order) => {
        expect(orderResources(order.map((n) => res('SwarmStack', n))).ordered.map((r) => r.name)).toEqual([
          'a',
          'b',
          'c',
        ]);
      }),
      propertyRuns(20),
    );
  });

  it('a dependency in another namespace is found by its namespace; without one, the own namespace', () => {
    const a = {
      ...res('SwarmStack', 'a'),
      spec: { dependsOn: [{ kind: 'SwarmStack', name: 'z', namespace: 'other' }] },
    };
    const z = { ...res('SwarmStack', 'z'), key: 'SwarmStack/other/z', namespace: 'other' };
    expect(orderResources([a, z]).ordered.map((r) => r.key)).toEqual([
      'SwarmStack/other/z',
      'SwarmStack/default/a',
    ]);
    const b = res('SwarmStack', 'b', [{ kind: 'SwarmStack', name: 'z' }]);
    const zLocal = res('SwarmStack', 'z');
    expect(orderResources([zLocal, b]).ordered.map((r) => r.name)).toEqual(['z', 'b']);
  });

  it.each([
    ['not a list', { dependsOn: 'SwarmStack/b' }],
    ['entries without kind or name', { dependsOn: [{ name: 'b' }, { kind: 'SwarmStack' }, null] }],
    ['no dependsOn', {}],
  ])('dependsOn %s is no dependency', (_n, spec) => {
    const a = { ...res('SwarmStack', 'a'), spec };
    expect(orderResources([res('SwarmStack', 'b'), a])).toMatchObject({ errors: [] });
    expect(orderResources([res('SwarmStack', 'b'), a]).ordered.map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('an entry without a name or kind names no resource, not even one called "undefined"', () => {
    const a = {
      ...res('SwarmStack', 'a'),
      spec: { dependsOn: [{ kind: 'SwarmStack' }, { name: 'undefined' }] },
    };
    const r = orderResources([a, res('SwarmStack', 'undefined', [{ kind: 'SwarmStack', name: 'a' }])]);
    expect(r.errors).toEqual([]);
    expect(r.ordered.map((x) => x.name)).toEqual(['a', 'undefined']);
  });

  it('a resource two others depend on is ordered once, before both', () => {
    const dep = [{ kind: 'SwarmStack', name: 'c' }];
    const r = orderResources([
      res('SwarmStack', 'a', dep),
      res('SwarmStack', 'b', dep),
      res('SwarmStack', 'c'),
    ]);
    expect(r.errors).toEqual([]);
    expect(r.ordered.map((x) => x.name)).toEqual(['c', 'a', 'b']);
  });

  it('a cycle reached through a resource outside it names only its members', () => {
    const r = orderResources([
      res('SwarmStack', 'x', [{ kind: 'SwarmStack', name: 'y' }]),
      res('SwarmStack', 'y', [{ kind: 'SwarmStack', name: 'z' }]),
      res('SwarmStack', 'z', [{ kind: 'SwarmStack', name: 'y' }]),
    ]);
    expect(r.ordered).toEqual([]);
    expect(r.errors.map((e) => e.message)).toEqual([
      'y.yaml: SwarmStack/default/y: spec.dependsOn: dependency cycle SwarmStack/default/y -> SwarmStack/default/z -> SwarmStack/default/y',
    ]);
  });

  it('a cycle of three is reported once, from the first member in order', () => {
    const r = orderResources([
      res('SwarmStack', 'c', [{ kind: 'SwarmStack', name: 'a' }]),
      res('SwarmStack', 'b', [{ kind: 'SwarmStack', name: 'c' }]),
      res('SwarmStack', 'a', [{ kind: 'SwarmStack', name: 'b' }]),
    ]);
    expect(r.ordered).toEqual([]);
    expect(r.errors.map((e) => e.message)).toEqual([
      'a.yaml: SwarmStack/default/a: spec.dependsOn: dependency cycle SwarmStack/default/a -> SwarmStack/default/b -> SwarmStack/default/c -> SwarmStack/default/a',
    ]);
  });
});
