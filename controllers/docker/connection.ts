/**
 * Docker connection settings from the environment, the way the docker CLI resolves them:
 * DOCKER_HOST, then DOCKER_CONTEXT, then `currentContext` in config.json, then the default socket.
 *
 * Supported endpoints: `unix://` sockets, `tcp://` with TLS (DOCKER_TLS_VERIFY + DOCKER_CERT_PATH,
 * or a context's TLS directory), and plain `tcp://` only when explicitly allowed.
 * The description never contains key material, only paths.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { skError } from '../../reconciler/errors.js';

/** Engine API version swarmkeeper speaks (Engine 20.10+). */
export const DOCKER_API_VERSION = 'v1.41';
export const DEFAULT_SOCKET = '/var/run/docker.sock';
export const TLS_FILES = ['ca.pem', 'cert.pem', 'key.pem'] as const;

export type Env = Record<string, string | undefined>;

export interface ConnectionOptions {
  /** Allow `tcp://` without TLS (also SWARMKEEPER_ALLOW_INSECURE_TCP=1). */
  allowInsecureTcp?: boolean;
  /** Request timeout in ms (none by default: rollouts and event streams are long). */
  timeoutMs?: number;
}

/** Where and how to connect, before any file is read. */
export type Endpoint =
  | { kind: 'unix'; socketPath: string; source: string }
  | { kind: 'tcp'; host: string; port: number; tls?: { certDir: string }; source: string };

export type ParsedHost = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; host: string; port: number };

export interface ResolvedConnection {
  endpoint: Endpoint;
  /** Options for `new Docker(...)`; holds TLS key material, never log it. */
  options: Docker.DockerOptions;
  /** Human-readable, safe to log: `unix:///var/run/docker.sock (DOCKER_HOST)`. */
  description: string;
}

function fail(message: string): never {
  throw skError('CONNECTION_CONFIG', message);
}

function isTruthy(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

function homeDir(env: Env): string {
  return env.HOME && env.HOME !== '' ? env.HOME : homedir();
}

/** The docker CLI config directory: DOCKER_CONFIG or ~/.docker. */
export function dockerConfigDir(env: Env = process.env): string {
  return env.DOCKER_CONFIG && env.DOCKER_CONFIG !== '' ? env.DOCKER_CONFIG : join(homeDir(env), '.docker');
}

/** Parses a DOCKER_HOST-style address. `from` names where it came from, for error messages. */
export function parseHost(host: string, from: string): ParsedHost {
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    return { kind: 'unix', socketPath: socketPath === '' ? DEFAULT_SOCKET : socketPath };
  }
  if (host.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(host);
    } catch {
      fail(`${from}=${host} is not a valid address; expected tcp://HOST:PORT`);
    }
    if (url.hostname === '') fail(`${from}=${host} has no host; expected tcp://HOST:PORT`);
    const port = url.port === '' ? 2376 : Number(url.port);
    return { kind: 'tcp', host: url.hostname.replace(/^\[|\]$/g, ''), port };
  }
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(host)?.[1];
  fail(
    scheme
      ? `${from}=${host} uses the unsupported scheme ${scheme}://; supported are unix:// and tcp://`
      : `${from}=${host} is not a valid address; expected unix:///path/to/docker.sock or tcp://HOST:PORT`,
  );
}

interface ContextMeta {
  host: string;
  skipTlsVerify: boolean;
  hash: string;
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    fail(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

function currentContextName(env: Env): { name: string; from: string } | undefined {
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== '')
    return { name: env.DOCKER_CONTEXT, from: 'DOCKER_CONTEXT' };
  const configPath = join(dockerConfigDir(env), 'config.json');
  if (!existsSync(configPath)) return undefined;
  const config = readJson(configPath, 'docker config') as { currentContext?: unknown };
  if (typeof config.currentContext === 'string' && config.currentContext !== '') {
    return { name: config.currentContext, from: `currentContext in ${configPath}` };
  }
  return undefined;
}

function readContext(env: Env, name: string, from: string): ContextMeta {
  const hash = createHash('sha256').update(name).digest('hex');
  const metaPath = join(dockerConfigDir(env), 'contexts', 'meta', hash, 'meta.json');
  if (!existsSync(metaPath))
    fail(`docker context "${name}" (from ${from}) not found: ${metaPath} does not exist`);
  const meta = readJson(metaPath, `docker context "${name}"`) as {
    Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } };
  };
  const host = meta.Endpoints?.docker?.Host;
  if (typeof host !== 'string' || host === '') {
    fail(`docker context "${name}" has no Endpoints.docker.Host in ${metaPath}`);
  }
  return { host, skipTlsVerify: meta.Endpoints?.docker?.SkipTLSVerify === true, hash };
}

