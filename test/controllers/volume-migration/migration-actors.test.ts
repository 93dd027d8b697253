// The migration actors' Docker conversations, against a scripted fake of dockerode's modem (every
// request recorded): consumer discovery, ownership of an inline target, `update out of sequence`
// (read again, apply the change to the new spec), waiting for tasks. The copy itself (archive
// streams between two daemons) runs for real in test/integration/volume-migration.test.ts.
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import {
  dockerMigrationOps,
  type MigrationActorDeps,
} from '../../../controllers/volume-migration/migration-actors.js';
import type {
  ConsumerRecord,
  MigrationSource,
  MigrationTarget,
} from '../../../machines/volume-migration.types.js';

interface Req {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
}
type Handler = (req: Req) => unknown;

/** A Docker whose modem answers from `routes` (`METHOD path` -> handler); a thrown object is an HTTP error. */
function fakeDocker(routes: Record<string, Handler>, log: Req[]): Docker {
  return {
    modem: {
      dial(
        opts: { path: string; method: string; options?: { _query?: object; _body?: unknown } },
        cb: (e: unknown, d?: unknown) => void,
      ) {
        const req: Req = {
          method: opts.method,
          path: opts.path.replace(/\?$/, ''),
          query: (opts.options?._query ?? {}) as Record<string, unknown>,
          body: opts.options?._body,
        };
        log.push(req);
        const h = routes[`${req.method} ${req.path}`];
        if (!h) return cb({ statusCode: 404, json: { message: `no such route ${req.method} ${req.path}` } });
        try {
          cb(null, h(req));
        } catch (e) {
          cb(e);
        }
      },
    },
  } as unknown as Docker;
}

const N1 = { node: 'n1', hostname: 'n1', id: 'ID1' };
const N2 = { node: 'n2', hostname: 'n2', id: 'ID2' };
const SOURCE: MigrationSource = { volume: 'data', node: N1 };
const TARGET: MigrationTarget = {
  volume: 'data2',
  node: N2,
  create: { driver: 'swlvol', labels: { 'swarmkeeper.io/owner': 'SwarmVolumeMigration/default/m' } },
  origin: 'spec.target.spec',
};
const mount = (source: string) => ({ Type: 'volume', Source: source, Target: '/data' });
const svc = (
  id: string,
  name: string,
  extra: { constraints?: string[]; global?: boolean; mounts?: object[] } = {},
) => ({
  ID: id,
  Version: { Index: 10 },
  Spec: {
    Name: name,
    Mode: extra.global ? { Global: {} } : { Replicated: { Replicas: 3 } },
    TaskTemplate: {
      ContainerSpec: { Image: 'img', Mounts: extra.mounts ?? [mount('data')] },
      ...(extra.constraints ? { Placement: { Constraints: extra.constraints } } : {}),
    },
  },
});

function ops(routes: {
  manager?: Record<string, Handler>;
  source?: Record<string, Handler>;
  target?: Record<string, Handler>;
}) {
  const log: { manager: Req[]; source: Req[]; target: Req[] } = { manager: [], source: [], target: [] };
  const deps: MigrationActorDeps = {
    manager: fakeDocker(routes.manager ?? {}, log.manager),
    source: fakeDocker(routes.source ?? {}, log.source),
    target: fakeDocker(routes.target ?? {}, log.target),
    helperImage: 'local/busybox:1',
    helperName: 'skmig-test',
    helperLabels: { 'swarmkeeper.io/owner': 'SwarmVolumeMigration/default/m' },
    taskPollIntervalMs: 1,
  };
  return { ops: dockerMigrationOps(deps), log };
}

const signal = new AbortController().signal;
const volumeExists = { 'GET /volumes/data': () => ({ Name: 'data', Driver: 'local' }) };

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

