import { type FSWatcher, watch } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { asSwarmkeeperError } from '../../reconciler/errors.js';
import type { SourceSnapshot } from '../runtime/resource-store.js';
import { loadPath } from './dir-loader.js';
import type { Source } from './source.js';

/** A watched directory: filesystem events, debounced, each producing a full snapshot. */
export class DirSource implements Source {
  readonly name: string;
  readonly #root: string;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #emit: ((s: SourceSnapshot) => void) | undefined;

  constructor(
    path: string,
    private readonly opts: { debounceMs?: number; logger?: Logger; name?: string; bindRoot?: string } = {},
  ) {
    this.#root = resolve(path);
    this.name = opts.name ?? `dir:${path}`;
  }

  async start(emit: (snapshot: SourceSnapshot) => void): Promise<void> {
    this.#emit = emit;
    await this.sync();
    this.#watcher = watch(this.#root, { recursive: true }, () => this.#debounced());
    this.#watcher.on('error', (e) =>
      this.opts.logger?.warn({ source: this.name, err: e.message }, 'watch error'),
    );
  }

  #debounced(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.sync(), this.opts.debounceMs ?? 200);
  }

  async sync(): Promise<void> {
    if (!this.#emit) return;
    try {
      const l = loadPath(this.#root, { source: this.name });
      this.#emit({
        source: this.name,
        root: l.root,
        ...(this.opts.bindRoot ? { bindRoot: this.opts.bindRoot } : {}),
        revision: l.revision,
        resources: l.resources,
        errors: l.errors,
        failedFiles: l.failedFiles,
      });
    } catch (e) {
      const err = asSwarmkeeperError(e);
      this.opts.logger?.error({ source: this.name, code: err.code, err: err.message }, 'source load failed');
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
