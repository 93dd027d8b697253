/**
 * The git side of a git source: a bare cache repository per source, fetched with `--prune
 * --force` into swarmkeeper's own ref namespace (refs/sk/*), and one detached worktree per
 * commit checked out from it.
 *
 * simple-git over the system `git` binary (not isomorphic-git): it runs the git the host already
 * has and configures (proxies, CAs), and git's ssh transport uses OpenSSH, which isomorphic-git
 * does not support at all.
 *
 * Each commit gets its own folder `trees/<sha>/<repo>`: a reconcile still reading files of the
 * previous snapshot never sees a half-written tree, and a force-push (history rewrite) is
 * just another SHA. The leaf is the repository's name, so a compose file at the root gets the
 * repository's name as its stack name, as it would in a plain clone. The folder is written from the
 * object store (git-tree.ts: `ls-tree` and one `cat-file --batch` for the changed files, the others
 * hard-linked from the previous commit's folder) into a temporary folder renamed into place, so a
 * folder that exists is complete. A new commit costs three git processes: fetch, ls-tree, cat-file.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import type { GitRef } from './git-spec.js';
import { type TreeFiles, TreeRefused, parseLsTree, writeTree } from './git-tree.js';

export type GitFailureReason = 'auth' | 'network' | 'ref-not-found' | 'repository' | 'timeout' | 'git';

export class GitSourceError extends Error {
  constructor(
    readonly reason: GitFailureReason,
    message: string,
  ) {
    super(message);
  }
}

export interface GitRepoOptions {
  url: string;
  /** The source's private work folder. */
  dir: string;
  env: () => { env: Record<string, string>; secrets: string[] };
  /** Kill a git process that prints nothing for this long. */
  timeoutMs?: number;
  /** How many commit trees to keep (the current one and the one before, for reconciles in flight). */
  keepTrees?: number;
}

const REASONS: [RegExp, GitFailureReason][] = [
  [
    /couldn't find remote ref|unknown revision|not a valid object|bad revision|invalid refspec/i,
    'ref-not-found',
  ],
  [
    /authentication failed|could not read (username|password)|permission denied|terminal prompts disabled|returned error: 40[13]|host key verification failed|invalid credentials|access denied/i,
    'auth',
  ],
  [
    /does not appear to be a git repository|repository .* not found|not found|no such file or directory/i,
    'repository',
  ],
  [
    /could not resolve|connection refused|connection timed out|network is unreachable|unable to access|failed to connect|connection reset|could not read from remote/i,
    'network',
  ],
];

export function classifyGitError(text: string): GitFailureReason {
  for (const [re, reason] of REASONS) if (re.test(text)) return reason;
  return 'git';
}

/** The useful lines of git's stderr (no progress lines, no blank lines), at most 3. */
export function gitMessage(text: string): string {
  const lines = text
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter(
      (l) => l && !/^(remote: )?(Counting|Compressing|Receiving|Resolving|Enumerating|Total|From )/.test(l),
    );
  return lines.slice(0, 3).join('; ') || 'git failed without a message';
}

function refspecs(ref: GitRef): string[] {
  switch (ref.kind) {
    case 'branch':
      return [`+refs/heads/${ref.name}:refs/sk/target`];
    case 'tag':
      return [`+refs/tags/${ref.name}:refs/sk/target`];
    case 'default':
      return ['+HEAD:refs/sk/target'];
    case 'commit':
      return ['+refs/heads/*:refs/sk/heads/*', '+refs/tags/*:refs/sk/tags/*'];
  }
}

export function describeRef(ref: GitRef): string {
  switch (ref.kind) {
    case 'branch':
      return `branch "${ref.name}"`;
    case 'tag':
      return `tag "${ref.name}"`;
    case 'default':
      return 'the default branch (HEAD)';
    case 'commit':
      return `commit ${ref.sha}`;
  }
}

/** The repository's name from its URL (the last path segment without `.git`). */
export function repoName(url: string): string {
  const last =
    url
      .replace(/\/+$/, '')
      .split(/[/:]/)
      .pop()
      ?.replace(/\.git$/, '') ?? '';
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(last) ? last : 'repo';
}

/**
 * simple-git, loaded by the first git command: a controller without a git source never loads it
 * (0.15 MB of source kept in its heap otherwise).
 */
export async function loadSimpleGit(): Promise<typeof import('simple-git').simpleGit> {
  return (await import('simple-git')).simpleGit;
}

export class GitRepo {
  readonly #cache: string;
  readonly #trees: string;
  /** The cache's remote URL is set (once per process: it is this repository's own config). */
  #configured = false;
  /** The files of the last commit written, and where (unchanged files are linked from there). */
  #last: { sha: string; files: TreeFiles; dir: string } | undefined;

  constructor(private readonly opts: GitRepoOptions) {
    this.#cache = join(opts.dir, 'cache.git');
    this.#trees = join(opts.dir, 'trees');
  }

