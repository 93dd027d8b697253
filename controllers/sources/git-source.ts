import { createHash } from 'node:crypto';
import { join, posix } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { asSwarmkeeperError } from '../../reconciler/errors.js';
import { loadPath } from './dir-loader.js';
import { gitAuthEnv, scrub } from './git-auth.js';
import { type GitMetrics, gitMetrics } from './git-metrics.js';
import { GitRepo, GitSourceError, describeRef } from './git-repo.js';
import type { GitSourceSpec } from './git-spec.js';
import type { ImageWriteBack, Source, SourceSnapshot } from '../ports.js';
import { GitWriteBack } from './git-write-back.js';

export type SyncTrigger = 'start' | 'poll' | 'webhook' | 'manual' | 'write-back';

export interface GitSyncResult {
  source: string;
  ok: boolean;
  /** The commit loaded (or, after a failure, the one still in effect). */
  revision?: string;
  /** True when this sync emitted a snapshot of a new commit. */
  changed: boolean;
  resources?: number;
  error?: string;
}

export interface GitSourceOptions {
  /** Where the cache repository and the commit trees live (one sub-folder per source). */
  workDir: string;
  logger?: Logger;
  registry?: Registry;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Tests: called before each write-back push. */
  writeBackHook?: (attempt: number) => void | Promise<void>;
}

/**
 * A git repository as a source: fetched on start, every `interval` and on `sync()` (webhook,
 * `swarmkeeper sync`). Every new commit becomes a full snapshot whose revision is the commit SHA.
 * A failed fetch or load keeps the previous snapshot: nothing is emitted, so nothing is pruned.
 * Syncs never overlap: a sync asked for while one runs is queued once and shared.
 */
export class GitSource implements Source {
  readonly name: string;
  readonly #repo: GitRepo;
  readonly #log: Logger | undefined;
  readonly #metrics: GitMetrics | undefined;
  #emit: ((s: SourceSnapshot) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<GitSyncResult> | undefined;
  #queued: Promise<GitSyncResult> | undefined;
  #revision: string | undefined;
  #trees: string[] = [];
  #stopped = false;
  /** The image write-back of this source (writeBackBranch=); absent: off. */
  readonly writeBack: ImageWriteBack | undefined;

