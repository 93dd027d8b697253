// The data path of the migration's Docker actors: measure, copy (source archive piped into the
// target through a tar meter) and verify (manifests compared), with progress reports and the exact
// step failures. Each node is a fake daemon whose archive routes stream.
import type Docker from 'dockerode';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  dockerMigrationOps,
  type MigrationProgress,
} from '../../../controllers/volume-migration/migration-actors.js';
import { StepError } from '../../../machines/step-policy.js';
import { tar } from '../../machines/tar-fixture.js';
import { SOURCE, TARGET, signal } from './migration-actors-harness.js';

interface Call {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
}
type Route = (c: Call) => unknown;
const err = (statusCode: number, message: string) => ({ statusCode, json: { message } });
const gone = () => {
  throw err(404, 'no such container');
};

/** A daemon: JSON routes, a streamed GET archive, a PUT archive that reads its whole body. */
function daemon(volume: string, id: string, archive: () => Readable, put?: (b: Buffer) => unknown) {
  const log: Call[] = [];
  const routes: Record<string, Route> = {
    [`GET /volumes/${volume}`]: () => ({ Name: volume, Driver: 'local' }),
    'POST /containers/create': () => ({ Id: id }),
    [`GET /containers/${id}/archive`]: () => archive(),
  };
  const docker = {
    modem: {
      dial(
        o: { path: string; method: string; file?: Readable; options?: { _query?: object; _body?: unknown } },
        cb: (e: unknown, d?: unknown) => void,
      ) {
        const c: Call = {
          method: o.method,
          path: o.path.replace(/\?$/, ''),
          query: (o.options?._query ?? {}) as Record<string, unknown>,
          body: o.options?._body,
        };
        log.push(c);
        if (c.method === 'DELETE') return c.path === `/containers/${id}` ? cb(null, '') : gone();
        if (o.file) {
          const parts: Buffer[] = [];
          o.file.on('data', (b: Buffer) => parts.push(b));
          o.file.on('error', (e) => cb(e));
          o.file.on('end', () => {
            try {
              cb(null, put?.(Buffer.concat(parts)));
            } catch (e) {
              cb(e);
            }
          });
          return;
        }
        const h = routes[`${c.method} ${c.path}`];
        if (!h) return cb(err(404, `no route ${c.method} ${c.path}`));
        try {
          cb(null, h(c));
        } catch (e) {
          cb(e);
        }
      },
    },
  } as unknown as Docker;
  return { docker, log };
}

const ARCHIVE = tar([
  { name: 'vol/', type: '5' },
  { name: 'vol/a.txt', data: Buffer.from('hello') },
  { name: 'vol/b.bin', data: Buffer.alloc(3000, 7) },
]);
const AMOUNT = { bytes: 3005, files: 2 };
const chunks = (b: Buffer) => () => Readable.from([b.subarray(0, 1024), b.subarray(1024)]);

function setup(
  src: () => Readable,
  dst: () => Readable = chunks(ARCHIVE),
  over: { put?: (b: Buffer) => unknown; bytesPerSecond?: number } = {},
) {
  const received: Buffer[] = [];
  const s = daemon('data', 's1', src);
  const t = daemon('data2', 'd1', dst, over.put ?? ((b) => void received.push(b)));
  const seen: MigrationProgress[] = [];
  const ops = dockerMigrationOps({
    manager: s.docker,
    source: s.docker,
    target: t.docker,
    helperImage: 'img',
    helperName: 'skmig-x',
    helperLabels: {},
    progressIntervalMs: 0,
    onProgress: (p) => void seen.push(p),
    ...(over.bytesPerSecond !== undefined ? { bytesPerSecond: over.bytesPerSecond } : {}),
  });
  return { ops, seen, received, s, t };
}

async function stepError(p: Promise<unknown>): Promise<StepError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(StepError);
  return e as StepError;
}

const COPY = 'copy volume data (node n1) to data2 (node n2)';
const mounts = (c: Call | undefined) =>
  (c?.body as { HostConfig: { Mounts: { Source: string; ReadOnly: boolean }[] } }).HostConfig.Mounts;

