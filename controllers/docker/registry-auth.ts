/**
 * Registry credentials for private images, from the docker CLI config (`auths` in
 * $DOCKER_CONFIG/config.json or ~/.docker/config.json), sent as `X-Registry-Auth` on
 * service create/update so that Swarm nodes can pull.
 *
 * Not supported (documented limitation): `credsStore` / `credHelpers` (docker-credential-*
 * programs). Entries that only live in a credential helper yield no header; the image is
 * then pulled anonymously, as `docker service create` without `--with-registry-auth` would.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sensitive } from '../../reconciler/model/sensitive.js';
import { skError } from '../../reconciler/errors.js';
import { dockerConfigDir, type Env } from './connection.js';

export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

export interface DockerAuthConfig {
  auths: Record<string, AuthEntry>;
}

/** Reads `auths` from the docker CLI config; a missing file means no credentials. */
export function loadDockerAuthConfig(env: Env = process.env): DockerAuthConfig {
  const path = join(dockerConfigDir(env), 'config.json');
  if (!existsSync(path)) return { auths: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw skError('CONNECTION_CONFIG', `cannot read docker config ${path}: ${(e as Error).message}`);
  }
  const auths = (raw as { auths?: unknown }).auths;
  if (auths === undefined || auths === null) return { auths: {} };
  if (typeof auths !== 'object' || Array.isArray(auths)) {
    throw skError('CONNECTION_CONFIG', `docker config ${path}: "auths" must be an object`);
  }
  return { auths: auths as Record<string, AuthEntry> };
}

/** The registry host of an image reference (`docker.io` when it has none), per the distribution reference rules. */
export function registryHost(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  if (first === 'localhost' || first.includes('.') || first.includes(':')) return first;
  return 'docker.io';
}

/** Normalises an `auths` key (`https://host/v1/`, `http://host`, `host`) to a bare host. */
function keyHost(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}

function serverAddress(host: string): string {
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB_AUTH_KEY : host;
}

function findEntry(config: DockerAuthConfig, host: string): AuthEntry | undefined {
  const hub = DOCKER_HUB_ALIASES.has(host);
  if (hub && config.auths[DOCKER_HUB_AUTH_KEY]) return config.auths[DOCKER_HUB_AUTH_KEY];
  if (config.auths[host]) return config.auths[host];
  for (const [key, entry] of Object.entries(config.auths)) {
    const k = keyHost(key);
    if (k === host.toLowerCase() || (hub && DOCKER_HUB_ALIASES.has(k))) return entry;
  }
  return undefined;
}

/** Credentials for a registry host (for the registry's own API: tag lists), or undefined when none is configured. */
export function registryCredentials(
  host: string,
  config: DockerAuthConfig,
): Sensitive<{ username: string; password: string } | { identitytoken: string }> | undefined {
  const entry = findEntry(config, host);
  if (!entry) return undefined;
  if (entry.identitytoken) return new Sensitive({ identitytoken: entry.identitytoken });
  let { username, password } = entry;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (!username && !password) return undefined;
  return new Sensitive({ username: username ?? '', password: password ?? '' });
}

/** base64url WITH padding, as the docker CLI sends it (Go's base64.URLEncoding). */
function toBase64Url(json: object): string {
  return Buffer.from(JSON.stringify(json)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * The `X-Registry-Auth` value for an image (base64url JSON), or undefined when the config
 * has no usable credentials for its registry. Wrapped in Sensitive: never log it.
 */
export function registryAuthFor(image: string, config: DockerAuthConfig): Sensitive<string> | undefined {
  const host = registryHost(image);
  const entry = findEntry(config, host);
  if (!entry) return undefined;
  const serveraddress = serverAddress(host);
  if (entry.identitytoken)
    return new Sensitive(toBase64Url({ identitytoken: entry.identitytoken, serveraddress }));
  let { username, password } = entry;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw skError(
        'CONNECTION_CONFIG',
        `docker config: the "auth" entry for ${host} is not base64 of user:password`,
      );
    }
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (!username && !password) return undefined;
  return new Sensitive(toBase64Url({ username: username ?? '', password: password ?? '', serveraddress }));
}
