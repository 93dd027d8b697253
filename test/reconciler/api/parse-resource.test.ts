import { describe, expect, it } from 'vitest';
import { parseResource } from '../../../reconciler/api/parse.js';
import { isSwarmkeeperError } from '../../../reconciler/errors.js';

const FILE = 'stacks/web.yaml';
const doc = (kind: string, spec: unknown, name = 'web') => ({
  apiVersion: 'swarmkeeper.io/v1alpha1',
  kind,
  metadata: { name },
  spec,
});
const STACK_FIELDS =
  'adopt, compose, composeFile, composeFiles, configRetention, deletionPolicy, dependsOn, driftPolicy, env, envFiles, ignore, imageUpdate, profiles, prune, recreatePolicy, resolveImage, secretRefs, stackName, suspend';
const S = `${FILE}: SwarmStack/web: `;

function errorOf(input: unknown): { code: string; message: string } {
  try {
    parseResource(input, FILE);
  } catch (e) {
    if (!isSwarmkeeperError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected parseResource to throw');
}

describe('parseResource rejects invalid documents with precise messages', () => {
  it.each<[string, unknown, string]>([
    [
      'unknown spec field',
      doc('SwarmStack', { compose: {}, foo: 1 }),
      `${S}spec.foo: unknown field (supported: ${STACK_FIELDS})`,
    ],
    [
      'wrong enum',
      doc('SwarmStack', { compose: {}, driftPolicy: 'fix' }),
      `${S}spec.driftPolicy: must be one of "correct", "detect" (got "fix")`,
    ],
    [
      'driftPolicy detect on a kind that only corrects',
      doc('SwarmVolume', { driver: 'local', driftPolicy: 'detect' }, 'data'),
      `${FILE}: SwarmVolume/data: spec.driftPolicy: must be "correct" (got "detect")`,
    ],
    [
      'ignore paths on a kind whose drift is not planned field by field',
      doc('SwarmNode', { address: 'unix:///n2.sock', ignore: ['Spec.Role'] }, 'n2'),
      `${FILE}: SwarmNode/n2: spec.ignore: unknown field (supported: address, advertiseAddr, availability, deletionPolicy, dependsOn, driftPolicy, force, labels, listenAddr, role, suspend, tls)`,
    ],
    [
      'negative count',
      doc('SwarmStack', { compose: {}, configRetention: -1 }),
      `${S}spec.configRetention: must be >= 0 (got -1)`,
    ],
    [
      'missing compose and composeFile',
      doc('SwarmStack', {}),
      `${S}spec: one of compose, composeFile or composeFiles is required`,
    ],
    [
      'both compose and composeFile',
      doc('SwarmStack', { compose: {}, composeFile: 'a.yml' }),
      `${S}spec: set only one of compose, composeFile or composeFiles`,
    ],
    [
      'bad stackName',
      doc('SwarmStack', { compose: {}, stackName: 'my.app' }),
      `${S}spec.stackName: must start and end with a letter or digit and contain only letters, digits, "-" and "_"`,
    ],
    [
      'metadata.name that cannot be a stack name',
      doc('SwarmStack', { compose: {} }, 'my.app'),
      `${FILE}: SwarmStack/my.app: metadata.name: "my.app" is not a valid stack name (letters, digits, inner "-" and "_"); set spec.stackName`,
    ],
    [
      'composeFile outside the source',
      doc('SwarmStack', { composeFile: '../x.yml' }),
      `${S}spec.composeFile: must be a relative path inside the source (no leading "/", no "..")`,
    ],
    [
      'an env file path longer than 1024 characters (the CRD bounds it for its CEL rule cost)',
      doc('SwarmStack', { composeFile: 'a.yml', envFiles: [`${'d/'.repeat(512)}x.env`] }),
      `${S}spec.envFiles[0]: must be at most 1024 characters`,
    ],
    [
      'missing nested field',
      doc('SwarmStack', { compose: {}, secretRefs: [{ name: 'db', secretRef: { name: 'db' } }] }),
      `${S}spec.secretRefs[0].secretRef.key: required field is missing`,
    ],
    [
      'the same compose file twice, written differently',
      doc('SwarmStack', { composeFiles: ['envs/a.yml', './envs//a.yml'] }),
      `${S}spec.composeFiles[1]: duplicate compose file "./envs//a.yml"`,
    ],
    [
      'the same env file twice, through ./',
      doc('SwarmStack', { composeFile: 'a.yml', envFiles: ['x/./e.env', 'x/e.env'] }),
      `${S}spec.envFiles[1]: duplicate env file "x/e.env"`,
    ],
    [
      'env files with an inline compose document',
      doc('SwarmStack', { compose: {}, envFiles: ['e.env'] }),
      `${S}spec.envFiles: env files go with composeFile or composeFiles (an inline compose document has spec.env)`,
    ],
    [
      'duplicate secretRefs name',
      doc('SwarmStack', {
        compose: {},
        secretRefs: [0, 1].map(() => ({ name: 'db', secretRef: { name: 's', key: 'k' } })),
      }),
      `${S}spec.secretRefs[1].name: duplicate name "db"`,
    ],
    [
      'wrong type',
      doc('SwarmStack', { compose: {}, prune: 'no' }),
      `${S}spec.prune: expected boolean, got string`,
    ],
    [
      'inline password in a volume preset',
      doc('SwarmVolume', { preset: { type: 'nfs', server: 's', path: '/x', password: 'p' } }),
      `${FILE}: SwarmVolume/web: spec.preset.password: unknown field (supported: options, path, readOnly, server, type, version); credentials are read from Kubernetes Secrets (a *SecretRef field)`,
    ],
    [
      'unknown preset type',
      doc('SwarmVolume', { preset: { type: 'ceph' } }),
      `${FILE}: SwarmVolume/web: spec.preset.type: must be one of "local", "nfs", "sshfs", "s3fs", "blobfs" (got "ceph")`,
    ],
    [
      'preset with driver',
      doc('SwarmVolume', { driver: 'local', preset: { type: 'local' } }),
      `${FILE}: SwarmVolume/web: spec.preset: a preset sets driver and driverOpts itself; remove driver/driverOpts or the preset`,
    ],
    [
      'node role enum',
      doc('SwarmNode', { address: 'tcp://10.0.0.5:2376', role: 'boss' }),
      `${FILE}: SwarmNode/web: spec.role: must be one of "manager", "worker" (got "boss")`,
    ],
    [
      'node address',
      doc('SwarmNode', { address: '10.0.0.5' }),
      `${FILE}: SwarmNode/web: spec.address: must be a Docker API URL (tcp://, unix://, ssh://, http:// or https://)`,
    ],
    [
      'migration target',
      doc('SwarmVolumeMigration', { source: { volume: 'v', node: 'a' }, target: { node: 'b' } }),
      `${FILE}: SwarmVolumeMigration/web: spec.target: set exactly one of volumeRef or spec`,
    ],
    [
      'network unknown nested field',
      doc('SwarmNetwork', { ipam: { config: [{ gw: '10.0.0.1' }] } }),
      `${FILE}: SwarmNetwork/web: spec.ipam.config[0].gw: unknown field (supported: auxAddresses, gateway, ipRange, subnet)`,
    ],
    [
      'wrong apiVersion',
      { ...doc('SwarmStack', { compose: {} }), apiVersion: 'v1' },
      `${S}apiVersion: must be "swarmkeeper.io/v1alpha1" (got "v1")`,
    ],
    [
      'unknown kind',
      doc('Foo', {}),
      `${FILE}: kind: must be one of SwarmStack, SwarmNetwork, SwarmVolume, SwarmPlugin, SwarmNode, SwarmVolumeMigration (got "Foo")`,
    ],
    [
      'no kind',
      { apiVersion: 'swarmkeeper.io/v1alpha1', metadata: { name: 'web' }, spec: {} },
      `${FILE}: kind: required field is missing`,
    ],
    [
      'no spec',
      { apiVersion: 'swarmkeeper.io/v1alpha1', kind: 'SwarmNetwork', metadata: { name: 'web' } },
      `${FILE}: SwarmNetwork/web: spec: required field is missing`,
    ],
    [
      'no name: the kind alone names it',
      {
        apiVersion: 'swarmkeeper.io/v1alpha1',
        kind: 'SwarmNetwork',
        metadata: { name: '' },
        spec: {},
      },
      `${FILE}: SwarmNetwork: metadata.name: must be a lowercase RFC 1123 subdomain (a-z, 0-9, "-", ".")`,
    ],
    [
      'metadata that is not a mapping',
      { apiVersion: 'swarmkeeper.io/v1alpha1', kind: 'SwarmNetwork', metadata: 'web', spec: {} },
      `${FILE}: SwarmNetwork: metadata: expected object, got string`,
    ],
    [
      'null',
      null,
      `${FILE}: expected a custom resource (a mapping with apiVersion, kind, metadata, spec), got null`,
    ],
    [
      'a string',
      'SwarmStack',
      `${FILE}: expected a custom resource (a mapping with apiVersion, kind, metadata, spec), got string`,
    ],
    [
      'not a mapping',
      [],
      `${FILE}: expected a custom resource (a mapping with apiVersion, kind, metadata, spec), got array`,
    ],
  ])('%s', (_name, input, message) => {
    expect(errorOf(input)).toEqual({ code: 'SK_ERR_RESOURCE_INVALID', message });
  });

  it.each([
    ['a network with a name that is no stack name', doc('SwarmNetwork', {}, 'my.net')],
    [
      'a stack whose stackName replaces a name that is no stack name',
      doc('SwarmStack', { compose: {}, stackName: 'app' }, 'my.app'),
    ],
  ])('accepts %s', (_n, input) => {
    expect(parseResource(input, FILE).metadata.name).toBe(input.metadata.name);
  });

  it('adds no status a document does not have', () => {
    expect('status' in parseResource(doc('SwarmNetwork', {}), FILE)).toBe(false);
  });

  it('reports every problem, one per line', () => {
    const { message } = errorOf(doc('SwarmStack', { foo: 1, configRetention: -2 }));
    expect(message.split('\n')).toEqual([
      `${S}spec.configRetention: must be >= 0 (got -2)`,
      `${S}spec.foo: unknown field (supported: ${STACK_FIELDS})`,
      `${S}spec: one of compose, composeFile or composeFiles is required`,
    ]);
  });

  it('never echoes a string value that might be secret', () => {
    const { message } = errorOf(doc('SwarmStack', { compose: {}, env: { A: 42 }, stackName: 's3cr3t!' }));
    expect(message).not.toContain('s3cr3t');
    expect(message).toContain('spec.env.A: expected string, got integer');
  });
});

describe('parseResource accepts valid documents and applies defaults', () => {
  it.each<[string, unknown, unknown]>([
    [
      'SwarmStack',
      doc('SwarmStack', { compose: { services: { web: { image: 'x' } } } }),
      {
        compose: { services: { web: { image: 'x' } } },
        prune: true,
        adopt: false,
        resolveImage: 'always',
        recreatePolicy: 'Never',
        configRetention: 2,
        driftPolicy: 'correct',
        deletionPolicy: 'Delete',
      },
    ],
    [
      'SwarmNetwork',
      doc('SwarmNetwork', { ipam: { config: [{ subnet: '10.9.0.0/24' }] } }),
      {
        driver: 'overlay',
        attachable: false,
        internal: false,
        ipam: { driver: 'default', config: [{ subnet: '10.9.0.0/24' }] },
        recreatePolicy: 'Never',
        driftPolicy: 'correct',
        deletionPolicy: 'Delete',
      },
    ],
    [
      'SwarmVolume',
      doc('SwarmVolume', { preset: { type: 'nfs', server: 'nas', path: '/export' } }),
      {
        preset: { type: 'nfs', server: 'nas', path: '/export', version: '4' },
        recreatePolicy: 'Never',
        adopt: false,
        driftPolicy: 'correct',
        deletionPolicy: 'Delete',
      },
    ],
    [
      'SwarmPlugin',
      doc('SwarmPlugin', { remote: 'vieux/sshfs:latest' }),
      {
        remote: 'vieux/sshfs:latest',
        enabled: true,
        adopt: false,
        driftPolicy: 'correct',
        deletionPolicy: 'Delete',
      },
    ],
    [
      'SwarmNode',
      doc('SwarmNode', { address: 'tcp://10.0.0.5:2376', role: 'worker' }),
      {
        address: 'tcp://10.0.0.5:2376',
        role: 'worker',
        force: false,
        driftPolicy: 'correct',
        deletionPolicy: 'Delete',
      },
    ],
    [
      'SwarmVolumeMigration',
      doc('SwarmVolumeMigration', {
        source: { volume: 'v', node: 'a' },
        target: { node: 'b', volumeRef: { name: 'v2' } },
      }),
      {
        source: { volume: 'v', node: 'a' },
        target: { node: 'b', volumeRef: { name: 'v2' } },
        deleteSource: false,
        driftPolicy: 'correct',
        deletionPolicy: 'Delete',
      },
    ],
  ])('%s', (kind, input, spec) => {
    const r = parseResource(input, FILE);
    expect(r).toEqual({
      apiVersion: 'swarmkeeper.io/v1alpha1',
      kind,
      metadata: { name: 'web', namespace: 'default' },
      spec,
    });
  });

  it('keeps server-set metadata and status from the Kubernetes API', () => {
    const input = {
      ...doc('SwarmStack', { composeFile: 'web/compose.yaml' }),
      metadata: { name: 'web', namespace: 'prod', uid: 'u1', generation: 3 },
      status: { observedGeneration: 2 },
    };
    const r = parseResource(input, FILE);
    expect(r.metadata).toEqual({ name: 'web', namespace: 'prod', uid: 'u1', generation: 3 });
    expect(r.status).toEqual({ observedGeneration: 2 });
  });
});