describe('copy', () => {
  it.each([undefined, 0, 1e12])(
    'pipes the source archive into the target root (bytesPerSecond %s), reporting progress against the total',
    async (bytesPerSecond) => {
      const { ops, seen, received, s, t } = setup(
        chunks(ARCHIVE),
        undefined,
        bytesPerSecond === undefined ? {} : { bytesPerSecond },
      );
      const total = { bytes: 4000, files: 3 };
      const got = await ops.copy({ input: { source: SOURCE, target: TARGET, total }, signal });
      expect(got).toEqual(AMOUNT);
      expect(Buffer.concat(received).equals(ARCHIVE)).toBe(true);
      const put = t.log.find((c) => c.method === 'PUT');
      expect(put).toMatchObject({ path: '/containers/d1/archive', query: { path: '/' } });
      expect(s.log.find((c) => c.method === 'GET' && c.path.endsWith('/archive'))?.query).toEqual({
        path: '/vol',
      });
      expect(mounts(s.log.find((c) => c.method === 'POST'))).toMatchObject([
        { Source: 'data', ReadOnly: true },
      ]);
      expect(mounts(t.log.find((c) => c.method === 'POST'))).toMatchObject([
        { Source: 'data2', ReadOnly: false },
      ]);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(seen.every((p) => p.step === 'copy' && p.total === total)).toBe(true);
      expect(seen.at(-1)).toEqual({ step: 'copy', done: AMOUNT, total });
      expect(t.log.at(-1)).toMatchObject({ method: 'DELETE', path: '/containers/d1' });
      expect(s.log.at(-1)).toMatchObject({ method: 'DELETE', path: '/containers/s1' });
    },
  );

  it('a source that is no tar fails the copy with the scanner error', async () => {
    const junk = Buffer.alloc(1024, 0x41);
    const { ops } = setup(chunks(junk));
    const e = await stepError(ops.copy({ input: { source: SOURCE, target: TARGET }, signal }));
    expect(e.message.startsWith(`${COPY}: `)).toBe(true);
    expect(e.retryable).toBe(true);
  });

  it('a truncated archive fails the copy when the scanner finishes', async () => {
    const cut = tar([{ name: 'vol/a.txt', data: Buffer.from('hello') }], { end: false }).subarray(0, 600);
    const { ops } = setup(chunks(cut));
    const e = await stepError(ops.copy({ input: { source: SOURCE, target: TARGET }, signal }));
    expect(e.message.startsWith(`${COPY}: `)).toBe(true);
  });

  it('the target refusing the archive fails the copy with its HTTP status', async () => {
    const { ops } = setup(chunks(ARCHIVE), undefined, {
      put: () => {
        throw err(500, 'no space left on device');
      },
    });
    const e = await stepError(ops.copy({ input: { source: SOURCE, target: TARGET }, signal }));
    expect(e.message).toBe(`${COPY}: no space left on device (HTTP 500)`);
    expect(e.retryable).toBe(true);
  });

  it('a source stream that breaks fails the copy with its error', async () => {
    const broken = () =>
      new Readable({
        read() {
          this.destroy(new Error('connection reset'));
        },
      });
    const { ops } = setup(broken);
    const e = await stepError(ops.copy({ input: { source: SOURCE, target: TARGET }, signal }));
    expect(e.message).toBe(`${COPY}: connection reset`);
  });
});

describe('measure', () => {
  it('counts content bytes and files of the source read-only; the last report is the amount', async () => {
    const { ops, seen, s } = setup(chunks(ARCHIVE));
    expect(await ops.measure({ input: { source: SOURCE }, signal })).toEqual(AMOUNT);
    expect(seen.at(-1)).toEqual({ step: 'measure', done: AMOUNT });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(s.log.find((c) => c.method === 'POST')?.query).toEqual({ name: 'skmig-x-measure' });
    expect(mounts(s.log.find((c) => c.method === 'POST'))).toMatchObject([
      { Source: 'data', ReadOnly: true },
    ]);
  });

  it('a failed read names the volume and node', async () => {
    const { ops } = setup(() => {
      throw err(500, 'disk error');
    });
    const e = await stepError(ops.measure({ input: { source: SOURCE }, signal }));
    expect(e.message).toBe('read volume data on node n1: disk error (HTTP 500)');
  });
});

describe('verify', () => {
  it('identical volumes: the source amount, reported against the total', async () => {
    const { ops, seen, t } = setup(chunks(ARCHIVE), chunks(ARCHIVE));
    const total = { bytes: 3005, files: 2 };
    expect(await ops.verify({ input: { source: SOURCE, target: TARGET, total }, signal })).toEqual(AMOUNT);
    expect(seen.at(-1)).toEqual({ step: 'verify', done: AMOUNT, total });
    expect(t.log.find((c) => c.method === 'POST')?.query).toEqual({ name: 'skmig-x-vdst' });
  });

  it('a difference is a non-retryable failure naming it', async () => {
    const other = tar([
      { name: 'vol/', type: '5' },
      { name: 'vol/a.txt', data: Buffer.from('HELLO') },
      { name: 'vol/b.bin', data: Buffer.alloc(3000, 7) },
    ]);
    const { ops } = setup(chunks(ARCHIVE), chunks(other));
    const e = await stepError(ops.verify({ input: { source: SOURCE, target: TARGET }, signal }));
    expect(e.message).toMatch(/^volume data2 on node n2 differs from the source: 1 difference: a\.txt: /);
    expect(e.retryable).toBe(false);
  });
});
