import { describe, expect, it } from 'vitest';
import { desiredFor, toDocument } from '../../../reconciler/desired/desired-for.js';
import { skError } from '../../../reconciler/errors.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { memFiles, SECRET_HASH_KEY } from '../compose/helpers.js';

const files = memFiles({ 'web/docker-compose.yml': 'services:\n  app:\n    image: img:1\n' });
const ctx = { instanceId: 'i1', files, secretHashKey: SECRET_HASH_KEY };
const res = (
  kind: string,
  spec: Record<string, unknown>,
  extra: Partial<DesiredResource> = {},
): DesiredResource => ({
  key: `${kind}/default/web`,
  kind,
  namespace: 'default',
  name: 'web',
  spec,
  origin: { file: 'web/res.yaml' },
  baseDir: 'web',
  ...extra,
});

describe('desiredFor', () => {
  it('the policy defaults', () => {
    const d = desiredFor(res('SwarmStack', { composeFile: 'docker-compose.yml' }), ctx);
    expect(d.policy).toEqual({
      prune: true,
      adopt: false,
      recreatePolicy: 'Never',
      configRetention: 2,
      ignore: [],
      driftPolicy: 'correct',
      suspend: false,
      dependsOn: [],
      resolveImage: 'always',
    });
    expect(d.stackNamespace).toBe('web');
    expect(d.desired.owner).toEqual({ kind: 'SwarmStack', namespace: 'default', name: 'web' });
    expect(d.desired.objects.map((o) => `${o.kind} ${o.name}`)).toEqual([
      'network web_default',
      'service web_app',
    ]);
  });

  it('the policy as the spec sets it, and the stack name as the namespace to adopt from', () => {
    const spec = {
      composeFile: 'docker-compose.yml',
      stackName: 'shop',
      prune: false,
      adopt: true,
      recreatePolicy: 'Always',
      configRetention: 5,
      ignore: ['Mode.Replicated.Replicas'],
      driftPolicy: 'detect',
      suspend: true,
      dependsOn: [{ kind: 'SwarmNetwork', name: 'front' }],
      resolveImage: 'changed',
    };
    const d = desiredFor(res('SwarmStack', spec), ctx);
    expect(d.policy).toEqual({
      prune: false,
      adopt: true,
      recreatePolicy: 'Always',
      configRetention: 5,
      ignore: ['Mode.Replicated.Replicas'],
      driftPolicy: 'detect',
      suspend: true,
      dependsOn: [{ kind: 'SwarmNetwork', name: 'front' }],
      resolveImage: 'changed',
    });
    expect(d.stackNamespace).toBe('shop');
  });

  it('a SwarmNetwork is one network, without warnings or stack namespace', () => {
    const d = desiredFor(res('SwarmNetwork', { attachable: true }), ctx);
    expect(d.desired.objects).toMatchObject([{ kind: 'network', name: 'web', spec: { Attachable: true } }]);
    expect(d.warnings).toEqual([]);
    expect(d).not.toHaveProperty('stackNamespace');
  });

  it('a kind that is validated but not planned is refused, naming the planned kinds', () => {
    expect(() => desiredFor(res('SwarmVolume', {}), ctx)).toThrow(
      'web/res.yaml: SwarmVolume/default/web: kind SwarmVolume is validated but not reconciled by this version of swarmkeeper (reconciled kinds: SwarmStack, SwarmNetwork)',
    );
  });

  it('a load error is thrown as it is', () => {
    const e = skError('YAML_SYNTAX', 'web/res.yaml:1: bad');
    expect(() => desiredFor(res('SwarmStack', {}, { loadError: e }), ctx)).toThrow(e);
  });

  it('an invalid spec is a terminal error', () => {
    expect(() => desiredFor(res('SwarmNetwork', { attachable: 'yes' }), ctx)).toThrow(
      expect.objectContaining({ code: 'SK_ERR_RESOURCE_INVALID', policy: 'terminal' }),
    );
  });
});

describe('toDocument', () => {
  it('builds the CR document of a resource without one', () => {
    expect(toDocument(res('SwarmNetwork', { a: 1 }))).toEqual({
      apiVersion: 'swarmkeeper.io/v1alpha1',
      kind: 'SwarmNetwork',
      metadata: { name: 'web', namespace: 'default' },
      spec: { a: 1 },
    });
  });

  it('uses the document the source read', () => {
    const document = { kind: 'X' };
    expect(toDocument(res('SwarmNetwork', {}, { document }))).toBe(document);
  });
});
