import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_PUSHES,
  parseRegistryPayload,
  pushMatches,
  type RegistryPush,
} from '../../../controllers/stack/registry-webhook-payload.js';

const D = `sha256:${'a'.repeat(64)}`;
const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const distEvent = (target: Record<string, unknown>, host = 'registry.example:5000', action = 'push') => ({
  id: 'e1',
  action,
  target: { mediaType: MANIFEST, digest: D, ...target },
  request: { host },
});

describe('parseRegistryPayload', () => {
  it.each<[string, unknown, string, RegistryPush[]]>([
    [
      'registry:2 manifest push by tag',
      { events: [distEvent({ repository: 'team/app', tag: '1.2.0' })] },
      'distribution',
      [{ repository: 'team/app', host: 'registry.example:5000', tag: '1.2.0' }],
    ],
    [
      'registry:2 push by digest (no tag)',
      { events: [distEvent({ repository: 'app' })] },
      'distribution',
      [{ repository: 'app', host: 'registry.example:5000' }],
    ],
    [
      'registry:2 blob pushes and pulls name nothing',
      {
        events: [
          distEvent({ repository: 'app', mediaType: 'application/octet-stream' }),
          distEvent({ repository: 'app', tag: '1' }, 'h', 'pull'),
        ],
      },
      'distribution',
      [],
    ],
    [
      'registry:2 OCI index push; duplicates once',
      {
        events: [
          distEvent({ repository: 'app', tag: '2', mediaType: 'application/vnd.oci.image.index.v1+json' }),
          distEvent({ repository: 'app', tag: '2', mediaType: 'application/vnd.oci.image.index.v1+json' }),
        ],
      },
      'distribution',
      [{ repository: 'app', host: 'registry.example:5000', tag: '2' }],
    ],
    [
      'Docker Hub',
      { push_data: { tag: 'latest', pushed_at: 1 }, repository: { repo_name: 'acme/web' } },
      'dockerhub',
      [{ repository: 'acme/web', host: 'docker.io', tag: 'latest' }],
    ],
    [
      'Docker Hub official image',
      { push_data: { tag: '1' }, repository: { repo_name: 'nginx' } },
      'dockerhub',
      [{ repository: 'library/nginx', host: 'docker.io', tag: '1' }],
    ],
    [
      'Harbor',
      {
        type: 'PUSH_ARTIFACT',
        event_data: {
          repository: { repo_full_name: 'library/app', name: 'app', namespace: 'library' },
          resources: [{ digest: D, tag: 'v1.3.0', resource_url: 'harbor.example.com/library/app:v1.3.0' }],
        },
      },
      'harbor',
      [{ repository: 'library/app', host: 'harbor.example.com', tag: 'v1.3.0' }],
    ],
    [
      'Harbor without resources',
      { type: 'PUSH_ARTIFACT', event_data: { repository: { repo_full_name: 'p/app' } } },
      'harbor',
      [{ repository: 'p/app' }],
    ],
    [
      'registry:2 push without a mediaType is a manifest push',
      { events: [distEvent({ repository: 'app', tag: '1', mediaType: undefined })] },
      'distribution',
      [{ repository: 'app', host: 'registry.example:5000', tag: '1' }],
    ],
    [
      'registry:2 empty or null tag and host: the repository alone',
      {
        events: [
          distEvent({ repository: 'a', tag: '' }, ''),
          {
            action: 'push',
            target: { mediaType: MANIFEST, repository: 'b', tag: null },
            request: { host: null },
          },
        ],
      },
      'distribution',
      [{ repository: 'a' }, { repository: 'b' }],
    ],
    [
      'Harbor v1 (pushImage)',
      { type: 'pushImage', event_data: { repository: { repo_full_name: 'p/app' } } },
      'harbor',
      [{ repository: 'p/app' }],
    ],
    [
      'Harbor resources: entries that are no object are skipped, a url without a path names no host',
      {
        type: 'PUSH_ARTIFACT',
        event_data: {
          repository: { repo_full_name: 'p/app' },
          resources: [null, 1, { tag: 'v1' }, { tag: 'v2', resource_url: 'harbor.example.com' }],
        },
      },
      'harbor',
      [
        { repository: 'p/app', tag: 'v1' },
        { repository: 'p/app', tag: 'v2' },
      ],
    ],
    // hostile or wrong
    ['a JSON string', '"events"', 'unknown', []],
    ['a JSON number', '42', 'unknown', []],
    ['JSON null', 'null', 'unknown', []],
    ['Docker Hub without repository', { push_data: { tag: '1' } }, 'dockerhub', []],
    ['Harbor without event_data', { type: 'PUSH_ARTIFACT' }, 'harbor', []],
    // a field of the wrong type names nothing, never a push of every tag
    ['Docker Hub push_data a string', { push_data: '1', repository: { repo_name: 'a/b' } }, 'dockerhub', []],
    ['Docker Hub push_data null', { push_data: null, repository: { repo_name: 'a/b' } }, 'dockerhub', []],
    [
      'Harbor resources of the wrong type',
      { type: 'PUSH_ARTIFACT', event_data: { repository: { repo_full_name: 'p/app' }, resources: 'x' } },
      'harbor',
      [],
    ],
    [
      'Harbor resource tags of the wrong type',
      {
        type: 'PUSH_ARTIFACT',
        event_data: { repository: { repo_full_name: 'p/app' }, resources: [{ tag: 5 }, { tag: ['v1'] }] },
      },
      'harbor',
      [],
    ],
    ['not JSON', 'not json {', 'unknown', []],
    ['a JSON array', [1, 2], 'unknown', []],
    ['an unknown payload', { hello: 'world' }, 'unknown', []],
    ['events not an array', { events: { action: 'push' } }, 'distribution', []],
    ['event of wrong types', { events: [null, 1, 'x', { action: 'push', target: [] }] }, 'distribution', []],
    ['repository a number', { events: [distEvent({ repository: 42, tag: '1' })] }, 'distribution', []],
    ['repository not a name', { events: [distEvent({ repository: '../etc/passwd' })] }, 'distribution', []],
    ['uppercase repository', { events: [distEvent({ repository: 'App' })] }, 'distribution', []],
    ['bad tag', { events: [distEvent({ repository: 'app', tag: 'a b' })] }, 'distribution', []],
    ['bad host', { events: [distEvent({ repository: 'app' }, 'evil host/x')] }, 'distribution', []],
    [
      'Docker Hub tag an object',
      { push_data: { tag: {} }, repository: { repo_name: 'a/b' } },
      'dockerhub',
      [],
    ],
    ['Harbor resources a string', { type: 'PUSH_ARTIFACT', event_data: { resources: 'x' } }, 'harbor', []],
  ])('%s', (_name, body, format, pushes) => {
    const buf = typeof body === 'string' ? Buffer.from(body) : json(body);
    expect(parseRegistryPayload(buf)).toEqual({ format, pushes });
  });

  it('deeply nested JSON names nothing (and does not throw)', () => {
    const deep = Buffer.from(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    expect(parseRegistryPayload(deep)).toEqual({ format: 'unknown', pushes: [] });
    const deepObj = Buffer.from(`{"events":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`);
    expect(parseRegistryPayload(deepObj)).toEqual({ format: 'distribution', pushes: [] });
  });

  it.each([
    ['repository', 255, 1],
    ['repository', 256, 0],
    ['host', 255, 1],
    ['host', 256, 0],
  ])('a %s of %i characters: %i push', (field, n, want) => {
    const long = 'a'.repeat(n);
    const event = field === 'host' ? distEvent({ repository: 'app' }, long) : distEvent({ repository: long });
    expect(parseRegistryPayload(json({ events: [event] })).pushes).toHaveLength(want);
  });

  it(`reads at most ${MAX_PUSHES} Harbor resources`, () => {
    const resources = Array.from({ length: 300 }, (_, i) => ({ tag: `v${i}` }));
    const body = {
      type: 'PUSH_ARTIFACT',
      event_data: { repository: { repo_full_name: 'p/app' }, resources },
    };
    expect(parseRegistryPayload(json(body)).pushes).toHaveLength(MAX_PUSHES);
  });

  it(`reads at most ${MAX_PUSHES} events`, () => {
    const events = Array.from({ length: 5000 }, (_, i) => distEvent({ repository: `app${i}` }));
    expect(parseRegistryPayload(json({ events })).pushes).toHaveLength(MAX_PUSHES);
  });

  it('never throws, whatever the body', () =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ events: [v] })),
        ),
        (s) => {
          const r = parseRegistryPayload(Buffer.from(s));
          expect(Array.isArray(r.pushes)).toBe(true);
        },
      ),
    ));
});

