import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadDockerAuthConfig,
  registryAuthFor,
  registryHost,
  type DockerAuthConfig,
} from '../../../controllers/docker/registry-auth.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const decode = (v: string): unknown => JSON.parse(Buffer.from(v, 'base64url').toString('utf8'));

describe('registryHost', () => {
  it.each([
    ['busybox', 'docker.io'],
    ['library/busybox:1', 'docker.io'],
    ['me/app@sha256:abc', 'docker.io'],
    ['docker.io/me/app', 'docker.io'],
    ['ghcr.io/org/app:1', 'ghcr.io'],
    ['localhost/app', 'localhost'],
    ['localhost:5000/app', 'localhost:5000'],
    ['10.0.0.1:5000/a/b/c:tag', '10.0.0.1:5000'],
    ['local/busybox:1', 'docker.io'],
  ])('%s -> %s', (image, host) => {
    expect(registryHost(image)).toBe(host);
  });
});

describe('registryAuthFor', () => {
  const config: DockerAuthConfig = {
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass') },
      'ghcr.io': { username: 'gh', password: 'tok' },
      'https://reg.example.com:5000/v2/': { auth: b64('u:p') },
      'id.example.com': { identitytoken: 'idtok' },
      'empty.example.com': {},
    },
  };

  it.each<[string, object | undefined]>([
    ['busybox', { username: 'hubuser', password: 'hub:pass', serveraddress: 'https://index.docker.io/v1/' }],
    [
      'docker.io/me/app',
      { username: 'hubuser', password: 'hub:pass', serveraddress: 'https://index.docker.io/v1/' },
    ],
    ['ghcr.io/org/app', { username: 'gh', password: 'tok', serveraddress: 'ghcr.io' }],
    ['reg.example.com:5000/app', { username: 'u', password: 'p', serveraddress: 'reg.example.com:5000' }],
    ['id.example.com/app', { identitytoken: 'idtok', serveraddress: 'id.example.com' }],
    ['empty.example.com/app', undefined],
    ['other.example.com/app', undefined],
  ])('%s', (image, expected) => {
    const header = registryAuthFor(image, config);
    expect(header === undefined ? undefined : decode(header.reveal())).toEqual(expected);
  });

  it('uses URL-safe base64 and never prints the credentials', () => {
    const header = registryAuthFor('ghcr.io/x', {
      auths: { 'ghcr.io': { username: '??>>', password: '~~~??' } },
    })!;
    expect(header.reveal()).not.toMatch(/[+/]/);
    expect(String(header)).toBe('[redacted]');
    expect(inspect({ header })).not.toContain(header.reveal());
  });

  it('matches docker hub under any of its aliases', () => {
    const header = registryAuthFor('busybox', {
      auths: { 'registry-1.docker.io': { username: 'a', password: 'b' } },
    });
    expect(decode(header!.reveal())).toEqual({
      username: 'a',
      password: 'b',
      serveraddress: 'https://index.docker.io/v1/',
    });
  });
});

describe('loadDockerAuthConfig', () => {
  const root = mkdtempSync(join(tmpdir(), 'sk-auth-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each<[string, string | undefined, DockerAuthConfig]>([
    ['missing file', undefined, { auths: {} }],
    ['no auths', JSON.stringify({ credsStore: 'desktop' }), { auths: {} }],
    [
      'auths',
      JSON.stringify({ auths: { 'ghcr.io': { auth: 'eDp5' } } }),
      { auths: { 'ghcr.io': { auth: 'eDp5' } } },
    ],
  ])('%s', (name, content, expected) => {
    const dir = join(root, name.replace(/ /g, '-'));
    mkdirSync(dir, { recursive: true });
    if (content !== undefined) writeFileSync(join(dir, 'config.json'), content);
    expect(loadDockerAuthConfig({ DOCKER_CONFIG: dir })).toEqual(expected);
  });

  it('reads ~/.docker/config.json when DOCKER_CONFIG is unset', () => {
    const home = join(root, 'home');
    mkdirSync(join(home, '.docker'), { recursive: true });
    writeFileSync(
      join(home, '.docker', 'config.json'),
      JSON.stringify({ auths: { 'a.io': { identitytoken: 't' } } }),
    );
    expect(loadDockerAuthConfig({ HOME: home })).toEqual({ auths: { 'a.io': { identitytoken: 't' } } });
  });

  it('rejects malformed JSON naming the file', () => {
    const dir = join(root, 'bad');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), '{nope');
    expect(() => loadDockerAuthConfig({ DOCKER_CONFIG: dir })).toThrow(
      `cannot read docker config ${join(dir, 'config.json')}`,
    );
  });
});
