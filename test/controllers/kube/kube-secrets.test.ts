// Kubernetes Secrets for secret references: the pure parts (decoding, the metadata-only cache,
// which resources a changed Secret reconciles), inline compose files in a custom resource, and
// how reconcile-resource resolves spec.secretRefs (errors name the field, never the value).
import { describe, expect, it } from 'vitest';
import { kubeSpecProblem, toDesiredResource } from '../../../controllers/kube/cr-resource.js';
import {
  keysReferencingSecret,
  referencedSecrets,
  secretValue,
  withoutData,
} from '../../../controllers/kube/kube-secrets.js';
import { resolveSecretRefs } from '../../../controllers/stack/secret-refs.js';
import { noSecrets } from '../../../controllers/sources/dir-secrets.js';
import { skError, type SwarmkeeperError } from '../../../reconciler/errors.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import type { SecretResolver } from '../../../controllers/ports.js';

const VALUE = 's3cr3t-unit-value';

const cr = (name: string, spec: Record<string, unknown>, kind = 'SwarmStack', namespace = 'apps') =>
  toDesiredResource({
    apiVersion: 'swarmkeeper.io/v1alpha1',
    kind,
    metadata: { name, namespace, generation: 1 },
    spec,
  })!;

describe('Secret data', () => {
  it.each([
    [
      'a present key is decoded from base64',
      { password: Buffer.from(VALUE).toString('base64') },
      'password',
      VALUE,
    ],
    ['an empty value is an empty buffer', { password: '' }, 'password', ''],
    ['a missing key is undefined', { other: 'eA==' }, 'password', undefined],
    ['no data at all is undefined', undefined, 'password', undefined],
    ['an inherited property is not a key', {}, 'constructor', undefined],
  ])('%s', (_what, data, key, expected) => {
    const v = secretValue({ metadata: { name: 's' }, ...(data ? { data } : {}) }, key);
    expect(v?.toString()).toBe(expected);
  });

  it('the watch cache keeps metadata only', () => {
    const s = withoutData({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'apps', resourceVersion: '7' },
      data: { k: Buffer.from(VALUE).toString('base64') },
      stringData: { k: VALUE },
      type: 'Opaque',
    });
    expect(s).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'apps', resourceVersion: '7' },
      type: 'Opaque',
    });
  });
});

describe('which resources a changed Secret reconciles', () => {
  const stackRef = (secret: string) => ({
    compose: { services: { a: { image: 'x' } }, secrets: { db: {} } },
    secretRefs: [{ name: 'db', secretRef: { name: secret, key: 'k' } }],
  });
  const resources: DesiredResource[] = [
    cr('uses-db', stackRef('db-creds')),
    cr('uses-other', stackRef('other')),
    cr('other-ns', stackRef('db-creds'), 'SwarmStack', 'elsewhere'),
    cr('node', { address: 'tcp://n:2376', tls: { secretRef: { name: 'db-creds' } } }, 'SwarmNode'),
    cr('preset', { preset: { type: 'cifs', credentialsSecretRef: { name: 'db-creds' } } }, 'SwarmVolume'),
    // a compose secret named like the Secret is not a reference to it
    cr('compose-only', {
      compose: { services: { a: { image: 'x' } }, secrets: { 'db-creds': { content: 'x' } } },
    }),
  ];

  it.each([
    ['apps', 'db-creds', ['SwarmNode/apps/node', 'SwarmStack/apps/uses-db', 'SwarmVolume/apps/preset']],
    ['apps', 'other', ['SwarmStack/apps/uses-other']],
    ['elsewhere', 'db-creds', ['SwarmStack/elsewhere/other-ns']],
    ['apps', 'unused', []],
  ])('Secret %s/%s', (ns, name, keys) => {
    expect(keysReferencingSecret(resources, ns, name)).toEqual(keys);
  });

  it.each([
    ['stack secretRefs', { secretRefs: [{ name: 'a', secretRef: { name: 's1', key: 'k' } }] }, ['s1']],
    ['a nested *SecretRef', { x: { y: [{ privateKeySecretRef: { name: 's2', key: 'k' } }] } }, ['s2']],
    ['a secretRef without a name', { secretRef: {} }, []],
    ['inside inline compose (not a Secret reference)', { compose: { secretRef: { name: 's3' } } }, []],
  ])('%s', (_what, spec, names) => {
    expect([...referencedSecrets(spec)]).toEqual(names);
  });
});

