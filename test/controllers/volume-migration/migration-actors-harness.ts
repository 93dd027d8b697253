// Shared by the migration-actors-*.test.ts files: a scripted fake of dockerode's modem (every request
// recorded), the nodes, source and target of a migration, and the Docker migration ops over the fake.
import type Docker from 'dockerode';
import {
  dockerMigrationOps,
  type MigrationActorDeps,
} from '../../../controllers/volume-migration/migration-actors.js';
import type { MigrationSource, MigrationTarget } from '../../../machines/volume-migration.types.js';

export interface Req {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
}
export type Handler = (req: Req) => unknown;

/** A Docker whose modem answers from `routes` (`METHOD path` -> handler); a thrown object is an HTTP error. */
export function fakeDocker(routes: Record<string, Handler>, log: Req[]): Docker {
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

export const N1 = { node: 'n1', hostname: 'n1', id: 'ID1' };
export const N2 = { node: 'n2', hostname: 'n2', id: 'ID2' };
export const SOURCE: MigrationSource = { volume: 'data', node: N1 };
export const TARGET: MigrationTarget = {
  volume: 'data2',
  node: N2,
  create: { driver: 'swlvol', labels: { 'swarmkeeper.io/owner': 'SwarmVolumeMigration/default/m' } },
  origin: 'spec.target.spec',
};
export const mount = (source: string) => ({ Type: 'volume', Source: source, Target: '/data' });
export const svc = (
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

export function ops(routes: {
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

export const signal = new AbortController().signal;
export const volumeExists = { 'GET /volumes/data': () => ({ Name: 'data', Driver: 'local' }) };
