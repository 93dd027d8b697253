import { describe, expect, it } from 'vitest';
import { orderResources } from '../../../reconciler/source/order.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';

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
});
