import { type FSWatcher, watch } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { asSwarmkeeperError } from '../../reconciler/errors.js';
import { loadPath } from './dir-loader.js';
import { LoadMemo } from './load-memo.js';
import type { Source, SourceSnapshot } from '../ports.js';

/**
 * A watched directory: filesystem events, debounced, each producing a full snapshot when the
 * directory's revision changed. A rescan every `pollMs` (default 5 s) is the safety net for events
 * the watcher never delivers (a watcher that failed on a hostile tree, e.g. a link loop, is started
 * again as well).
 */
export class DirSource implements Source {
  readonly name: string;
  readonly #root: string;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #poll: NodeJS.Timeout | undefined;
  #emit: ((s: SourceSnapshot) => void) | undefined;
  #lastRevision: string | undefined;
  /** Unchanged files are not parsed again on a rescan. */
  readonly #memo = new LoadMemo();

  constructor(
    path: string,
    private readonly opts: {
      debounceMs?: number;
      pollMs?: number;
      logger?: Logger;
      name?: string;
      bindRoot?: string;
    } = {},
  ) {
    this.#root = resolve(path);
    this.name = opts.name ?? `dir:${path}`;
  }

  async start(emit: (snapshot: SourceSnapshot) => void): Promise<void> {
    this.#emit = emit;
    await this.sync();
    this.#watch();
    this.#poll = setInterval(() => void this.sync(), this.opts.pollMs ?? 5000);
    this.#poll.unref();
  }

  #watch(): void {
    try {
      this.#watcher = watch(this.#root, { recursive: true }, () => this.#debounced());
    } catch (e) {
      this.opts.logger?.warn({ source: this.name, err: e as Error }, 'watch failed: rescanning every poll');
      return;
    }
    this.#watcher.on('error', (e) => {
      this.opts.logger?.warn({ source: this.name, err: e }, 'watch error: watching again');
      this.#watcher?.close();
      this.#watcher = undefined;
      if (this.#emit) setTimeout(() => this.#emit && !this.#watcher && this.#watch(), 1000).unref();
    });
  }

  #debounced(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.sync(), this.opts.debounceMs ?? 200);
  }

  async sync(): Promise<void> {
    if (!this.#emit) return;
    try {
      const l = loadPath(this.#root, { source: this.name, memo: this.#memo });
      if (l.revision === this.#lastRevision) return; // nothing a snapshot holds has changed
      this.#lastRevision = l.revision;
      this.#emit({
        source: this.name,
        root: l.root,
        ...(this.opts.bindRoot ? { bindRoot: this.opts.bindRoot } : {}),
        revision: l.revision,
        resources: l.resources,
        errors: l.errors,
        failedFiles: l.failedFiles,
        inputs: l.inputs,
      });
    } catch (e) {
      const err = asSwarmkeeperError(e);
      this.opts.logger?.error({ source: this.name, code: err.code, err }, 'source load failed');
    }
  }

  async stop(): Promise<void> {
    this.#emit = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#poll) clearInterval(this.#poll);
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
