// The migration actors' Docker conversations, against a scripted fake of dockerode's modem (every
// request recorded): consumer discovery, ownership of an inline target, `update out of sequence`
// (read again, apply the change to the new spec), waiting for tasks. The copy itself (archive
// streams between two daemons) runs for real in test/integration/volume-migration.test.ts.
import { describe, expect, it } from 'vitest';
import type { MigrationTarget } from '../../../machines/volume-migration.types.js';
import { SOURCE, TARGET, mount, svc, ops, signal, volumeExists } from './migration-actors-harness.js';

describe('discover', () => {
  const services = [
    svc('s1', 'web', { constraints: ['node.hostname==n1'] }),
    svc('s2', 'api'),
    svc('s3', 'elsewhere', { constraints: ['node.hostname==n3'] }),
    svc('s4', 'other', { mounts: [mount('logs')] }),
  ];

  it('finds the services mounting the source volume that may run on the source node, with what rollback needs', async () => {
    const { ops: o } = ops({ manager: { 'GET /services': () => services }, source: volumeExists });
    const found = await o.discover({ input: { source: SOURCE }, signal });
    expect(found).toEqual([
      { service: 'api', id: 's2', replicas: 3, mounts: [mount('data')], constraints: [] },
      { service: 'web', id: 's1', replicas: 3, mounts: [mount('data')], constraints: ['node.hostname==n1'] },
    ]);
  });

  it.each([
    [['nope'], 'spec.consumers: service nope does not exist'],
    [['other'], 'spec.consumers: service other does not mount volume data'],
  ])('named consumers %j: %s (not retryable)', async (consumers, message) => {
    const { ops: o } = ops({ manager: { 'GET /services': () => services }, source: volumeExists });
    await expect(o.discover({ input: { source: SOURCE, consumers }, signal })).rejects.toMatchObject({
      message,
      retryable: false,
    });
  });

  it('refuses a consumer swarmkeeper corrects (its stack would undo the migration)', async () => {
    const owned = svc('s5', 'app_web');
    (owned.Spec as Record<string, unknown>)['Labels'] = {
      'swarmkeeper.io/owner': 'SwarmStack/default/app',
      'swarmkeeper.io/instance': 'me',
    };
    const { ops: o } = ops({ manager: { 'GET /services': () => [owned] }, source: volumeExists });
    const corrected = { instance: 'me', owners: ['SwarmStack/default/app'] };
    await expect(o.discover({ input: { source: SOURCE, corrected }, signal })).rejects.toMatchObject({
      message: expect.stringMatching(
        /^consumer app_web is managed by SwarmStack\/default\/app with driftPolicy correct/,
      ),
      retryable: false,
    });
    // another instance's, or a stack that only detects drift: a consumer like any other
    for (const c of [
      { instance: 'other', owners: corrected.owners },
      { instance: 'me', owners: [] },
    ])
      expect(await o.discover({ input: { source: SOURCE, corrected: c }, signal })).toHaveLength(1);
  });

  it('refuses a global consumer and a missing source volume', async () => {
    const global = ops({
      manager: { 'GET /services': () => [svc('g', 'agent', { global: true })] },
      source: volumeExists,
    });
    await expect(global.ops.discover({ input: { source: SOURCE }, signal })).rejects.toThrow(
      'consumer agent is not a replicated service: only replicated services can be scaled to 0',
    );
    const missing = ops({ manager: { 'GET /services': () => [] } });
    await expect(missing.ops.discover({ input: { source: SOURCE }, signal })).rejects.toMatchObject({
      message: 'source volume data does not exist on node n1',
      retryable: false,
    });
  });
});

describe('ensureTarget', () => {
  it('creates an inline target with its driver and owner labels', async () => {
    const { ops: o, log } = ops({ target: { 'POST /volumes/create': () => ({}) } });
    expect(await o.ensureTarget({ input: { target: TARGET }, signal })).toEqual({
      exists: true,
      created: true,
      driver: 'swlvol',
    });
    expect(log.target.at(-1)?.body).toEqual({
      Name: 'data2',
      Driver: 'swlvol',
      DriverOpts: {},
      Labels: TARGET.create?.labels,
    });
  });

  it('adopts its own volume, refuses someone else’s, reports a missing volumeRef volume', async () => {
    const mine = ops({
      manager: { 'GET /services': () => [svc('S1', 'web')] }, // mounts the source, not the target
      target: {
        'GET /volumes/data2': () => ({
          Name: 'data2',
          Driver: 'swlvol:latest',
          Labels: TARGET.create?.labels,
        }),
      },
    });
    expect(await mine.ops.ensureTarget({ input: { target: TARGET }, signal })).toEqual({
      exists: true,
      created: false,
      driver: 'swlvol:latest',
    });
    const theirs = ops({
      target: { 'GET /volumes/data2': () => ({ Name: 'data2', Driver: 'local', Labels: {} }) },
    });
    await expect(theirs.ops.ensureTarget({ input: { target: TARGET }, signal })).rejects.toMatchObject({
      message: expect.stringMatching(
        /^spec\.target\.spec: volume data2 already exists on node n2 and is not owned by SwarmVolumeMigration\/default\/m/,
      ),
      retryable: false,
    });
    const ref = { ...TARGET, create: undefined, origin: 'spec.target.volumeRef default/d' };
    expect(await ops({}).ops.ensureTarget({ input: { target: ref }, signal })).toEqual({
      exists: false,
      created: false,
      driver: '',
    });
  });
});

describe('ensureTarget over a volume in use', () => {
  it.each<[string, MigrationTarget]>([
    ['its own inline target', TARGET],
    ['a volumeRef target', { ...TARGET, create: undefined, origin: 'spec.target.volumeRef default/d' }],
  ])(
    '%s already mounted by services (an earlier migration completed): refused, naming them, nothing copied',
    async (_n, target) => {
      const { ops: o, log } = ops({
        manager: {
          'GET /services': () => [
            svc('S2', 'web', { mounts: [mount('data2')] }),
            svc('S3', 'api', { mounts: [mount('data2')] }),
          ],
        },
        target: {
          'GET /volumes/data2': () => ({ Name: 'data2', Driver: 'swlvol', Labels: TARGET.create?.labels }),
        },
      });
      await expect(o.ensureTarget({ input: { target }, signal })).rejects.toMatchObject({
        message: expect.stringContaining(
          `${target.origin}: volume data2 on node n2 is already mounted by service(s) api, web: a migration never copies over a volume in use`,
        ),
        retryable: false,
      });
      expect(log.target.filter((r) => r.method !== 'GET')).toEqual([]);
    },
  );
});