  constructor(
    readonly spec: GitSourceSpec,
    private readonly opts: GitSourceOptions,
  ) {
    this.name = spec.name;
    this.#log = opts.logger?.child({ source: spec.name });
    this.#metrics = opts.registry ? gitMetrics(opts.registry) : undefined;
    const id = `${spec.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${createHash('sha256').update(`${spec.name}\0${spec.url}`).digest('hex').slice(0, 8)}`;
    const dir = join(opts.workDir, id);
    this.#repo = new GitRepo({
      url: spec.url,
      dir,
      timeoutMs: opts.timeoutMs ?? 120_000,
      env: () => gitAuthEnv(spec.url, spec.auth, join(dir, 'ssh'), opts.env ?? process.env),
    });
    const writer = spec.writeBack
      ? new GitWriteBack({
          url: spec.url,
          dir: join(dir, 'write-back'),
          path: spec.path,
          spec: spec.writeBack,
          timeoutMs: opts.timeoutMs ?? 120_000,
          env: () => gitAuthEnv(spec.url, spec.auth, join(dir, 'ssh'), opts.env ?? process.env),
          ...(opts.writeBackHook ? { beforePush: opts.writeBackHook } : {}),
        })
      : undefined;
    // a commit pushed is loaded at once (the next reconcile then reads the image it wrote)
    this.writeBack = writer && {
      write: async (stack, files, writes) => {
        const r = await writer.write(stack, files, writes);
        if (r.commit && this.#emit && !this.#stopped) void this.syncNow('write-back');
        return r;
      },
    };
  }

  get url(): string {
    return this.spec.url;
  }

  /** The commit of the last snapshot emitted. */
  get revision(): string | undefined {
    return this.#revision;
  }

  async start(emit: (snapshot: SourceSnapshot) => void): Promise<void> {
    this.#emit = emit;
    this.#stopped = false;
    await this.syncNow('start');
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.syncNow('poll').finally(() => this.#schedule());
    }, this.spec.intervalMs);
    this.#timer.unref();
  }

  async sync(): Promise<void> {
    await this.syncNow('manual');
  }

  /** Fetches now; resolves when a sync that started after this call has finished. */
  syncNow(trigger: SyncTrigger): Promise<GitSyncResult> {
    this.#metrics?.triggers.inc({ source: this.name, trigger });
    if (this.#queued) return this.#queued;
    if (!this.#current) return this.#begin(trigger);
    this.#queued = this.#current.then(() => {
      this.#queued = undefined;
      return this.#begin(trigger);
    });
    return this.#queued;
  }

  #begin(trigger: SyncTrigger): Promise<GitSyncResult> {
    const p = this.#run(trigger).finally(() => {
      if (this.#current === p) this.#current = undefined;
    });
    this.#current = p;
    return p;
  }

  async #run(trigger: SyncTrigger): Promise<GitSyncResult> {
    const started = Date.now();
    const base = { source: this.name, ...(this.#revision ? { revision: this.#revision } : {}) };
    if (!this.#emit || this.#stopped)
      return { ...base, ok: false, changed: false, error: 'source is not started' };
    let sha: string;
    try {
      sha = await this.#repo.fetch(this.spec.ref);
      this.#metrics?.fetches.inc({ source: this.name, result: 'success' });
    } catch (e) {
      const reason = e instanceof GitSourceError ? e.reason : 'git';
      this.#metrics?.fetches.inc({ source: this.name, result: reason });
      return this.#failed(base, trigger, reason, e);
    }
    if (sha === this.#revision) {
      this.#log?.debug({ trigger, revision: sha, ms: Date.now() - started }, 'git source unchanged');
      this.#metrics?.lastSuccess.set({ source: this.name }, Date.now() / 1000);
      return { ...base, ok: true, changed: false };
    }
    try {
      const tree = await this.#repo.checkout(sha);
      const l = loadPath(this.spec.path ? join(tree, this.spec.path) : tree, {
        source: this.name,
        revision: sha,
      });
      this.#emit({
        source: this.name,
        root: l.root,
        // The commit tree's folder changes with every commit; the nodes' copy does not.
        ...(this.spec.bindRoot ? { bindRoot: posix.join(this.spec.bindRoot, this.spec.path || '.') } : {}),
        revision: sha,
        resources: l.resources,
        errors: l.errors,
        failedFiles: l.failedFiles,
        inputs: l.inputs,
      });
      const previous = this.#revision;
      if (previous) this.#metrics?.revision.remove({ source: this.name, revision: previous });
      this.#metrics?.revision.set({ source: this.name, revision: sha }, 1);
      this.#metrics?.lastSuccess.set({ source: this.name }, Date.now() / 1000);
      this.#revision = sha;
      this.#trees = [sha, ...this.#trees.filter((t) => t !== sha)];
      await this.#repo.removeOldTrees(this.#trees).catch(() => undefined);
      this.#trees = this.#trees.slice(0, 2);
      this.#log?.info(
        {
          trigger,
          revision: sha,
          previous,
          ref: describeRef(this.spec.ref),
          path: this.spec.path || '.',
          resources: l.resources.length,
          errors: l.errors.length,
          ms: Date.now() - started,
        },
        'git source loaded a new commit',
      );
      return { source: this.name, ok: true, changed: true, revision: sha, resources: l.resources.length };
    } catch (e) {
      return this.#failed(base, trigger, e instanceof GitSourceError ? e.reason : 'load', e);
    }
  }

  #failed(
    base: { source: string; revision?: string },
    trigger: SyncTrigger,
    reason: string,
    e: unknown,
  ): GitSyncResult {
    const raw = e instanceof GitSourceError ? e.message : asSwarmkeeperError(e).message;
    let secrets: string[] = [];
    try {
      secrets = this.#repo.secrets();
    } catch {
      // the secret itself is unreadable: its message names the file or variable only
    }
    const message = scrub(raw, secrets);
    this.#log?.error(
      { trigger, reason, url: this.spec.url, err: message, keptRevision: this.#revision ?? null },
      'git source sync failed; the previous snapshot is kept',
    );
    return { ...base, ok: false, changed: false, error: message };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#queued?.catch(() => undefined);
    await this.#current?.catch(() => undefined);
  }
}