describe('inline compose of a custom resource has no files', () => {
  it.each([
    [
      'env_file',
      { services: { app: { image: 'x', env_file: 'app.env' } } },
      'spec.compose.services.app.env_file',
    ],
    [
      'a config file',
      { services: { app: { image: 'x' } }, configs: { c: { file: 'c.conf' } } },
      'spec.compose.configs.c.file',
    ],
    [
      'a secret file',
      { services: { app: { image: 'x' } }, secrets: { s: { file: 's.txt' } } },
      'spec.compose.secrets.s.file',
    ],
    ['an include', { include: ['db.yml'], services: {} }, 'spec.compose.include'],
    [
      'extends of another file',
      { services: { app: { extends: { file: 'base.yml', service: 'b' } } } },
      'spec.compose.services.app.extends.file',
    ],
  ])('%s is a terminal error naming the resource and the field', (_what, compose, field) => {
    const err = kubeSpecProblem(cr('web', { compose }));
    expect(err?.policy).toBe('terminal');
    expect(err?.code).toBe('SK_ERR_FILE_UNREADABLE');
    expect(err?.message).toContain(
      `k8s:SwarmStack/apps/web: ${field}: inline compose from the Kubernetes API has no files to read`,
    );
  });

  it('names every file field at once', () => {
    const err = kubeSpecProblem(
      cr('web', {
        compose: {
          services: { a: { image: 'x', env_file: ['a.env'] }, b: { image: 'x', env_file: 'b.env' } },
          configs: { c: { file: 'c' } },
        },
      }),
    );
    expect(err?.message).toContain(
      'spec.compose.services.a.env_file, spec.compose.services.b.env_file, spec.compose.configs.c.file:',
    );
  });

  it.each([
    [
      'content and environment',
      { services: { a: { image: 'x', environment: { A: '1' } } }, configs: { c: { content: 'x' } } },
    ],
    ['a secret filled by secretRefs', { services: { a: { image: 'x' } }, secrets: { s: {} } }],
  ])('%s: no problem', (_what, compose) => {
    expect(kubeSpecProblem(cr('web', { compose }))).toBeUndefined();
  });
});

describe('resolveSecretRefs', () => {
  // An in-memory SecretResolver (the port): Secret apps/db-creds with key "password".
  const mem: SecretResolver = {
    get: async (ns, name, key) => {
      if (ns !== 'apps' || name !== 'db-creds')
        throw skError('DEPENDENCY_NOT_READY', `secret ${ns}/${name} not found`, { requeueAfterMs: 30_000 });
      if (key !== 'password') throw skError('RESOURCE_INVALID', `secret ${ns}/${name} has no key "${key}"`);
      return Buffer.from(VALUE);
    },
  };
  const stack = (refs: unknown[]) =>
    cr('web', { compose: { services: { a: { image: 'x' } }, secrets: { db: {} } }, secretRefs: refs });

  it('resolves each reference by compose secret name', async () => {
    const out = await resolveSecretRefs(
      stack([{ name: 'db', secretRef: { name: 'db-creds', key: 'password' } }]),
      mem,
    );
    expect(Buffer.from(out!['db']!).toString()).toBe(VALUE);
  });

  it('is undefined without references', async () => {
    expect(await resolveSecretRefs(cr('web', { compose: { services: {} } }), mem)).toBeUndefined();
  });

  it.each([
    [
      'a missing Secret waits for it',
      { name: 'db', secretRef: { name: 'nope', key: 'password' } },
      mem,
      'waiting',
      'k8s:SwarmStack/apps/web: spec.secretRefs[1]: secret apps/nope not found',
    ],
    [
      'a missing key is terminal',
      { name: 'db', secretRef: { name: 'db-creds', key: 'nope' } },
      mem,
      'terminal',
      'k8s:SwarmStack/apps/web: spec.secretRefs[1]: secret apps/db-creds has no key "nope"',
    ],
    [
      'no Secret store is terminal',
      { name: 'db', secretRef: { name: 'db-creds', key: 'password' } },
      noSecrets,
      'terminal',
      'k8s:SwarmStack/apps/web: spec.secretRefs[0]: secret reference apps/db-creds key "password": no Secret store is configured',
    ],
  ])('%s and names the field', async (_what, ref, resolver, policy, message) => {
    const refs =
      resolver === noSecrets
        ? [ref]
        : [{ name: 'ok', secretRef: { name: 'db-creds', key: 'password' } }, ref];
    const err = (await resolveSecretRefs(stack(refs), resolver).catch((e: unknown) => e)) as SwarmkeeperError;
    expect(err.policy).toBe(policy);
    expect(err.message).toContain(message);
    expect(err.message).not.toContain(VALUE);
  });

  it('a schema error is reported as such before any Secret is read', async () => {
    let reads = 0;
    const counting: SecretResolver = { get: async () => (reads++, Buffer.from(VALUE)) };
    const err = (await resolveSecretRefs(
      stack([{ name: 'db', secretRef: { name: 'BAD NAME' } }]),
      counting,
    ).catch((e: unknown) => e)) as SwarmkeeperError;
    expect(err.code).toBe('SK_ERR_RESOURCE_INVALID');
    expect(err.message).toContain('spec.secretRefs[0].secretRef');
    expect(reads).toBe(0);
  });
});
