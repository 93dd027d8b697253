import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HttpRouter } from '../../../controllers/observability/http-router.js';
import { registerTriggerRoutes } from '../../../controllers/observability/webhook.js';
import { ImageUpdatePoller, type ImageWatch } from '../../../controllers/stack/image-update-poller.js';
import type { ImageResolver, RegistryTags } from '../../../controllers/ports.js';

const SECRET = 'registry-hook-secret';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const APP: ImageWatch = { image: 'reg.example:5000/team/app:1', policy: { kind: 'digest' } };
const API: ImageWatch = {
  image: 'reg.example:5000/team/api:1.2.1',
  policy: { kind: 'semver', range: '^1.2' },
};
const WEB: ImageWatch = { image: 'acme/web:latest', policy: { kind: 'digest' } };
const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

const distribution = (repository: string, tag?: string) => ({
  events: [
    {
      id: 'x',
      action: 'push',
      target: { mediaType: MANIFEST, repository, digest: D2, ...(tag ? { tag } : {}) },
      request: { host: 'reg.example:5000' },
    },
  ],
});

async function setup(opts: { secret?: boolean; poller?: boolean } = {}) {
  const asked: string[] = [];
  let digest = D1;
  let tags = ['1.2.1'];
  const resolver: ImageResolver = {
    resolveImage: async (image) => {
      asked.push(image);
      return { digest, platforms: [] };
    },
  };
  const tagsClient: RegistryTags = {
    listTags: async (repo) => {
      asked.push(repo);
      return tags;
    },
  };
  const enqueued: string[] = [];
  const poller = new ImageUpdatePoller({
    resolver,
    tags: tagsClient,
    intervalMs: 600_000,
    enqueue: async (k) => void enqueued.push(k),
    logger: pino({ level: 'silent' }),
  });
  poller.watch('S/app', [APP, API]);
  poller.watch('S/web', [WEB]);
  await poller.poll();
  asked.length = 0;
  enqueued.length = 0;
  digest = D2;
  tags = ['1.2.1', '1.3.0'];
  const registry = new Registry();
  const dones: Promise<void>[] = [];
  const a = new HttpRouter();
  registerTriggerRoutes(a, {
    ...(opts.secret === false ? {} : { secret: Buffer.from(SECRET) }),
    targets: () => [],
    registry,
    ...(opts.poller === false
      ? {}
      : {
          images: {
            pollNow: (select: (w: ImageWatch) => boolean) => {
              const r = poller.pollNow(select);
              dones.push(r.done);
              return r;
            },
          },
        }),
  });
  /** Waits for the polls the hook started. */
  const settled = async (): Promise<void> => void (await Promise.all(dones));
  return { a, asked, enqueued, registry, settled };
}

const post = (a: Awaited<ReturnType<typeof setup>>['a'], payload: unknown, auth = `Bearer ${SECRET}`) =>
  a.inject({
    method: 'POST',
    url: '/hooks/registry',
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json', authorization: auth },
  });

describe('POST /hooks/registry', () => {
  it.each<[string, unknown, string[], string[], string[]]>([
    [
      'registry:2 push of a followed tag: that image only',
      distribution('team/app', '1'),
      [APP.image],
      ['reg.example:5000/team/app:1'],
      ['S/app'],
    ],
    [
      'registry:2 push of a new tag: the semver watch of that repository',
      distribution('team/api', '1.3.0'),
      [API.image],
      ['reg.example:5000/team/api'],
      ['S/app'],
    ],
    [
      'registry:2 push of another tag of a digest-followed repository: nothing',
      distribution('team/app', '2'),
      [],
      [],
      [],
    ],
    ['unknown repository: nothing', distribution('team/nope', '1'), [], [], []],
    [
      'Docker Hub push',
      { push_data: { tag: 'latest' }, repository: { repo_name: 'acme/web' } },
      [WEB.image],
      ['acme/web:latest'],
      ['S/web'],
    ],
    [
      'Harbor push',
      {
        type: 'PUSH_ARTIFACT',
        event_data: {
          repository: { repo_full_name: 'team/app' },
          resources: [{ tag: '1', resource_url: 'reg.example:5000/team/app:1' }],
        },
      },
      [APP.image],
      ['reg.example:5000/team/app:1'],
      ['S/app'],
    ],
    ['not JSON: nothing', '{"events": [', [], [], []],
    [
      'wrong types: nothing',
      { events: [{ action: 'push', target: { repository: ['team/app'] } }] },
      [],
      [],
      [],
    ],
    ['deep JSON: nothing', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, [], [], []],
  ])('%s', async (_n, payload, polled, asked, enqueued) => {
    const s = await setup();
    const r = await post(s.a, payload);
    expect(r.statusCode).toBe(202);
    expect(r.json().polled).toEqual(polled);
    await s.settled();
    expect(s.asked).toEqual(asked);
    expect(s.enqueued).toEqual(enqueued);
  });

  it.each<[string, string | undefined, number]>([
    ['no Authorization', undefined, 401],
    ['another secret', 'Bearer nope', 401],
    ['not a bearer', `Basic ${SECRET}`, 401],
  ])('%s: %i and nothing polled', async (_n, auth, status) => {
    const s = await setup();
    const r = await s.a.inject({
      method: 'POST',
      url: '/hooks/registry',
      payload: JSON.stringify(distribution('team/app', '1')),
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    });
    expect(r.statusCode).toBe(status);
    expect(r.body).not.toContain(SECRET);
    await s.settled();
    expect(s.asked).toEqual([]);
    expect(
      (await s.registry.getSingleMetricAsString('swarmkeeper_webhook_requests_total')).includes(
        'result="unauthorized"',
      ),
    ).toBe(true);
  });

  it('without a webhook secret: 503 and nothing polled', async () => {
    const s = await setup({ secret: false });
    const r = await post(s.a, distribution('team/app', '1'));
    expect(r.statusCode).toBe(503);
    await s.settled();
    expect(s.asked).toEqual([]);
  });

  it('without an image poller: 202 and nothing polled', async () => {
    const s = await setup({ poller: false });
    const r = await post(s.a, distribution('team/app', '1'));
    expect(r.statusCode).toBe(202);
    expect(r.json().polled).toEqual([]);
  });

  it('a body over the webhook body limit: 413 and nothing polled', async () => {
    const s = await setup();
    const huge = JSON.stringify({ ...distribution('team/app', '1'), pad: 'x'.repeat(6 * 1024 * 1024) });
    const r = await post(s.a, huge);
    expect(r.statusCode).toBe(413);
    await s.settled();
    expect(s.asked).toEqual([]);
  });
});
