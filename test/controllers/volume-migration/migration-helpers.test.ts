// The helper containers of a volume migration (created never started, no network, volume at /vol,
// removed before and after use), the manifest read through them and the throttled progress reports.
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  migrationHelpers,
  reporter,
  type MigrationActorDeps,
  type MigrationProgress,
} from '../../../controllers/volume-migration/migration-helpers.js';
import { StepError } from '../../../machines/step-policy.js';
import { sha256, tar } from '../../machines/tar-fixture.js';
import { fakeDocker, signal, type Handler, type Req } from './migration-actors-harness.js';

const LABELS = { 'swarmkeeper.io/owner': 'SwarmVolumeMigration/default/m' };
const httpError = (statusCode: number, message: string) => ({ statusCode, json: { message } });

function setup(routes: Record<string, Handler>, over: Partial<MigrationActorDeps> = {}) {
  const log: Req[] = [];
  const docker = fakeDocker(routes, log);
  const deps: MigrationActorDeps = {
    manager: docker,
    source: docker,
    target: docker,
    helperImage: 'local/busybox:1',
    helperName: 'skmig-t',
    helperLabels: LABELS,
    ...over,
  };
  return { docker, log, h: migrationHelpers(deps) };
}

const exists = { 'GET /volumes/data': () => ({ Name: 'data', Driver: 'local' }) };
const gone = () => {
  throw httpError(404, 'no such container');
};
const created = { 'POST /containers/create': () => ({ Id: 'c1' }) };
const removals = { 'DELETE /containers/skmig-t-src': gone, 'DELETE /containers/c1': () => '' };
const calls = (log: Req[]) => log.map((r) => `${r.method} ${r.path}`);

const failure = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(StepError);
  return e as StepError;
};

describe('withHelper', () => {
  it('removes a leftover, creates a never-started network-less container with the volume at /vol, removes it after use', async () => {
    const { docker, log, h } = setup({ ...exists, ...created, ...removals });
    const got = await h.withHelper(docker, 'n1', 'data', 'src', true, signal, async (id) => `used ${id}`);
    expect(got).toBe('used c1');
    expect(calls(log)).toEqual([
      'GET /volumes/data',
      'DELETE /containers/skmig-t-src',
      'POST /containers/create',
      'DELETE /containers/c1',
    ]);
    expect(log[1]?.query).toEqual({ force: true, v: false });
    expect(log[3]?.query).toEqual({ force: true, v: false });
    expect(log[2]?.query).toEqual({ name: 'skmig-t-src' });
    expect(log[2]?.body).toEqual({
      Image: 'local/busybox:1',
      Cmd: ['true'],
      Labels: LABELS,
      NetworkDisabled: true,
      HostConfig: {
        NetworkMode: 'none',
        Mounts: [{ Type: 'volume', Source: 'data', Target: '/vol', ReadOnly: true }],
      },
    });
  });

  it('mounts read-write when asked, and removes the helper even when the use fails', async () => {
    const { docker, log, h } = setup({ ...exists, ...created, ...removals });
    const boom = new Error('use failed');
    await expect(
      h.withHelper(docker, 'n1', 'data', 'src', false, signal, () => Promise.reject(boom)),
    ).rejects.toBe(boom);
    expect(
      (log[2]?.body as { HostConfig: { Mounts: { ReadOnly: boolean }[] } }).HostConfig.Mounts[0]?.ReadOnly,
    ).toBe(false);
    expect(calls(log).at(-1)).toBe('DELETE /containers/c1');
  });

  it('a failed clean-up after use is ignored', async () => {
    const { docker, h } = setup({
      ...exists,
      ...created,
      'DELETE /containers/skmig-t-src': gone,
      'DELETE /containers/c1': () => {
        throw httpError(500, 'daemon busy');
      },
    });
    await expect(h.withHelper(docker, 'n1', 'data', 'src', true, signal, async () => 7)).resolves.toBe(7);
  });

  it('refuses a missing volume (the helper would create it), not retryable, creating nothing', async () => {
    const { docker, log, h } = setup({ ...created, ...removals });
    const e = await failure(h.withHelper(docker, 'n9', 'data', 'src', true, signal, async () => 1));
    expect(e.message).toBe('volume data does not exist on node n9');
    expect(e.retryable).toBe(false);
    expect(calls(log)).toEqual(['GET /volumes/data']);
  });

  it('a helper image missing on the node: not retryable, says how to fix it', async () => {
    const { docker, h } = setup({
      ...exists,
      ...removals,
      'POST /containers/create': () => {
        throw httpError(404, 'No such image: local/busybox:1');
      },
    });
    const e = await failure(h.withHelper(docker, 'n1', 'data', 'src', true, signal, async () => 1));
    expect(e.message).toBe(
      'helper image local/busybox:1 is not on node n1 (it is never pulled; load it there or set SWARMKEEPER_MIGRATION_HELPER_IMAGE)',
    );
    expect(e.retryable).toBe(false);
  });

  it.each([
    [
      404,
      'no such volume plugin',
      'create helper container skmig-t-src on node n1: no such volume plugin (HTTP 404)',
    ],
    [
      500,
      'image store broken',
      'create helper container skmig-t-src on node n1: image store broken (HTTP 500)',
    ],
  ])('another create failure (%i %s) is a retryable step failure', async (code, msg, want) => {
    const { docker, h } = setup({
      ...exists,
      ...removals,
      'POST /containers/create': () => {
        throw httpError(code, msg);
      },
    });
    const use = vi.fn(async () => 1);
    const e = await failure(h.withHelper(docker, 'n1', 'data', 'src', true, signal, use));
    expect(e.message).toBe(want);
    expect(e.retryable).toBe(true);
    expect(use).not.toHaveBeenCalled();
  });
});

