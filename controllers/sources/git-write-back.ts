/**
 * Image write-back, the git side (Flux's image automation model): the changes the image update
 * policies made are committed to the compose files of the git source, on the configured branch
 * only, and pushed with the source's credentials. The edit itself is pure
 * (reconciler/compose/image-edit.ts).
 *
 * A private clone per source (`<source dir>/write-back`) is reset to the remote branch before each
 * attempt; a push refused because the branch moved (non-fast-forward) fetches again and applies
 * the edits again, at most `attempts` times. Files are read through safe-read (inside the
 * repository, regular files) and a file reached through a symbolic link is never written.
 */
import { existsSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { asSwarmkeeperError } from '../../reconciler/errors.js';
import { editServiceImage } from '../../reconciler/compose/image-edit.js';
import { decodeText } from '../../reconciler/source/decode.js';
import type { ImageWrite, ImageWriteBack, ImageWriteResult } from '../ports.js';
import { scrub } from './git-auth.js';
import { classifyGitError, GitSourceError, gitMessage, loadSimpleGit } from './git-repo.js';
import type { GitWriteBackSpec } from './git-spec.js';
import { confine, readRegular, realRoot, sourceLimits } from './safe-read.js';

export interface GitWriteBackOptions {
  url: string;
  /** The private clone's folder. */
  dir: string;
  /** The source's folder inside the repository ('' = the root): compose paths are relative to it. */
  path: string;
  spec: GitWriteBackSpec;
  env: () => { env: Record<string, string>; secrets: string[] };
  timeoutMs?: number;
  /** Pushes tried before giving up when the branch keeps moving (default 4). */
  attempts?: number;
  /** Called after the commits of an attempt, before its push (tests move the branch here). */
  beforePush?: (attempt: number) => void | Promise<void>;
}

const REJECTED = /non-fast-forward|fetch first|\[rejected\]|failed to push some refs|cannot lock ref/i;

/** The commit message of one change: `swarmkeeper: <stack>/<service> image <from> -> <to>`. */
export function writeBackMessage(stack: string, w: ImageWrite): string {
  return `swarmkeeper: ${stack}/${w.service} image ${w.from} -> ${w.to}`;
}

export class GitWriteBack implements ImageWriteBack {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: GitWriteBackOptions) {}

  /** Writes are serialised per source (one clone). */
  write(stack: string, files: readonly string[], writes: readonly ImageWrite[]): Promise<ImageWriteResult> {
    const run = this.#queue.then(() => this.#write(stack, files, writes));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #git(args: string[], what: string): Promise<string> {
    const { env } = this.o.env();
    const git = (await loadSimpleGit())({
      baseDir: this.o.dir,
      binary: 'git',
      maxConcurrentProcesses: 1,
      timeout: { block: this.o.timeoutMs ?? 120_000 },
      unsafe: { allowUnsafeSshCommand: true, allowUnsafeConfigEnvCount: true },
    }).env({
      ...env,
      GIT_AUTHOR_NAME: this.o.spec.author.name,
      GIT_AUTHOR_EMAIL: this.o.spec.author.email,
      GIT_COMMITTER_NAME: this.o.spec.author.name,
      GIT_COMMITTER_EMAIL: this.o.spec.author.email,
    });
    try {
      return await git.raw(args);
    } catch (e) {
      const text = (e as Error).message ?? String(e);
      throw new GitSourceError(classifyGitError(text), `${what}: ${gitMessage(text)}`);
    }
  }

  async #write(
    stack: string,
    files: readonly string[],
    writes: readonly ImageWrite[],
  ): Promise<ImageWriteResult> {
    const branch = this.o.spec.branch;
    try {
      mkdirSync(this.o.dir, { recursive: true, mode: 0o700 });
      if (!existsSync(join(this.o.dir, '.git'))) await this.#git(['init', '--quiet'], 'git init');
      await this.#git(['config', 'remote.origin.url', this.o.url], 'git config');
      const attempts = this.o.attempts ?? 4;
      for (let attempt = 1; ; attempt++) {
        await this.#git(
          ['fetch', '--quiet', '--no-tags', '--force', 'origin', `+refs/heads/${branch}:refs/sk/write-back`],
          `git fetch of branch "${branch}" from ${this.o.url}`,
        );
        await this.#git(['checkout', '--quiet', '--force', '--detach', 'refs/sk/write-back'], 'git checkout');
        await this.#git(['clean', '--quiet', '-ffdx'], 'git clean');
        const applied = await this.#apply(stack, files, writes);
        if (applied.commits === 0) return { written: [], skipped: applied.skipped };
        await this.o.beforePush?.(attempt);
        try {
          await this.#git(
            ['push', '--quiet', '--porcelain', 'origin', `HEAD:refs/heads/${branch}`],
            `git push to branch "${branch}" of ${this.o.url}`,
          );
        } catch (e) {
          if (attempt < attempts && REJECTED.test((e as Error).message)) continue;
          throw e;
        }
        const commit = (await this.#git(['rev-parse', 'HEAD'], 'git rev-parse')).trim();
        return { commit, written: applied.written, skipped: applied.skipped };
      }
    } catch (e) {
      let secrets: string[] = [];
      try {
        secrets = this.o.env().secrets;
      } catch {
        // the secret itself is unreadable: its message names the file or variable only
      }
      throw new Error(scrub(asSwarmkeeperError(e).message, secrets));
    }
  }

  /** Edits and commits each write on the checked-out branch; one commit per change. */
  async #apply(
    stack: string,
    files: readonly string[],
    writes: readonly ImageWrite[],
  ): Promise<{ commits: number; written: ImageWrite[]; skipped: string[] }> {
    const root = realRoot(this.o.dir);
    const paths = files.map((f) => posix.normalize(posix.join(this.o.path || '.', f)));
    const skipped: string[] = [];
    const written: ImageWrite[] = [];
    for (const w of writes) {
      const texts = [];
      let failed: string | undefined;
      for (const p of paths) {
        if (p === '.git' || p.startsWith('.git/') || p.startsWith('../') || posix.isAbsolute(p)) {
          failed = `${p}: not a file of the repository`;
          break;
        }
        try {
          const real = confine(root, p, p);
          texts.push({ file: p, text: decodeText(p, readRegular(real, p, sourceLimits().maxFileBytes)) });
        } catch (e) {
          failed = asSwarmkeeperError(e).message;
          break;
        }
      }
      const edit = failed === undefined ? editServiceImage(texts, w.service, w.to, w.from) : undefined;
      if (!edit || !edit.ok) {
        skipped.push(`${stack}/${w.service}: ${failed ?? (edit && !edit.ok ? edit.error : '')}`);
        continue;
      }
      if (!edit.changed) continue;
      const target = resolve(root, edit.file);
      // never through a link (in or out of the repository): git would commit the link, not the file
      if (lstatSync(target).isSymbolicLink() || confine(root, edit.file, edit.file) !== target) {
        skipped.push(`${stack}/${w.service}: ${edit.file} is reached through a symbolic link; not written`);
        continue;
      }
      writeFileSync(target, edit.text);
      await this.#git(['add', '--', edit.file], 'git add');
      await this.#git(
        ['-c', 'commit.gpgsign=false', 'commit', '--quiet', '--no-verify', '-m', writeBackMessage(stack, w)],
        'git commit',
      );
      written.push(w);
    }
    return { commits: written.length, written, skipped };
  }
}
