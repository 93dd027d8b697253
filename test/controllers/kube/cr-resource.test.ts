import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledCrds, crdsFromDir } from '../../../controllers/kube/crd-install.js';
import {
  canonical,
  type CustomObject,
  deletionOf,
  deletionPolicy,
  kubeSpecProblem,
  parseCrKey,
  toDesiredResource,
} from '../../../controllers/kube/cr-resource.js';

const cr = (over: Partial<CustomObject> & { meta?: Record<string, unknown> } = {}): CustomObject => ({
  apiVersion: 'swarmkeeper.io/v1alpha1',
  kind: 'SwarmStack',
  metadata: {
    name: 'web',
    namespace: 'apps',
    generation: 3,
    resourceVersion: '100',
    uid: 'u-1',
    managedFields: [{ manager: 'kubectl' }],
    ...over.meta,
  } as CustomObject['metadata'],
  spec: over.spec ?? { compose: { services: { a: { image: 'x' } } } },
  ...(over.status !== undefined ? { status: over.status } : {}),
});

describe('toDesiredResource', () => {
  it('maps a custom object to a DesiredResource keyed Kind/namespace/name', () => {
    const r = toDesiredResource(cr())!;
    expect(r).toMatchObject({
      key: 'SwarmStack/apps/web',
      kind: 'SwarmStack',
      namespace: 'apps',
      name: 'web',
      generation: 3,
      origin: { file: 'k8s:SwarmStack/apps/web', source: 'kube', revision: 'gen-3' },
    });
    expect(r.document).toEqual({
      apiVersion: 'swarmkeeper.io/v1alpha1',
      kind: 'SwarmStack',
      metadata: { name: 'web', namespace: 'apps', generation: 3 },
      spec: r.spec,
    });
  });

  // GenerationChangedPredicate: only what a reconcile depends on may differ
  it.each([
    ['status only', { status: { conditions: [{ type: 'Ready' }] } }, false],
    ['resourceVersion', { meta: { resourceVersion: '101' } }, false],
    ['managedFields', { meta: { managedFields: [] } }, false],
    [
      'labels and finalizers',
      { meta: { labels: { a: 'b' }, finalizers: ['swarmkeeper.io/cleanup'] } },
      false,
    ],
    ['generation', { meta: { generation: 4 } }, true],
    ['spec', { spec: { compose: { services: {} } } }, true],
    ['deletionTimestamp', { meta: { deletionTimestamp: '2026-01-01T00:00:00Z' } }, true],
  ] as const)('%s changes the compared resource: %s', (_what, over, changes) => {
    const a = JSON.stringify(toDesiredResource(cr()));
    const b = JSON.stringify(toDesiredResource(cr(over as never)));
    expect(a !== b).toBe(changes);
  });

  it.each([
    ['unknown kind', { ...cr(), kind: 'Deployment' }],
    ['no namespace', { ...cr(), metadata: { name: 'x' } }],
    ['no name', { ...cr(), metadata: { namespace: 'x' } }],
  ])('%s: not a resource', (_what, obj) => {
    expect(toDesiredResource(obj as CustomObject)).toBeUndefined();
  });

  it('reads the deletion mark and the deletion policy', () => {
    const deleting = toDesiredResource(
      cr({ meta: { deletionTimestamp: '2026-01-01T00:00:00Z' }, spec: { deletionPolicy: 'Orphan' } }),
    )!;
    expect(deletionOf(deleting)).toBe('2026-01-01T00:00:00Z');
    expect(deletionPolicy(deleting)).toBe('Orphan');
    const live = toDesiredResource(cr())!;
    expect(deletionOf(live)).toBeUndefined();
    expect(deletionPolicy(live)).toBe('Delete');
  });
});

describe('kubeSpecProblem', () => {
  it.each([
    [
      'SwarmStack',
      { composeFile: 'compose.yaml' },
      'spec.composeFile: not supported for Kubernetes custom resources',
    ],
    [
      'SwarmStack',
      { composeFiles: ['a.yml', 'b.yml'] },
      'spec.composeFiles: not supported for Kubernetes custom resources',
    ],
    [
      'SwarmStack',
      { compose: {}, envFiles: ['a.env'] },
      'spec.envFiles: not supported for Kubernetes custom resources',
    ],
    ['SwarmStack', { compose: {} }, undefined],
    ['SwarmStack', { compose: {}, profiles: ['debug'] }, undefined],
    ['SwarmNetwork', { driver: 'overlay' }, undefined],
  ])('%s %j', (kind, spec, message) => {
    const r = toDesiredResource({ ...cr({ spec }), kind })!;
    const problem = kubeSpecProblem(r);
    if (message === undefined) expect(problem).toBeUndefined();
    else {
      expect(problem?.code).toBe('SK_ERR_RESOURCE_INVALID');
      expect(problem?.policy).toBe('terminal');
      expect(problem?.message).toContain(`k8s:${kind}/apps/web: ${message}`);
    }
  });
});

describe('parseCrKey', () => {
  it.each([
    ['SwarmStack/ns/a', { kind: 'SwarmStack', plural: 'swarmstacks', namespace: 'ns', name: 'a' }],
    [
      'SwarmVolumeMigration/ns/m',
      { kind: 'SwarmVolumeMigration', plural: 'swarmvolumemigrations', namespace: 'ns', name: 'm' },
    ],
    ['Source/kube', undefined],
    ['Deployment/ns/a', undefined],
    ['SwarmStack//a', undefined],
  ])('%s', (key, want) => {
    const got = parseCrKey(key);
    if (!want) expect(got).toBeUndefined();
    else
      expect({
        kind: got?.ref.kind,
        plural: got?.ref.plural,
        namespace: got?.namespace,
        name: got?.name,
      }).toEqual(want);
  });
});

describe('canonical', () => {
  it('sorts keys at every level, keeps values and array order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonical(v);
        expect(JSON.parse(JSON.stringify(c))).toEqual(JSON.parse(JSON.stringify(v)));
        expect(canonical(c)).toEqual(c);
      }),
      // a key named "__proto__" (found by fast-check) must survive as an own property
      { examples: [[JSON.parse('{"__proto__":0}') as fc.JsonValue]] },
    );
    expect(JSON.stringify(canonical({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }))).toBe(
      '{"a":{"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe('CRDs for `crds install`', () => {
  it('the built-in CRDs are the checked-in crds/*.yaml', () => {
    const dir = fileURLToPath(new URL('../../../crds/', import.meta.url));
    const names = (l: { metadata?: { name?: string } }[]) => l.map((c) => c.metadata?.name).sort();
    expect(names(crdsFromDir(dir))).toEqual(names(bundledCrds()));
    expect(crdsFromDir(dir)).toHaveLength(6);
  });
});
