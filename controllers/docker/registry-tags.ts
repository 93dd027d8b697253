/**
 * The registry's v2 API for the tags of a repository (`GET /v2/<name>/tags/list`, paginated by its
 * `Link` header), for the image update policy semver. Credentials are those of the docker CLI
 * config (registry-auth.ts), sent as Basic, or exchanged for a Bearer token when the registry asks
 * for one (`WWW-Authenticate: Bearer realm=…`, Docker Hub and most registries). HTTPS first; a
 * registry the daemon lists as insecure (`--insecure-registry`) is then asked over plain HTTP, as
 * the Engine does. Errors name the registry and the status, never the credentials.
 */
import { skError } from '../../reconciler/errors.js';
import type { RegistryTags } from '../ports.js';
import { type DockerAuthConfig, registryCredentials } from './registry-auth.js';

export interface HttpRegistryTagsOptions {
  /** The docker CLI config's credentials (read at each call: a login takes effect at once). */
  auth: () => DockerAuthConfig;
  /** True when the daemon allows plain HTTP for the registry host (`host:port`). */
  insecure: (host: string) => Promise<boolean>;
  fetch?: typeof fetch;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

/** The Docker Hub API host for `docker.io` repositories. */
const HUB_API = 'registry-1.docker.io';
const MAX_PAGES = 50;

/** `reg:5000/team/app` -> host `reg:5000`, path `team/app`; `docker.io/library/nginx` -> Docker Hub's API host. */
export function splitRepository(repository: string): { host: string; path: string } {
  const slash = repository.indexOf('/');
  const host = slash < 0 ? 'docker.io' : repository.slice(0, slash);
  const path = slash < 0 ? `library/${repository}` : repository.slice(slash + 1);
  return { host: host === 'docker.io' ? HUB_API : host, path };
}

/** The parameters of a `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` challenge. */
export function bearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-z_]+)="([^"]*)"/gi)) out[m[1]!.toLowerCase()] = m[2]!;
  return out['realm'] ? out : undefined;
}

/** The next page of a `Link: </v2/…/tags/list?n=…&last=…>; rel="next"` header, if any. */
export function nextPage(link: string | null): string | undefined {
  const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  return m?.[1];
}

export class HttpRegistryTags implements RegistryTags {
  readonly #o: HttpRegistryTagsOptions;
  constructor(opts: HttpRegistryTagsOptions) {
    this.#o = opts;
  }

  async listTags(repository: string, signal?: AbortSignal): Promise<string[]> {
    const { host, path } = splitRepository(repository);
    const schemes = ['https', ...((await this.#o.insecure(host).catch(() => false)) ? ['http'] : [])];
    let last: unknown;
    for (const scheme of schemes) {
      try {
        return await this.#list(`${scheme}://${host}`, path, signal);
      } catch (e) {
        if (signal?.aborted) throw e;
        last = e;
        // a registry that answered (401, 404) over HTTPS is not asked again over HTTP
        if ((e as { status?: number }).status !== undefined) break;
      }
    }
    throw skError('REGISTRY_UNREACHABLE', `cannot list the tags of ${repository}: ${messageOf(last)}`, {
      cause: last,
    });
  }

  async #list(base: string, path: string, signal?: AbortSignal): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `${base}/v2/${path}/tags/list?n=1000`;
    let authorization: string | undefined;
    for (let page = 0; url !== undefined && page < MAX_PAGES; page++) {
      let res = await this.#get(url, authorization, signal);
      if (res.status === 401 && authorization === undefined) {
        authorization = await this.#authorize(base, path, res.headers.get('www-authenticate'), signal);
        if (authorization !== undefined) res = await this.#get(url, authorization, signal);
      }
      if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
      const body = (await res.json()) as { tags?: unknown };
      if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
      const next = nextPage(res.headers.get('link'));
      url = next === undefined ? undefined : new URL(next, base).toString();
    }
    return tags;
  }

  #get(url: string, authorization: string | undefined, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(this.#o.timeoutMs ?? 10_000);
    return (this.#o.fetch ?? fetch)(url, {
      headers: { Accept: 'application/json', ...(authorization ? { Authorization: authorization } : {}) },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      redirect: 'follow',
    });
  }

  /** The Authorization header a 401 challenge asks for: Basic credentials, or a Bearer token for them. */
  async #authorize(
    base: string,
    path: string,
    challenge: string | null,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const host = new URL(base).host;
    const creds = registryCredentials(host === HUB_API ? 'docker.io' : host, this.#o.auth())?.reveal();
    const basic =
      creds && 'username' in creds
        ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`
        : undefined;
    const bearer = bearerChallenge(challenge);
    if (!bearer) return basic;
    const url = new URL(bearer['realm']!);
    if (bearer['service']) url.searchParams.set('service', bearer['service']);
    url.searchParams.set('scope', bearer['scope'] ?? `repository:${path}:pull`);
    const res = await this.#get(url.toString(), basic, signal);
    if (!res.ok) throw Object.assign(new Error(`token HTTP ${res.status}`), { status: res.status });
    const body = (await res.json()) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    return typeof token === 'string' ? `Bearer ${token}` : undefined;
  }
}

function messageOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
}

/** The daemon's insecure registries (`docker info` RegistryConfig): by `host:port`, and IPv4 CIDRs. */
export interface RegistryConfigInfo {
  InsecureRegistryCIDRs?: string[] | null;
  IndexConfigs?: Record<string, { Secure?: boolean }> | null;
}

function ipv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** True when the daemon's config lets `host` (`host:port`) be reached over plain HTTP. */
export function isInsecureRegistry(host: string, config: RegistryConfigInfo | undefined): boolean {
  if (config?.IndexConfigs?.[host]?.Secure === false) return true;
  const ip = ipv4(host.replace(/:\d+$/, ''));
  if (ip === undefined) return false;
  return (config?.InsecureRegistryCIDRs ?? []).some((cidr) => {
    const [net, bits] = cidr.split('/');
    const base = ipv4(net ?? '');
    const n = Number(bits);
    if (base === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false;
    const size = 2 ** (32 - n);
    return Math.floor(ip / size) === Math.floor(base / size);
  });
}