describe('service updates', () => {
  const WEB: ConsumerRecord = {
    service: 'web',
    id: 's1',
    replicas: 3,
    mounts: [mount('data')],
    constraints: ['node.hostname==n1'],
  };

  it('on `update out of sequence` reads the service again and applies the change to the new spec and version', async () => {
    let reads = 0;
    let updates = 0;
    const { ops: o, log } = ops({
      manager: {
        'GET /services/s1': () => {
          reads += 1;
          const s = svc('s1', 'web', { constraints: ['node.hostname==n1'] });
          // someone else changed the service in between: a new label and version
          return reads === 1
            ? s
            : { ...s, Version: { Index: 11 }, Spec: { ...s.Spec, Labels: { changed: 'yes' } } };
        },
        'POST /services/s1/update': () => {
          updates += 1;
          if (updates === 1)
            throw {
              statusCode: 500,
              json: { message: 'rpc error: code = Unknown desc = update out of sequence' },
            };
          return {};
        },
      },
    });
    await o.switch({ input: { consumers: [WEB], source: SOURCE, target: TARGET }, signal });
    const posts = log.manager.filter((r) => r.method === 'POST');
    expect(posts.map((p) => p.query)).toEqual([{ version: 10 }, { version: 11 }]);
    expect(posts[1]?.body).toMatchObject({
      Labels: { changed: 'yes' },
      TaskTemplate: {
        ContainerSpec: { Mounts: [mount('data2')] },
        Placement: { Constraints: ['node.hostname==n2'] },
      },
    });
  });

  it('a service that already has the change is not updated; a deleted one is skipped', async () => {
    const switched = svc('s1', 'web', { constraints: ['node.hostname==n2'], mounts: [mount('data2')] });
    const { ops: o, log } = ops({ manager: { 'GET /services/s1': () => switched } });
    await o.switch({ input: { consumers: [WEB], source: SOURCE, target: TARGET }, signal });
    await o.restoreMounts({
      input: { consumers: [{ ...WEB, id: 'gone' }], source: SOURCE, target: TARGET },
      signal,
    });
    expect(log.manager.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('scale-down sets 0 replicas and waits until no task of the consumer runs', async () => {
    let lists = 0;
    const { ops: o, log } = ops({
      manager: {
        'GET /services/s1': () => svc('s1', 'web'),
        'POST /services/s1/update': () => ({}),
        'GET /tasks': () => {
          lists += 1;
          return [
            { ID: 't1', Status: { State: lists < 3 ? 'running' : 'shutdown' } },
            { ID: 't0', Status: { State: 'failed' } },
          ];
        },
      },
    });
    await o.scaleDown({ input: { consumers: [WEB] }, signal });
    expect(lists).toBe(3);
    expect(log.manager.find((r) => r.method === 'POST')?.body).toMatchObject({
      Mode: { Replicated: { Replicas: 0 } },
    });
    expect(log.manager.find((r) => r.path === '/tasks')?.query).toEqual({
      filters: JSON.stringify({ service: ['s1'] }),
    });
  });

  it('scale-up restores the recorded replicas and, going forward, waits for them to run', async () => {
    let lists = 0;
    const running = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        ID: `t${i}`,
        DesiredState: 'running',
        Status: { State: 'running' },
      }));
    const { ops: o, log } = ops({
      manager: {
        'GET /services/s1': () => ({
          ...svc('s1', 'web'),
          Spec: { ...svc('s1', 'web').Spec, Mode: { Replicated: { Replicas: 0 } } },
        }),
        'POST /services/s1/update': () => ({}),
        'GET /tasks': () => running(++lists),
      },
    });
    await o.scaleUp({ input: { consumers: [WEB], wait: true }, signal });
    expect(lists).toBe(3);
    expect(log.manager.find((r) => r.method === 'POST')?.body).toMatchObject({
      Mode: { Replicated: { Replicas: 3 } },
    });
    lists = 0;
    await o.scaleUp({ input: { consumers: [WEB], wait: false }, signal });
    expect(lists).toBe(0);
  });
});

describe('helpers and removal', () => {
  it('a helper image missing on the node is a precise, non-retryable error; the volume is checked first', async () => {
    const { ops: o, log } = ops({
      source: {
        ...volumeExists,
        'DELETE /containers/skmig-test-measure': () => {
          throw { statusCode: 404, json: { message: 'No such container' } };
        },
        'POST /containers/create': () => {
          throw { statusCode: 404, json: { message: 'No such image: local/busybox:1' } };
        },
      },
    });
    await expect(o.measure({ input: { source: SOURCE }, signal })).rejects.toMatchObject({
      message: expect.stringMatching(/^helper image local\/busybox:1 is not on node n1 \(it is never pulled/),
      retryable: false,
    });
    const create = log.source.find((r) => r.path === '/containers/create');
    expect(create?.query).toEqual({ name: 'skmig-test-measure' });
    expect(create?.body).toMatchObject({
      Image: 'local/busybox:1',
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        Mounts: [{ Type: 'volume', Source: 'data', Target: '/vol', ReadOnly: true }],
      },
    });
    await expect(ops({}).ops.measure({ input: { source: SOURCE }, signal })).rejects.toMatchObject({
      message: 'volume data does not exist on node n1',
      retryable: false,
    });
  });

  it('removeSource removes the consumers’ stopped task containers, then the volume; others block it', async () => {
    const removed: string[] = [];
    const containers = [
      { Id: 'c1', State: 'exited', Names: ['/web.1.x'], Labels: { 'com.docker.swarm.service.id': 's1' } },
    ];
    const { ops: o } = ops({
      source: {
        ...volumeExists,
        'GET /containers/json': () => containers,
        'DELETE /containers/c1': () => removed.push('c1'),
        'DELETE /volumes/data': () => removed.push('data'),
      },
    });
    const WEB: ConsumerRecord = { service: 'web', id: 's1', replicas: 1, mounts: [], constraints: [] };
    await o.removeSource({ input: { source: SOURCE, consumers: [WEB] }, signal });
    expect(removed).toEqual(['c1', 'data']);
    containers.push({ Id: 'c2', State: 'running', Names: ['/backup'], Labels: {} as never });
    removed.length = 0;
    await expect(o.removeSource({ input: { source: SOURCE, consumers: [WEB] }, signal })).rejects.toThrow(
      'volume data on node n1 is in use by backup',
    );
    expect(removed).toEqual(['c1']);
  });
});
