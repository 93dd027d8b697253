/**
 * `--source` specs: `TYPE=VALUE[,KEY=VALUE...]`.
 *
 *   dir=PATH[,name=NAME]
 *   git=URL[,branch=B | tag=T | commit=SHA][,path=DIR][,interval=1m][,name=NAME]
 *          [,sshKeyFile=F | sshKeyEnv=VAR][,knownHostsFile=F]
 *          [,tokenFile=F | tokenEnv=VAR][,tokenScheme=basic|bearer][,tokenUser=U]
 *
 * Values cannot contain commas. Secrets never appear in a spec: only the file or environment
 * variable that holds them, and a URL with a password is refused.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { parseDurationMs } from '../cli/context.js';
import { DirSource } from './dir-source.js';
import { readSecret } from './git-auth.js';
import { GitSource } from './git-source.js';
import type { Source } from './source.js';

export type GitRef =
  | { kind: 'default' }
  | { kind: 'branch'; name: string }
  | { kind: 'tag'; name: string }
  | { kind: 'commit'; sha: string };

export type SecretRef = { file: string } | { env: string };

export interface GitAuthSpec {
  sshKey?: SecretRef;
  knownHostsFile?: string;
  token?: SecretRef;
  tokenScheme: 'basic' | 'bearer';
  /** User of `Authorization: Basic` (GitHub: x-access-token, GitLab: oauth2). */
  tokenUser: string;
}

export interface DirSourceSpec {
  type: 'dir';
  path: string;
  name?: string;
}

export interface GitSourceSpec {
  type: 'git';
  url: string;
  transport: 'file' | 'ssh' | 'https' | 'http';
  name: string;
  ref: GitRef;
  /** Folder inside the repository ('' = the whole repository). */
  path: string;
  intervalMs: number;
  auth: GitAuthSpec;
}

export type SourceSpec = DirSourceSpec | GitSourceSpec;

export const DIR_KEYS = ['name'] as const;
export const GIT_KEYS = [
  'branch',
  'tag',
  'commit',
  'path',
  'interval',
  'name',
  'sshKeyFile',
  'sshKeyEnv',
  'knownHostsFile',
  'tokenFile',
  'tokenEnv',
  'tokenScheme',
  'tokenUser',
] as const;
export const DEFAULT_GIT_INTERVAL_MS = 60_000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const REF_NAME = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]+(?<![./])$/;

class SpecError extends Error {}

/** The spec as shown in errors: the URL's user info is never echoed. */
function shown(spec: string): string {
  return spec.replace(/\/\/[^/@,]*@/, '//***@');
}

function splitPairs(spec: string, fail: (m: string) => never): [string, string][] {
  return spec.split(',').map((part, i) => {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      fail(
        i === 0
          ? 'expected TYPE=VALUE where TYPE is dir or git (e.g. dir=./stacks or git=https://host/repo.git,branch=main)'
          : `"${part}" is not KEY=VALUE (values cannot contain commas)`,
      );
    }
    return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
  });
}

/** Parses one `--source` value; throws an Error naming the spec, the key and what is supported. */
export function parseSourceSpec(spec: string): SourceSpec {
  const fail = (m: string): never => {
    throw new SpecError(`--source ${shown(spec)}: ${m}`);
  };
  const pairs = splitPairs(spec, fail);
  const [type, value] = pairs[0]!;
  const opts = new Map<string, string>();
  for (const [k, v] of pairs.slice(1)) {
    if (opts.has(k)) fail(`${k} is given twice`);
    if (v === '') fail(`${k} needs a value`);
    opts.set(k, v);
  }
  if (!value)
    fail(`${type} needs a value (e.g. ${type === 'git' ? 'git=https://host/repo.git' : 'dir=./stacks'})`);
  if (type === 'dir') return parseDir(value, opts, fail);
  if (type === 'git') return parseGit(value, opts, fail);
  return fail(`unknown source type "${type}"; supported: dir, git`);
}

function checkKeys(
  opts: Map<string, string>,
  allowed: readonly string[],
  type: string,
  fail: (m: string) => never,
): void {
  for (const k of opts.keys())
    if (!allowed.includes(k))
      fail(`unknown key "${k}" for a ${type} source; supported keys: ${allowed.join(', ')}`);
}

