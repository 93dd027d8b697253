/** The `git=URL,...` part of `--source` specs (see source-spec.ts for the syntax). */
import { posix } from 'node:path';
import { parseDurationMs } from '../../reconciler/units/duration.js';

export type Fail = (message: string) => never;

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
  /** A stack policy file (policy=FILE) for the stacks of this source. */
  policy?: string;
  /** Where the repository's files live on the Swarm nodes (relative bind sources resolve there). */
  bindRoot?: string;
  /** Image write-back (writeBackBranch=, writeBackAuthor=): absent, off (the default). */
  writeBack?: GitWriteBackSpec;
}

/** Where and as whom the image update policies' changes are committed (controllers/sources/git-write-back.ts). */
export interface GitWriteBackSpec {
  branch: string;
  author: { name: string; email: string };
}

export const DEFAULT_WRITE_BACK_AUTHOR = { name: 'swarmkeeper', email: 'swarmkeeper@localhost' };

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
  'policy',
  'bindRoot',
  'writeBackBranch',
  'writeBackAuthor',
] as const;
export const DEFAULT_GIT_INTERVAL_MS = 60_000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const REF_NAME = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]+(?<![./])$/;

export function checkKeys(
  opts: Map<string, string>,
  allowed: readonly string[],
  type: string,
  fail: Fail,
): void {
  for (const k of opts.keys())
    if (!allowed.includes(k))
      fail(`unknown key "${k}" for a ${type} source; supported keys: ${allowed.join(', ')}`);
}

export function checkName(name: string | undefined, fail: Fail): void {
  if (name !== undefined && !NAME.test(name))
    fail(
      `name "${name}" must start with a letter or digit and use only letters, digits, '_', '.', ':' and '-'`,
    );
}

function transportOf(url: string, fail: Fail): GitSourceSpec['transport'] {
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

function secretRef(opts: Map<string, string>, what: string, fail: Fail): SecretRef | undefined {
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

function parseRef(opts: Map<string, string>, fail: Fail): GitRef {
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

function parseRepoPath(raw: string | undefined, fail: Fail): string {
  if (raw === undefined) return '';
  if (raw.startsWith('/')) fail(`path "${raw}" must be relative to the repository root`);
  const norm = posix.normalize(raw).replace(/\/+$/, '');
  if (norm === '..' || norm.startsWith('../')) fail(`path "${raw}" leaves the repository`);
  return norm === '.' ? '' : norm;
}

export function parseGit(url: string, opts: Map<string, string>, fail: Fail): GitSourceSpec {
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
  const bindRoot = parseBindRoot(opts.get('bindRoot'), fail);
  const writeBack = parseWriteBack(opts, fail);
  return {
    ...(bindRoot === undefined ? {} : { bindRoot }),
    ...(writeBack === undefined ? {} : { writeBack }),
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
    ...(opts.has('policy') ? { policy: opts.get('policy') as string } : {}),
  };
}

/** `bindRoot=/srv/infra`: an absolute folder on the Swarm nodes, normalised. */
export function parseBindRoot(raw: string | undefined, fail: Fail): string | undefined {
  if (raw === undefined) return undefined;
  if (!raw.startsWith('/'))
    fail(`bindRoot "${raw}" must be an absolute path (where the source's files live on the Swarm nodes)`);
  return posix.normalize(raw).replace(/(.)\/+$/, '$1');
}

/** `writeBackBranch=B[,writeBackAuthor=Name <email>]`: off without writeBackBranch. */
function parseWriteBack(opts: Map<string, string>, fail: Fail): GitWriteBackSpec | undefined {
  const branch = opts.get('writeBackBranch');
  const author = opts.get('writeBackAuthor');
  if (branch === undefined) {
    if (author !== undefined) fail('writeBackAuthor needs writeBackBranch');
    return undefined;
  }
  if (!REF_NAME.test(branch)) fail(`writeBackBranch "${branch}" is not a valid git ref name`);
  if (author === undefined) return { branch, author: { ...DEFAULT_WRITE_BACK_AUTHOR } };
  const m = /^([^<>\n]+?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(author);
  if (!m) return fail(`writeBackAuthor "${author}" must be "Name <email>"`);
  return { branch, author: { name: m[1]!.trim(), email: m[2]! } };
}
