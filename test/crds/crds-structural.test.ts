import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CustomResourceDefinition } from '../../reconciler/api/crd.js';
import { KIND_LIST } from '../../reconciler/api/kinds.js';

type Node = Record<string, unknown>;
const DIR = join(import.meta.dirname, '../../crds');
const crds = KIND_LIST.map((k) => ({
  def: k,
  crd: parse(readFileSync(join(DIR, `${k.plural}.swarmkeeper.io.yaml`), 'utf8')) as CustomResourceDefinition,
}));
const FORBIDDEN = [
  '$ref',
  '$defs',
  'definitions',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'const',
  'propertyNames',
  '$schema',
];

/** Every violation of the Kubernetes structural-schema rules under `node`. */
function violations(node: Node, path: string): string[] {
  const out: string[] = [];
  for (const k of FORBIDDEN) if (k in node) out.push(`${path}: has ${k}`);
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (typeof node.type !== 'string' && !preserve && node['x-kubernetes-int-or-string'] !== true)
    out.push(`${path}: has no type`);
  if (node.properties && node.additionalProperties)
    out.push(`${path}: properties next to additionalProperties`);
  if (
    node.type === 'object' &&
    !node.properties &&
    !node.additionalProperties &&
    !preserve &&
    path !== 'root.metadata'
  )
    out.push(`${path}: object with neither properties nor additionalProperties`);
  if (node.type === 'array' && !node.items) out.push(`${path}: array without items`);
  for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, Node>))
    out.push(...violations(v, `${path}.${k}`));
  if (typeof node.additionalProperties === 'object')
    out.push(...violations(node.additionalProperties as Node, `${path}{}`));
  if (node.items) out.push(...violations(node.items as Node, `${path}[]`));
  return out;
}

function allKeys(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(allKeys);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) => [k, ...allKeys(v)]);
}

describe.each(crds.map((c) => [c.def.kind, c] as const))('CRD %s', (kind, { def, crd }) => {
  const version = crd.spec.versions[0]!;
  const root = version.schema.openAPIV3Schema as Node;
  const spec = (root.properties as Record<string, Node>).spec!;

  it('is an apiextensions v1 CRD in group swarmkeeper.io, namespaced, with names and category', () => {
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(crd.metadata.name).toBe(`${def.plural}.swarmkeeper.io`);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names).toEqual({
      kind,
      listKind: `${kind}List`,
      plural: def.plural,
      singular: def.singular,
      shortNames: [...def.shortNames],
      categories: ['swarmkeeper'],
    });
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, true]]);
  });

  it('has a structural schema', () => {
    expect(violations(root, 'root')).toEqual([]);
  });

  it('has the status subresource and the printer columns', () => {
    expect(version.subresources).toEqual({ status: {} });
    const cols = version.additionalPrinterColumns;
    expect(cols.slice(-3)).toEqual([
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    expect(cols.length).toBeGreaterThan(3);
  });

  it('rejects negative numbers: every integer in spec and status has a minimum', () => {
    const ints: string[] = [];
    const walk = (n: Node, p: string): void => {
      if (n.type === 'integer' && typeof n.minimum !== 'number') ints.push(p);
      for (const [k, v] of Object.entries((n.properties ?? {}) as Record<string, Node>)) walk(v, `${p}.${k}`);
      if (n.items) walk(n.items as Node, `${p}[]`);
    };
    walk(root, 'root');
    expect(ints).toEqual([]);
  });

  it('has enums for the common policies and no inline password field', () => {
    const props = spec.properties as Record<string, Node>;
    // plugins, volumes and migrations only correct: detect is refused rather than ignored
    const correctOnly = ['SwarmPlugin', 'SwarmVolume', 'SwarmVolumeMigration'].includes(kind);
    expect(props.driftPolicy).toMatchObject({
      type: 'string',
      enum: correctOnly ? ['correct'] : ['correct', 'detect'],
      default: 'correct',
    });
    expect(props.deletionPolicy).toMatchObject({
      type: 'string',
      enum: ['Delete', 'Orphan'],
      default: 'Delete',
    });
    expect(allKeys(root).filter((k) => /password/i.test(k))).toEqual([]);
  });
});

describe('per-kind CRD details', () => {
  const specOf = (kind: string) => {
    const c = crds.find((x) => x.def.kind === kind)!.crd;
    return (c.spec.versions[0]!.schema.openAPIV3Schema.properties as Record<string, Node>).spec as Node & {
      properties: Record<string, Node>;
    };
  };
  it.each<[string, string, Node]>([
    ['SwarmStack', 'compose', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }],
    ['SwarmStack', 'configRetention', { type: 'integer', minimum: 0, default: 2 }],
    ['SwarmStack', 'recreatePolicy', { type: 'string', enum: ['Never', 'Always'], default: 'Never' }],
    ['SwarmNode', 'role', { type: 'string', enum: ['manager', 'worker'] }],
    ['SwarmNode', 'availability', { type: 'string', enum: ['active', 'pause', 'drain'] }],
    ['SwarmPlugin', 'enabled', { type: 'boolean', default: true }],
    ['SwarmNetwork', 'driver', { type: 'string', default: 'overlay' }],
  ])('%s spec.%s', (kind, field, expected) => {
    expect(specOf(kind).properties[field]).toMatchObject(expected);
  });

  it('SwarmStack enforces exactly one of compose/composeFile/composeFiles with CEL', () => {
    expect(specOf('SwarmStack')['x-kubernetes-validations']).toEqual([
      {
        rule: '(has(self.compose) ? 1 : 0) + (has(self.composeFile) ? 1 : 0) + (has(self.composeFiles) ? 1 : 0) <= 1',
        message: 'set only one of compose, composeFile or composeFiles',
      },
      {
        rule: 'has(self.compose) || has(self.composeFile) || has(self.composeFiles)',
        message: 'one of compose, composeFile or composeFiles is required',
      },
      {
        rule: '!(has(self.compose) && has(self.envFiles))',
        message: 'env files go with composeFile or composeFiles (an inline compose document has spec.env)',
      },
    ]);
  });

  it('SwarmVolume presets merge into one object with per-type CEL rules and no cross-type default', () => {
    const preset = specOf('SwarmVolume').properties.preset as Node & { properties: Record<string, Node> };
    expect(preset.type).toBe('object');
    expect(preset.properties.type).toEqual({
      type: 'string',
      enum: ['local', 'nfs', 'sshfs', 's3fs', 'blobfs'],
    });
    expect(preset.required).toEqual(['type']);
    expect(preset.properties.version?.default).toBeUndefined();
    const rules = preset['x-kubernetes-validations'] as { rule: string }[];
    expect(rules.map((r) => r.rule.split(' ||')[0])).toEqual(
      ['local', 'nfs', 'sshfs', 's3fs', 'blobfs'].map((t) => `self.type != '${t}'`),
    );
  });
});