/** Decides the endpoint without reading TLS files (pure apart from reading context metadata). */
export function resolveEndpoint(env: Env = process.env, opts: ConnectionOptions = {}): Endpoint {
  const allowInsecure = opts.allowInsecureTcp === true || isTruthy(env.SWARMKEEPER_ALLOW_INSECURE_TCP);
  const insecure = (address: string, from: string): never =>
    fail(
      `${from}=${address} is plain TCP without TLS: anyone who can reach that port controls the Docker daemon ` +
        `(root on the host). Use TLS (DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH with ca.pem, cert.pem, key.pem), ` +
        `a unix socket, or set SWARMKEEPER_ALLOW_INSECURE_TCP=1 to allow it explicitly`,
    );

  if (env.DOCKER_HOST && env.DOCKER_HOST !== '') {
    const parsed = parseHost(env.DOCKER_HOST, 'DOCKER_HOST');
    if (parsed.kind === 'unix') return { ...parsed, source: 'DOCKER_HOST' };
    if (isTruthy(env.DOCKER_TLS_VERIFY)) {
      const certDir =
        env.DOCKER_CERT_PATH && env.DOCKER_CERT_PATH !== '' ? env.DOCKER_CERT_PATH : dockerConfigDir(env);
      return { ...parsed, tls: { certDir }, source: 'DOCKER_HOST' };
    }
    if (!allowInsecure) insecure(env.DOCKER_HOST, 'DOCKER_HOST');
    return { ...parsed, source: 'DOCKER_HOST' };
  }

  const ctx = currentContextName(env);
  if (ctx && ctx.name !== 'default') {
    const meta = readContext(env, ctx.name, ctx.from);
    const from = `docker context "${ctx.name}" host`;
    const parsed = parseHost(meta.host, from);
    const source = `context ${ctx.name}`;
    if (parsed.kind === 'unix') return { ...parsed, source };
    if (meta.skipTlsVerify) {
      fail(`docker context "${ctx.name}" sets SkipTLSVerify; swarmkeeper only connects with verified TLS`);
    }
    const certDir = join(dockerConfigDir(env), 'contexts', 'tls', meta.hash, 'docker');
    if (existsSync(certDir)) return { ...parsed, tls: { certDir }, source };
    if (!allowInsecure) insecure(meta.host, from);
    return { ...parsed, source };
  }

  return { kind: 'unix', socketPath: DEFAULT_SOCKET, source: 'default' };
}

function readTlsFiles(certDir: string, source: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  const out: Partial<Record<'ca' | 'cert' | 'key', Buffer>> = {};
  for (const file of TLS_FILES) {
    const path = join(certDir, file);
    try {
      out[file.replace('.pem', '') as 'ca' | 'cert' | 'key'] = readFileSync(path);
    } catch (e) {
      const why =
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'is missing'
          : `cannot be read (${(e as Error).message})`;
      fail(`TLS file ${path} ${why}; ${source} needs ca.pem, cert.pem and key.pem in ${certDir}`);
    }
  }
  return out as { ca: Buffer; cert: Buffer; key: Buffer };
}

/** Endpoint -> dockerode options (reads TLS files). Every field is set, so docker-modem's own env defaults never win. */
export function resolveConnection(env: Env = process.env, opts: ConnectionOptions = {}): ResolvedConnection {
  const endpoint = resolveEndpoint(env, opts);
  const base = {
    version: DOCKER_API_VERSION,
    timeout: opts.timeoutMs,
    ca: undefined,
    cert: undefined,
    key: undefined,
  };
  if (endpoint.kind === 'unix') {
    return {
      endpoint,
      options: {
        ...base,
        socketPath: endpoint.socketPath,
        host: undefined,
        port: undefined,
        protocol: 'http',
      },
      description: `unix://${endpoint.socketPath} (${endpoint.source})`,
    };
  }
  const address = `tcp://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
  if (endpoint.tls) {
    const tls = readTlsFiles(endpoint.tls.certDir, endpoint.source);
    return {
      endpoint,
      options: { ...base, host: endpoint.host, port: endpoint.port, protocol: 'https', ...tls },
      description: `${address} (TLS, certificates in ${endpoint.tls.certDir}; ${endpoint.source})`,
    };
  }
  return {
    endpoint,
    options: { ...base, host: endpoint.host, port: endpoint.port, protocol: 'http' },
    description: `${address} (INSECURE plain TCP, explicitly allowed; ${endpoint.source})`,
  };
}

/** A dockerode client for the environment's Docker endpoint, pinned to API v1.41. */
export function dockerFromEnv(
  env: Env = process.env,
  opts: ConnectionOptions = {},
): { docker: Docker; description: string; endpoint: Endpoint } {
  const resolved = resolveConnection(env, opts);
  let docker: Docker;
  try {
    docker = new Docker(resolved.options);
  } catch (e) {
    // docker-modem also parses process.env.DOCKER_HOST / DOCKER_CERT_PATH for its defaults.
    throw skError('CONNECTION_CONFIG', `cannot create Docker client: ${(e as Error).message}`, { cause: e });
  }
  return { docker, description: resolved.description, endpoint: resolved.endpoint };
}
