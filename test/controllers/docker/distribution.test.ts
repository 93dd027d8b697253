import { describe, expect, it } from 'vitest';
import { placementPlatforms } from '../../../controllers/docker/distribution.js';
import { DockerSwarmAdapter, routeOf } from '../../../controllers/docker/swarm-adapter.js';
import { fakeDocker, type FakeReply } from '../../support/fake-docker.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const PASSWORD = 's3cr3t-pa55';
const AUTHS = {
  auths: { 'reg.example:5000': { auth: Buffer.from(`bob:${PASSWORD}`).toString('base64') } },
};

const inspect = (platforms: unknown[] = [{ architecture: 'amd64', os: 'linux' }]): FakeReply => ({
  status: 200,
  json: { Descriptor: { mediaType: 'x', digest: DIGEST, size: 527 }, Platforms: platforms },
});

describe('distribution inspect (GET /distribution/{name}/json)', () => {
  it('asks the Engine for the image, with the registry credentials of its registry', async () => {
    const { docker, requests } = fakeDocker(() => inspect());
    const adapter = new DockerSwarmAdapter(docker, { registryAuth: AUTHS });
    expect(await adapter.resolveImage('reg.example:5000/team/app:1')).toEqual({
      digest: DIGEST,
      platforms: [{ Architecture: 'amd64', OS: 'linux' }],
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'GET',
      path: '/distribution/reg.example:5000/team/app:1/json',
    });
    const auth = JSON.parse(Buffer.from(requests[0]!.registryAuth!, 'base64').toString('utf8')) as Record<
      string,
      string
    >;
    expect(auth).toEqual({ username: 'bob', password: PASSWORD, serveraddress: 'reg.example:5000' });
  });

  it('sends no credentials for a registry the config does not know', async () => {
    const { docker, requests } = fakeDocker(() => inspect());
    await new DockerSwarmAdapter(docker, { registryAuth: AUTHS }).resolveImage('other:5000/app:1');
    expect(requests[0]?.registryAuth).toBeUndefined();
  });

  it.each([
    ['unreachable registry', { status: 500, json: { message: 'Get "https://r/v2/": connection refused' } }],
    ['refused credentials', { status: 401, json: { message: 'unauthorized: authentication required' } }],
    ['no digest in the answer', { status: 200, json: { Descriptor: {} } }],
    ['a digest that is none', { status: 200, json: { Descriptor: { digest: 'sha256:zz' } } }],
  ] as const)('rejects on %s with a plain message that holds no credentials', async (_n, reply) => {
    const { docker } = fakeDocker(() => reply as FakeReply);
    const adapter = new DockerSwarmAdapter(docker, { registryAuth: AUTHS });
    const err = (await adapter.resolveImage('reg.example:5000/app:1').then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^cannot resolve image reg.example:5000\/app:1: /);
    const all = JSON.stringify({ ...err, message: err.message, stack: err.stack });
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(Buffer.from(`bob:${PASSWORD}`).toString('base64'));
    expect(Object.keys(err)).toEqual([]);
  });

  it.each([
    [[{ architecture: 'amd64', os: 'linux' }], [{ Architecture: 'amd64', OS: 'linux' }]],
    [[{ architecture: 'arm', os: 'linux', variant: 'v7' }], [{ OS: 'linux' }]],
    [[{ architecture: 'ARM', os: 'linux' }], [{ OS: 'linux' }]],
    [[{ architecture: 'arm64', os: 'linux' }], [{ Architecture: 'arm64', OS: 'linux' }]],
    [undefined, []],
  ])('platforms %j are written as %j (arm loses its architecture, as docker does)', (raw, want) => {
    expect(placementPlatforms(raw)).toEqual(want);
  });

  it('counts the route with bounded cardinality', () => {
    expect(routeOf('/v1.41/distribution/reg:5000/a/b:1/json')).toBe('/distribution/{name}/json');
    expect(routeOf('/distribution/nginx:latest/json')).toBe('/distribution/{name}/json');
  });
});