describe('pushMatches', () => {
  const push = (p: Partial<RegistryPush>): RegistryPush => ({ repository: 'team/app', ...p });
  it.each<[string, RegistryPush, string, boolean, boolean]>([
    [
      'same repository, host and tag',
      push({ host: 'reg:5000', tag: '1' }),
      'reg:5000/team/app:1',
      false,
      true,
    ],
    ['another tag (digest watch)', push({ host: 'reg:5000', tag: '2' }), 'reg:5000/team/app:1', false, false],
    [
      'another tag (semver watch)',
      push({ host: 'reg:5000', tag: '2.0.0' }),
      'reg:5000/team/app:1.2.1',
      true,
      true,
    ],
    ['no tag named', push({ host: 'reg:5000' }), 'reg:5000/team/app:1', false, true],
    ['implicit latest', push({ host: 'reg:5000', tag: 'latest' }), 'reg:5000/team/app', false, true],
    [
      'pinned image keeps its tag',
      push({ host: 'reg:5000', tag: '1' }),
      `reg:5000/team/app:1@${D}`,
      false,
      true,
    ],
    [
      'another repository',
      push({ host: 'reg:5000', repository: 'team/other' }),
      'reg:5000/team/app:1',
      false,
      false,
    ],
    [
      'a prefix is another repository',
      push({ host: 'reg:5000', repository: 'team' }),
      'reg:5000/team/app:1',
      false,
      false,
    ],
    ['another host', push({ host: 'other:5000' }), 'reg:5000/team/app:1', false, false],
    ['another port', push({ host: 'reg:5001' }), 'reg:5000/team/app:1', false, false],
    ['host case', push({ host: 'REG:5000' }), 'reg:5000/team/app:1', false, true],
    ['localhost is 127.0.0.1', push({ host: 'localhost:5000' }), '127.0.0.1:5000/team/app:1', false, true],
    ['no host named: path only', push({}), 'reg:5000/team/app:1', false, true],
    ['Docker Hub', { repository: 'library/nginx', host: 'docker.io', tag: '1' }, 'nginx:1', false, true],
    ['Docker Hub alias', { repository: 'acme/web', host: 'index.docker.io' }, 'acme/web', false, true],
    [
      'Docker Hub is not another registry',
      { repository: 'acme/web', host: 'docker.io' },
      'reg/acme/web',
      false,
      false,
    ],
    ['not a reference', push({}), 'Not:A:Ref', false, false],
    ['[::1] is localhost', push({ host: '[::1]:5000' }), 'localhost:5000/team/app:1', false, true],
    ['127.0.0.2 is localhost', push({ host: '127.0.0.2:5000' }), 'localhost:5000/team/app:1', false, true],
    [
      'a host with 127. inside is not',
      push({ host: 'a127.example:5000' }),
      'localhost:5000/team/app:1',
      false,
      false,
    ],
    [
      'registry-1.docker.io is Docker Hub',
      { repository: 'acme/web', host: 'registry-1.docker.io' },
      'acme/web',
      false,
      true,
    ],
  ])('%s', (_name, p, image, anyTag, want) => expect(pushMatches(p, image, anyTag)).toBe(want));
});