function checkName(name: string | undefined, fail: (m: string) => never): void {
  if (name !== undefined && !NAME.test(name))
    fail(
      `name "${name}" must start with a letter or digit and use only letters, digits, '_', '.', ':' and '-'`,
    );
}

function parseDir(path: string, opts: Map<string, string>, fail: (m: string) => never): DirSourceSpec {
  checkKeys(opts, DIR_KEYS, 'dir', fail);
  const name = opts.get('name');
  checkName(name, fail);
  return { type: 'dir', path, ...(name ? { name } : {}) };
}

function transportOf(url: string, fail: (m: string) => never): GitSourceSpec['transport'] {
  if (SCP_LIKE.test(url)) return 'ssh';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail(`"${url}" is not a URL; supported: file://, ssh://, https:// (and user@host:path for ssh)`);
  }
  if (u.password) return fail('the URL holds a password; put the token in tokenFile or tokenEnv instead');
  if (u.protocol === 'file:') return 'file';
  if (u.protocol === 'ssh:') return 'ssh';
  if (u.username)
    return fail('the URL holds a user name; https credentials go in tokenFile or tokenEnv (tokenUser)');
  if (u.protocol === 'https:') return 'https';
  if (u.protocol === 'http:') {
    if (LOOPBACK.has(u.hostname)) return 'http';
    return fail(`plain http:// is only allowed to a loopback host (tests); use https:// for ${u.hostname}`);
  }
  return fail(
    `unsupported URL scheme "${u.protocol}"; supported: file://, ssh://, https:// (and user@host:path for ssh)`,
  );
}

function secretRef(
  opts: Map<string, string>,
  what: string,
  fail: (m: string) => never,
): SecretRef | undefined {
  const file = opts.get(`${what}File`);
  const env = opts.get(`${what}Env`);
  if (file && env) fail(`${what}File and ${what}Env are mutually exclusive`);
  if (env && !ENV_NAME.test(env)) fail(`${what}Env "${env}" is not an environment variable name`);
  return file ? { file } : env ? { env } : undefined;
}

/** The default name: `git:` + the repository's last path segment (without .git) + `/path`. */
export function defaultGitName(url: string, path: string): string {
  const last = url.replace(/\/+$/, '').split(/[/:]/).pop() ?? 'repo';
  const repo = last.replace(/\.git$/, '') || 'repo';
  return `git:${repo}${path ? `/${path}` : ''}`;
}

function parseRef(opts: Map<string, string>, fail: (m: string) => never): GitRef {
  const given = (['branch', 'tag', 'commit'] as const).filter((k) => opts.has(k));
  if (given.length > 1) fail(`branch, tag and commit are mutually exclusive (got ${given.join(' and ')})`);
  const branch = opts.get('branch');
  const tag = opts.get('tag');
  const commit = opts.get('commit');
  if (branch !== undefined) {
    if (!REF_NAME.test(branch)) fail(`branch "${branch}" is not a valid git ref name`);
    return { kind: 'branch', name: branch };
  }
  if (tag !== undefined) {
    if (!REF_NAME.test(tag)) fail(`tag "${tag}" is not a valid git ref name`);
    return { kind: 'tag', name: tag };
  }
  if (commit !== undefined) {
    if (!/^[0-9a-f]{7,40}$/.test(commit)) fail(`commit "${commit}" must be 7 to 40 lowercase hex digits`);
    return { kind: 'commit', sha: commit };
  }
  return { kind: 'default' };
}

function parseRepoPath(raw: string | undefined, fail: (m: string) => never): string {
  if (raw === undefined) return '';
  if (raw.startsWith('/')) fail(`path "${raw}" must be relative to the repository root`);
  const norm = posix.normalize(raw).replace(/\/+$/, '');
  if (norm === '..' || norm.startsWith('../')) fail(`path "${raw}" leaves the repository`);
  return norm === '.' ? '' : norm;
}

