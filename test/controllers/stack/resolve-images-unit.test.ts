import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ImageResolver } from '../../../controllers/ports.js';
import { type ImageResolveInput, resolveImages } from '../../../controllers/stack/resolve-images.js';
import type { DesiredObject, ObservedObject } from '../../../reconciler/model/objects.js';
import { digestWarning } from '../../../reconciler/plan/image-pin.js';

// resolveImages on its own: which images it asks the registry about, what it reports when the
// registry cannot answer (docker's warning, the tag kept), and what it logs (once per outage).

const D1 = `sha256:${'1'.repeat(64)}`;
const PLATFORMS = [{ Architecture: 'amd64', OS: 'linux' }];

const service = (name: string, image: string): DesiredObject => ({
  kind: 'service',
  name,
  spec: { Name: name, TaskTemplate: { ContainerSpec: { Image: image } } },
});
const running = (name: string, image: string): ObservedObject => ({
  kind: 'service',
  id: `id-${name}`,
  name,
  labels: {},
  spec: { Name: name, TaskTemplate: { ContainerSpec: { Image: image } } },
});
const network: DesiredObject = {
  kind: 'network',
  name: 'app_default',
  spec: { Name: 'app_default' },
} as DesiredObject;

function world(reachable: Record<string, string> = {}) {
  const asked: string[] = [];
  const logs: { level: number; msg: string; image?: string; images?: number; err?: unknown }[] = [];
  const resolver: ImageResolver = {
    resolveImage: async (image) => {
      asked.push(image);
      const digest = reachable[image];
      if (digest === undefined) throw new Error(`cannot resolve image ${image}: connection refused`);
      return { digest, platforms: PLATFORMS };
    },
  };
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const run = (input: Partial<ImageResolveInput>, signal?: AbortSignal, none = false) =>
    resolveImages(
      none ? undefined : resolver,
      { mode: 'always', desired: [], observed: [], newDesired: true, ...input },
      log,
      signal,
    );
  const said = () => logs.map((l) => `${l.level === 40 ? 'warn' : 'debug'} ${l.msg} ${l.image ?? l.images}`);
  return { asked, logs, run, said };
}

describe('resolveImages', () => {
  it("asks once per distinct image: digests for those resolved, the tag and docker's warning for the others", async () => {
    const w = world({ 'app:1': D1 });
    const r = await w.run({
      desired: [network, service('app_web', 'app:1'), service('app_api', 'app:1'), service('app_db', 'db:9')],
    });
    expect(w.asked.sort()).toStrictEqual(['app:1', 'db:9']);
    expect(r).toStrictEqual({
      resolutions: { 'app:1': { ok: true, digest: D1, platforms: PLATFORMS }, 'db:9': { ok: false } },
      warnings: [digestWarning('db:9')],
    });
    expect(w.said()).toStrictEqual(['warn image not pinned to a digest db:9', 'debug images resolved 2']);
    expect(w.logs[0]?.err).toMatchObject({ message: 'cannot resolve image db:9: connection refused' });
  });

  it('no resolver, or nothing to resolve: no call, no warning, nothing logged', async () => {
    const w = world();
    expect(await w.run({ desired: [service('app_web', 'app:1')] }, undefined, true)).toStrictEqual({
      resolutions: {},
      warnings: [],
    });
    expect(await w.run({ desired: [service('app_web', 'app:1')], mode: 'never' })).toStrictEqual({
      resolutions: {},
      warnings: [],
    });
    expect(w.asked).toStrictEqual([]);
    expect(w.logs).toStrictEqual([]);
  });

  it('an image that failed before warns again without logging again (once per outage)', async () => {
    const w = world();
    const prevWarnings = ['web/compose.yml: Ignoring unsupported options: build', digestWarning('db:9')];
    const r = await w.run({ desired: [service('app_db', 'db:9'), service('app_q', 'q:1')], prevWarnings });
    expect(r.warnings).toStrictEqual([digestWarning('db:9'), digestWarning('q:1')]);
    expect(w.said()).toStrictEqual(['warn image not pinned to a digest q:1', 'debug images resolved 2']);
  });

  it('a warning of the last reconcile is carried while its image is desired and not asked again', async () => {
    const w = world({ 'z:1': D1 });
    const desired = [network, service('app_a', 'a:1'), service('app_z', 'z:2')];
    const observed = [running('app_a', 'a:1'), running('app_z', 'z:1')];
    const prevWarnings = [digestWarning('a:1'), digestWarning('gone:1')];
    // a resync (changed only): a:1 is not asked, z:2 is and fails; both warned, in image order
    const r = await w.run({ desired, observed, newDesired: false, prevWarnings });
    expect(w.asked).toStrictEqual(['z:2']);
    expect(r.warnings).toStrictEqual([digestWarning('a:1'), digestWarning('z:2')]);
  });

  it('resolveImage never reports nothing, not even the warnings of the last reconcile', async () => {
    const w = world();
    const r = await w.run({
      mode: 'never',
      desired: [service('app_a', 'a:1')],
      observed: [running('app_a', 'a:1')],
      prevWarnings: [digestWarning('a:1')],
    });
    expect(r.warnings).toStrictEqual([]);
  });

  it("an aborted reconcile rejects with the resolver's error instead of reporting the image", async () => {
    const w = world();
    const ctl = new AbortController();
    ctl.abort();
    await expect(w.run({ desired: [service('app_a', 'a:1')] }, ctl.signal)).rejects.toThrow(
      'cannot resolve image a:1: connection refused',
    );
    expect(w.logs).toStrictEqual([]);
  });
});
