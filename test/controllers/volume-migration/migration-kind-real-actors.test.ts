// The kind reconciler wired to the real Docker actors (only measure here; the other steps faked):
// the helper container's name, image and owner labels, and measure's live progress in the status.
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  migrationActorsFrom,
  type MigrationOps,
} from '../../../controllers/volume-migration/migration-actors.js';
import { DEFAULT_HELPER_IMAGE } from '../../../controllers/volume-migration/migration-kind.js';
import type { NodeEndpoints } from '../../../controllers/machine-runner/node-endpoints.js';
import { ResourceNodeEndpoints } from '../../../controllers/machine-runner/resource-node-endpoints.js';
import { noSecrets } from '../../../controllers/sources/dir-secrets.js';
import { ownerLabels } from '../../../reconciler/model/ownership.js';
import { tar } from '../../machines/tar-fixture.js';
import { fakeDocker, type Req } from './migration-actors-harness.js';
import { AMOUNT, KEY, WEB, harness, resource } from './migration-kind-harness.js';

const HELPER = `skmig-${createHash('sha256').update(KEY).digest('hex').slice(0, 12)}`;
const ARCHIVE = tar([{ name: 'vol/a.txt', data: Buffer.alloc(2048, 1) }]);

function wired(extra: { helperImage?: string } = {}) {
  const log: Req[] = [];
  const node = fakeDocker(
    {
      'GET /volumes/data': () => ({ Name: 'data', Driver: 'local' }),
      'POST /containers/create': () => ({ Id: 'h1' }),
      'GET /containers/h1/archive': () => Readable.from([ARCHIVE.subarray(0, 1024), ARCHIVE.subarray(1024)]),
      'DELETE /containers/h1': () => '',
    },
    log,
  );
  const statics: NodeEndpoints = { docker: () => node as Docker, describe: () => 'fake' };
  const fakes: MigrationOps = {
    discover: async () => [WEB],
    ensureTarget: async () => ({ exists: true, created: true, driver: 'swlvol' }),
    scaleDown: async () => undefined,
    measure: async () => AMOUNT,
    copy: async () => AMOUNT,
    verify: async () => AMOUNT,
    switch: async () => undefined,
    scaleUp: async () => undefined,
    restoreMounts: async () => undefined,
    removeSource: async () => undefined,
  };
  const { measure: _real, ...others } = migrationActorsFrom(fakes);
  void _real;
  const h = harness({
    deps: {
      endpoints: new ResourceNodeEndpoints({ secrets: noSecrets, staticEndpoints: statics }),
      actors: () => others,
      ...extra,
    },
  });
  return { h, log };
}

describe('SwarmVolumeMigration kind with the real measure actor', () => {
  it('measures through a helper named after the key, with the default image and the owner labels', async () => {
    const { h, log } = wired();
    const r = await h.reconciler.reconcile(resource(), h.ctx());
    expect(r.status['phase']).toBe('Succeeded');
    const create = log.find((q) => q.path === '/containers/create');
    expect(create?.query).toEqual({ name: `${HELPER}-measure` });
    expect(create?.body).toMatchObject({
      Image: DEFAULT_HELPER_IMAGE,
      Labels: ownerLabels({ kind: 'SwarmVolumeMigration', namespace: 'default', name: 'move' }, 'test'),
    });
    expect(log.find((q) => q.method === 'DELETE')?.path).toBe(`/containers/${HELPER}-measure`);
    expect(h.progress).toContainEqual(
      expect.objectContaining({ phase: 'Measuring', progress: 'measuring: 2 KiB, 1 files' }),
    );
  });

  it('uses the configured helper image', async () => {
    const { h, log } = wired({ helperImage: 'reg/helper:2' });
    await h.reconciler.reconcile(resource(), h.ctx());
    expect(log.find((q) => q.path === '/containers/create')?.body).toMatchObject({ Image: 'reg/helper:2' });
  });
});
