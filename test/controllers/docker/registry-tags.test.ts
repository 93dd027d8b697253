import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearerChallenge,
  HttpRegistryTags,
  isInsecureRegistry,
  nextPage,
  splitRepository,
} from '../../../controllers/docker/registry-tags.js';
import type { DockerAuthConfig } from '../../../controllers/docker/registry-auth.js';

describe('splitRepository', () => {
  it.each([
    ['reg:5000/team/app', { host: 'reg:5000', path: 'team/app' }],
    ['docker.io/library/nginx', { host: 'registry-1.docker.io', path: 'library/nginx' }],
    ['ghcr.io/o/r', { host: 'ghcr.io', path: 'o/r' }],
  ])('%s', (repo, want) => expect(splitRepository(repo)).toEqual(want));
});

describe('bearerChallenge and nextPage', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/nginx:pull',
      },
    ],
    ['Basic realm="Registry"', undefined],
    ['Bearer service="x"', undefined],
    [null, undefined],
  ])('challenge %s', (header, want) => expect(bearerChallenge(header)).toEqual(want));

  it.each([
    ['</v2/app/tags/list?n=2&last=b>; rel="next"', '/v2/app/tags/list?n=2&last=b'],
    ['</v2/app/tags/list?last=b>; rel=next', '/v2/app/tags/list?last=b'],
    [null, undefined],
    ['</x>; rel="prev"', undefined],
  ])('link %s', (header, want) => expect(nextPage(header)).toBe(want));
});

describe('isInsecureRegistry', () => {
  const config = {
    InsecureRegistryCIDRs: ['127.0.0.0/8', '10.80.0.0/16'],
    IndexConfigs: { 'reg.local:5000': { Secure: false }, 'docker.io': { Secure: true } },
  };
  it.each([
    ['reg.local:5000', true],
    ['127.0.0.1:5000', true],
    ['10.80.0.1:5000', true],
    ['10.81.0.1:5000', false],
    ['docker.io', false],
    ['ghcr.io', false],
  ])('%s: %s', (host, want) => expect(isInsecureRegistry(host, config)).toBe(want));

  it('without a config nothing is insecure', () =>
    expect(isInsecureRegistry('127.0.0.1:5000', undefined)).toBe(false));
});

const USER = 'robot';
const PASS = 'not-in-errors-s3cret';
const TAGS = ['1.2.1', '1.3.0', '2.0.0', 'latest', 'v9'];

/** A plain-HTTP registry: `open/app` anonymous (2 tags a page), `basic/app` Basic, `token/app` Bearer. */
function handler(base: () => string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base());
    const auth = req.headers.authorization ?? '';
    const basic = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/token')
      return auth === basic && url.searchParams.get('scope') === 'repository:token/app:pull'
        ? json(200, { token: 'tok' })
        : json(401, {});
    const m = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (!m) return json(404, { errors: [{ code: 'NAME_UNKNOWN' }] });
    const repo = m[1];
    if (repo === 'basic/app' && auth !== basic)
      return json(401, {}, { 'www-authenticate': 'Basic realm="Registry"' });
    if (repo === 'token/app' && auth !== 'Bearer tok')
      return json(401, {}, { 'www-authenticate': `Bearer realm="${base()}/token",service="lab"` });
    if (repo === 'open/app') {
      const last = url.searchParams.get('last');
      const from = last === null ? 0 : TAGS.indexOf(last) + 1;
      const page = TAGS.slice(from, from + 2);
      const more = from + 2 < TAGS.length;
      return json(
        200,
        { name: repo, tags: page },
        more ? { link: `</v2/${repo}/tags/list?n=2&last=${page.at(-1)}>; rel="next"` } : {},
      );
    }
    if (repo === 'basic/app' || repo === 'token/app') return json(200, { name: repo, tags: TAGS });
    return json(404, { errors: [{ code: 'NAME_UNKNOWN' }] });
  };
}

describe('HttpRegistryTags against a plain-HTTP registry', () => {
  let server: Server;
  let host = '';
  const auths: DockerAuthConfig = { auths: {} };
  const client = (insecure = true) =>
    new HttpRegistryTags({ auth: () => auths, insecure: async () => insecure, timeoutMs: 5000 });

  beforeAll(async () => {
    server = createServer(handler(() => `http://${host}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    auths.auths[host] = { auth: Buffer.from(`${USER}:${PASS}`).toString('base64') };
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('lists every page of an anonymous repository over HTTP when the daemon allows it', async () => {
    expect(await client().listTags(`${host}/open/app`)).toEqual(TAGS);
  });

  it.each(['basic/app', 'token/app'])('sends the docker config credentials to %s', async (repo) => {
    expect(await client().listTags(`${host}/${repo}`)).toEqual(TAGS);
  });

  it('does not use plain HTTP for a registry the daemon does not list as insecure', async () => {
    await expect(client(false).listTags(`${host}/open/app`)).rejects.toMatchObject({
      code: 'SK_ERR_REGISTRY_UNREACHABLE',
    });
  });

  it('a refusal is REGISTRY_UNREACHABLE with the status, never the credentials', async () => {
    const e = (await client()
      .listTags(`${host}/missing/app`)
      .catch((x: unknown) => x)) as Error & { code: string };
    expect(e.code).toBe('SK_ERR_REGISTRY_UNREACHABLE');
    expect(e.message).toContain('HTTP 404');
    expect(e.message).toContain(`${host}/missing/app`);
    expect(JSON.stringify(e)).not.toContain(PASS);
    auths.auths[host] = { auth: Buffer.from(`${USER}:wrong`).toString('base64') };
    try {
      const t = (await client()
        .listTags(`${host}/token/app`)
        .catch((x: unknown) => x)) as Error;
      expect(t.message).toContain('401');
    } finally {
      auths.auths[host] = { auth: Buffer.from(`${USER}:${PASS}`).toString('base64') };
    }
  });

  it('a registry that does not answer is REGISTRY_UNREACHABLE', async () => {
    await expect(client().listTags('127.0.0.1:1/open/app')).rejects.toMatchObject({
      code: 'SK_ERR_REGISTRY_UNREACHABLE',
    });
  });
});