function parseGit(url: string, opts: Map<string, string>, fail: (m: string) => never): GitSourceSpec {
  checkKeys(opts, GIT_KEYS, 'git', fail);
  const transport = transportOf(url, fail);
  const ref = parseRef(opts, fail);
  const path = parseRepoPath(opts.get('path'), fail);
  let intervalMs = DEFAULT_GIT_INTERVAL_MS;
  const interval = opts.get('interval');
  if (interval !== undefined) {
    try {
      intervalMs = parseDurationMs(interval);
    } catch {
      fail(`interval "${interval}" is not a duration (use e.g. 30s, 5m, 1h)`);
    }
    if (intervalMs < 1000) fail(`interval "${interval}" is shorter than 1s`);
  }
  const sshKey = secretRef(opts, 'sshKey', fail);
  const token = secretRef(opts, 'token', fail);
  const knownHostsFile = opts.get('knownHostsFile');
  if ((sshKey || knownHostsFile) && transport !== 'ssh')
    fail(`${sshKey ? 'sshKeyFile/sshKeyEnv' : 'knownHostsFile'} needs an ssh:// or user@host:path URL`);
  // A token is sent to http(s) remotes only; file:// (a local mirror) accepts and ignores it.
  if (token && transport === 'ssh')
    fail('tokenFile/tokenEnv need an https:// URL (ssh uses sshKeyFile/sshKeyEnv)');
  const scheme = opts.get('tokenScheme') ?? 'basic';
  if (scheme !== 'basic' && scheme !== 'bearer')
    fail(`tokenScheme "${scheme}" is not supported; use basic or bearer`);
  if ((opts.has('tokenScheme') || opts.has('tokenUser')) && !token)
    fail('tokenScheme/tokenUser need tokenFile or tokenEnv');
  if (opts.has('tokenUser') && scheme === 'bearer') fail('tokenUser applies to tokenScheme=basic only');
  const name = opts.get('name') ?? defaultGitName(url, path);
  checkName(opts.get('name'), fail);
  return {
    type: 'git',
    url,
    transport,
    name,
    ref,
    path,
    intervalMs,
    auth: {
      ...(sshKey ? { sshKey } : {}),
      ...(knownHostsFile ? { knownHostsFile } : {}),
      ...(token ? { token } : {}),
      tokenScheme: scheme,
      tokenUser: opts.get('tokenUser') ?? 'x-access-token',
    },
  };
}

/** Parses every `--source`; two sources with one name is an error (set name=). */
export function parseSourceSpecs(specs: string[]): SourceSpec[] {
  const parsed = specs.map(parseSourceSpec);
  const seen = new Map<string, string>();
  for (const [i, s] of parsed.entries()) {
    const name = s.type === 'git' ? s.name : (s.name ?? `dir:${s.path}`);
    const other = seen.get(name);
    if (other !== undefined)
      throw new Error(
        `--source ${shown(specs[i]!)}: the source name "${name}" is already used by --source ${shown(other)}; set name=NAME on one of them`,
      );
    seen.set(name, specs[i]!);
  }
  return parsed;
}

export interface SourceDeps {
  logger: Logger;
  /** Work folder of the git sources (cache repositories, commit trees, ssh files). */
  workDir: string;
  registry?: Registry;
  env?: NodeJS.ProcessEnv;
}

/** A Source for a parsed spec. Git credentials are read once here, so a missing one fails at start. */
export function createSource(spec: SourceSpec, deps: SourceDeps): Source {
  if (spec.type === 'dir')
    return new DirSource(spec.path, { logger: deps.logger, ...(spec.name ? { name: spec.name } : {}) });
  const env = deps.env ?? process.env;
  try {
    if (spec.auth.sshKey) readSecret(spec.auth.sshKey, 'sshKey', env);
    if (spec.auth.token) readSecret(spec.auth.token, 'token', env);
  } catch (e) {
    throw new Error(`--source ${spec.name}: ${(e as Error).message}`);
  }
  return new GitSource(spec, {
    workDir: deps.workDir,
    logger: deps.logger,
    env,
    ...(deps.registry ? { registry: deps.registry } : {}),
  });
}

/** Every `--source` value -> a Source; git sources share one work dir (a new temp dir by default). */
export function createSources(
  specs: string[],
  deps: Omit<SourceDeps, 'workDir'> & { workDir?: string },
): Source[] {
  const parsed = parseSourceSpecs(specs);
  const workDir =
    deps.workDir ??
    (parsed.some((s) => s.type === 'git') ? mkdtempSync(join(tmpdir(), 'swarmkeeper-git-')) : '');
  return parsed.map((s) => createSource(s, { ...deps, workDir }));
}