describe('removeContainer', () => {
  it('a missing container is fine; another failure is a retryable step failure', async () => {
    const { docker, h } = setup({
      'DELETE /containers/a': gone,
      'DELETE /containers/b%2Fx': () => {
        throw httpError(409, 'removal in progress');
      },
    });
    await expect(h.removeContainer(docker, 'a', signal)).resolves.toBeUndefined();
    const e = await failure(h.removeContainer(docker, 'b/x', signal));
    expect(e.message).toBe('remove helper container b/x: removal in progress (HTTP 409)');
    expect(e.retryable).toBe(true);
  });
});

describe('manifestOf', () => {
  const archive = tar([
    { name: 'vol/', type: '5' },
    { name: 'vol/a.txt', data: Buffer.from('hello') },
    { name: 'vol/sub/', type: '5' },
    { name: 'vol/sub/b.bin', data: Buffer.from('12345678') },
  ]);

  it('reads the volume read-only through a helper: manifest with hashes, content bytes and files', async () => {
    const chunks: number[] = [];
    const { docker, log, h } = setup({
      ...exists,
      ...created,
      ...removals,
      'GET /containers/c1/archive': () => Readable.from([archive.subarray(0, 700), archive.subarray(700)]),
    });
    const r = await h.manifestOf(docker, 'n1', 'data', 'src', signal, (s) => chunks.push(s.files));
    expect(r.amount).toEqual({ bytes: 13, files: 2 });
    expect(r.manifest.get('a.txt')).toEqual({ type: 'file', size: 5, sha256: sha256('hello') });
    expect(r.manifest.get('sub/b.bin')).toMatchObject({ type: 'file', size: 8, sha256: sha256('12345678') });
    expect(chunks.length).toBe(2);
    const read = log.find((q) => q.path === '/containers/c1/archive');
    expect(read?.query).toEqual({ path: '/vol' });
    expect(
      (log[2]?.body as { HostConfig: { Mounts: { ReadOnly: boolean }[] } }).HostConfig.Mounts[0]?.ReadOnly,
    ).toBe(true);
    expect(calls(log).at(-1)).toBe('DELETE /containers/c1');
  });

  it('a failed read is a retryable step failure naming the volume and node', async () => {
    const { docker, h } = setup({
      ...exists,
      ...created,
      ...removals,
      'GET /containers/c1/archive': () => {
        throw httpError(500, 'disk error');
      },
    });
    const e = await failure(h.manifestOf(docker, 'n1', 'data', 'src', signal));
    expect(e.message).toBe('read volume data on node n1: disk error (HTTP 500)');
    expect(e.retryable).toBe(true);
  });

  it('a stream failing mid-way is a step failure with its message', async () => {
    const { docker, h } = setup({
      ...exists,
      ...created,
      ...removals,
      'GET /containers/c1/archive': () =>
        new Readable({
          read() {
            this.destroy(new Error('connection reset'));
          },
        }),
    });
    const e = await failure(h.manifestOf(docker, 'n1', 'data', 'src', signal));
    expect(e.message).toBe('read volume data on node n1: connection reset');
  });
});

describe('reporter', () => {
  afterEach(() => vi.restoreAllMocks());
  const done = { bytes: 1, files: 1 };

  function clock(start: number) {
    let t = start;
    vi.spyOn(Date, 'now').mockImplementation(() => t);
    return (ms: number) => (t += ms);
  }

  it('reports at most every progressIntervalMs, always when forced, with the total when there is one', () => {
    const seen: MigrationProgress[] = [];
    const tick = clock(10_000);
    const report = reporter(
      {
        onProgress: (p: MigrationProgress) => void seen.push(p),
        progressIntervalMs: 100,
      } as MigrationActorDeps,
      'copy',
      { bytes: 9, files: 9 },
    );
    report(done); // first one: long after 0
    tick(99);
    report(done); // 99 ms later: throttled
    report(done, true); // forced
    tick(100);
    report(done); // exactly the interval: reported
    expect(seen).toEqual([
      { step: 'copy', done, total: { bytes: 9, files: 9 } },
      { step: 'copy', done, total: { bytes: 9, files: 9 } },
      { step: 'copy', done, total: { bytes: 9, files: 9 } },
    ]);
  });

  it('defaults to 250 ms and leaves out an unknown total', () => {
    const seen: MigrationProgress[] = [];
    const tick = clock(10_000);
    const report = reporter(
      { onProgress: (p: MigrationProgress) => void seen.push(p) } as MigrationActorDeps,
      'measure',
    );
    report(done);
    tick(249);
    report(done);
    expect(seen).toHaveLength(1);
    tick(1);
    report(done);
    expect(seen).toEqual([
      { step: 'measure', done },
      { step: 'measure', done },
    ]);
    expect('total' in (seen[0] as object)).toBe(false);
  });

  it('does nothing without onProgress', () => {
    clock(10_000);
    expect(() => reporter({} as MigrationActorDeps, 'verify')(done, true)).not.toThrow();
  });
});
