/**
 * `--source` specs: `TYPE=VALUE[,KEY=VALUE...]`.
 *
 *   dir=PATH[,name=NAME][,policy=FILE][,bindRoot=/srv/infra]
 *   git=URL[,branch=B | tag=T | commit=SHA][,path=DIR][,interval=1m][,name=NAME]
 *          [,sshKeyFile=F | sshKeyEnv=VAR][,knownHostsFile=F]
 *          [,tokenFile=F | tokenEnv=VAR][,tokenScheme=basic|bearer][,tokenUser=U][,policy=FILE]
 *          [,bindRoot=/srv/infra][,writeBackBranch=B[,writeBackAuthor=Name <email>]]
 *
 * writeBackBranch: commit the image update policies' changes to the compose files on branch B and
 * push them (with the source's credentials); off by default.
 * bindRoot: where the source's files (for git: the repository's) live on the Swarm nodes; a relative
 * bind `./data` of `stacks/app/docker-compose.yml` becomes `<bindRoot>/stacks/app/data`.
 *
 * Values cannot contain commas. Secrets never appear in a spec: only the file or environment
 * variable that holds them, and a URL with a password is refused.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DirSource } from './dir-source.js';
import { readSecret } from './git-auth.js';
import { GitSource } from './git-source.js';
import { sourceName } from './source-name.js';
import { type Fail, type GitSourceSpec, checkKeys, checkName, parseBindRoot, parseGit } from './git-spec.js';
import type { Source } from '../ports.js';

export interface DirSourceSpec {
  type: 'dir';
  path: string;
  name?: string;
  /** A stack policy file (policy=FILE) for the stacks of this source. */
  policy?: string;
  /** Where this directory's files live on the Swarm nodes (relative bind sources resolve there). */
  bindRoot?: string;
}

export type { GitAuthSpec, GitRef, GitSourceSpec, SecretRef } from './git-spec.js';
export { DEFAULT_GIT_INTERVAL_MS, GIT_KEYS, defaultGitName } from './git-spec.js';

export type SourceSpec = DirSourceSpec | GitSourceSpec;
export { sourceName } from './source-name.js';

export const DIR_KEYS = ['name', 'policy', 'bindRoot'] as const;
class SpecError extends Error {}

/** The spec as shown in errors: the URL's user info is never echoed. */
function shown(spec: string): string {
  return spec.replace(/\/\/[^/@,]*@/, '//***@');
}

function splitPairs(spec: string, fail: Fail): [string, string][] {
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

function parseDir(path: string, opts: Map<string, string>, fail: Fail): DirSourceSpec {
  checkKeys(opts, DIR_KEYS, 'dir', fail);
  const name = opts.get('name');
  checkName(name, fail);
  const policy = opts.get('policy');
  const bindRoot = parseBindRoot(opts.get('bindRoot'), fail);
  return {
    type: 'dir',
    path,
    ...(name ? { name } : {}),
    ...(policy ? { policy } : {}),
    ...(bindRoot ? { bindRoot } : {}),
  };
}

/** Parses every `--source`; two sources with one name is an error (set name=). */
export function parseSourceSpecs(specs: string[]): SourceSpec[] {
  const parsed = specs.map(parseSourceSpec);
  const seen = new Map<string, string>();
  for (const [i, s] of parsed.entries()) {
    const name = sourceName(s);
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
    return new DirSource(spec.path, {
      logger: deps.logger,
      ...(spec.name ? { name: spec.name } : {}),
      ...(spec.bindRoot ? { bindRoot: spec.bindRoot } : {}),
    });
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