  async #git(baseDir: string): Promise<{ git: SimpleGit; secrets: string[] }> {
    const { env, secrets } = this.opts.env();
    const git = (await loadSimpleGit())({
      baseDir,
      binary: 'git',
      maxConcurrentProcesses: 1,
      timeout: { block: this.opts.timeoutMs ?? 120_000 },
      // GIT_SSH_COMMAND and GIT_CONFIG_COUNT are built by git-auth.ts from validated input only.
      unsafe: { allowUnsafeSshCommand: true, allowUnsafeConfigEnvCount: true },
    }).env(env);
    return { git, secrets };
  }

  async #run(baseDir: string, args: string[], what: string): Promise<string> {
    const { git } = await this.#git(baseDir);
    try {
      return await git.raw(args);
    } catch (e) {
      const text = (e as Error).message ?? String(e);
      if (/block timeout reached/i.test(text))
        throw new GitSourceError(
          'timeout',
          `${what}: git printed nothing for ${this.opts.timeoutMs ?? 120_000} ms`,
        );
      throw new GitSourceError(classifyGitError(text), `${what}: ${gitMessage(text)}`);
    }
  }

  /** Secrets to scrub from messages (fresh: the token may have been rotated). */
  secrets(): string[] {
    return this.opts.env().secrets;
  }

  async #ensureCache(): Promise<void> {
    if (!existsSync(join(this.#cache, 'HEAD'))) {
      mkdirSync(this.#cache, { recursive: true });
      await this.#run(this.#cache, ['init', '--bare', '--quiet'], 'git init');
      this.#configured = false;
    }
    if (this.#configured) return;
    await this.#run(this.#cache, ['config', 'remote.origin.url', this.opts.url], 'git config');
    this.#configured = true;
  }

  /** Fetches the ref and returns the commit SHA it names. */
  async fetch(ref: GitRef): Promise<string> {
    mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
    await this.#ensureCache();
    const where = `git fetch of ${describeRef(ref)} from ${this.opts.url}`;
    try {
      await this.#run(
        this.#cache,
        ['fetch', '--prune', '--force', '--no-tags', '--quiet', 'origin', ...refspecs(ref)],
        where,
      );
    } catch (e) {
      if (e instanceof GitSourceError && e.reason === 'ref-not-found')
        throw new GitSourceError(
          'ref-not-found',
          `${where}: ${describeRef(ref)} does not exist in the repository`,
        );
      throw e;
    }
    // a branch names a commit (no process to ask); a tag may be annotated: git peels it
    if (ref.kind === 'branch' || ref.kind === 'default')
      return this.#looseCommitRef('refs/sk/target') ?? this.#resolve('refs/sk/target', where);
    if (ref.kind === 'tag') return this.#resolve('refs/sk/target', where);
    try {
      return await this.#resolve(ref.sha, where);
    } catch (e) {
      // Not reachable from any branch or tag: ask for the object itself (servers may refuse).
      if (ref.sha.length !== 40) throw e;
      await this.#run(this.#cache, ['fetch', '--quiet', '--no-tags', 'origin', ref.sha], where).catch(() => {
        throw new GitSourceError(
          'ref-not-found',
          `${where}: commit ${ref.sha} is not on any branch or tag and the server does not serve it by SHA`,
        );
      });
      return this.#resolve(ref.sha, where);
    }
  }

  /**
   * A branch ref fetch just wrote, read from its loose file (no process); undefined: ask git.
   * A branch head names a commit; one that names no commit (a hostile server) fails in checkout,
   * which lists `<sha>^{commit}`.
   */
  #looseCommitRef(ref: string): string | undefined {
    try {
      const sha = readFileSync(join(this.#cache, ref), 'utf8').trim();
      return /^[0-9a-f]{40}$/.test(sha) ? sha : undefined;
    } catch {
      return undefined;
    }
  }

  async #resolve(rev: string, where: string): Promise<string> {
    const sha = (
      await this.#run(this.#cache, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], where).catch(
        () => '',
      )
    ).trim();
    if (!/^[0-9a-f]{40}$/.test(sha))
      throw new GitSourceError('ref-not-found', `${where}: ${rev} does not name a commit in the repository`);
    return sha;
  }

  /** The folder of `sha`'s files (written once, then reused); see git-tree.ts. */
  async checkout(sha: string): Promise<string> {
    const name = repoName(this.opts.url);
    const tree = join(this.#trees, sha, name);
    if (existsSync(tree) && existsSync(join(this.#trees, sha, '.sk-tree'))) return tree;
    const where = `reading commit ${sha}`;
    const files = await this.#files(sha, where);
    const tmp = join(this.#trees, `.tmp-${sha}`);
    rmSync(tmp, { recursive: true, force: true });
    rmSync(join(this.#trees, sha), { recursive: true, force: true });
    mkdirSync(join(tmp, name), { recursive: true });
    const last = this.#last && existsSync(this.#last.dir) ? this.#last : undefined;
    try {
      await writeTree({
        cache: this.#cache,
        env: this.opts.env().env,
        files,
        dest: join(tmp, name),
        previous: last,
      });
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw new GitSourceError('repository', `${where}: ${(e as Error).message}`);
    }
    mkdirSync(join(tmp, '.sk-tree'));
    renameSync(tmp, join(this.#trees, sha));
    this.#last = { sha, files, dir: tree };
    return tree;
  }

  async #files(sha: string, where: string): Promise<TreeFiles> {
    const out = await this.#run(
      this.#cache,
      ['ls-tree', '-r', '-z', '-l', '--full-tree', `${sha}^{commit}`],
      where,
    );
    try {
      return parseLsTree(out);
    } catch (e) {
      if (e instanceof TreeRefused)
        throw new GitSourceError('repository', `${where}: the commit is refused: ${e.message}`);
      throw e;
    }
  }

  /** Removes the trees of commits other than `keep` (most recent first), beyond keepTrees. */
  async removeOldTrees(keep: string[]): Promise<void> {
    if (!existsSync(this.#trees)) return;
    const wanted = new Set(keep.slice(0, this.opts.keepTrees ?? 2));
    for (const sha of readdirSync(this.#trees)) {
      if (wanted.has(sha)) continue;
      rmSync(join(this.#trees, sha), { recursive: true, force: true });
    }
    // worktrees of an earlier version of this code (their trees are gone now)
    if (existsSync(join(this.#cache, 'worktrees')))
      await this.#run(this.#cache, ['worktree', 'prune'], 'git worktree prune');
  }
}
