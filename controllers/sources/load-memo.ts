/**
 * What a source's loads have in common from one to the next: each YAML file's classification (a
 * parse of all its documents) and the files a compose file references, kept by the file's text. A directory source rescans every few seconds (and on every event); with this, a
 * rescan of unchanged files reads and compares their text but parses none of them.
 *
 * Bounded by the source: an entry whose file was not seen in a load is dropped at its end.
 * Resources are handed out as fresh objects each load (the loader sets their revision).
 */
import { type ClassifiedFile, type ClassifyOptions, classifyFile } from '../../reconciler/source/classify.js';
import { type ComposeRefs, rawComposeRefs } from '../../reconciler/desired/compose-refs.js';
import { composeReferences } from '../../reconciler/desired/stack-files.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';

interface Entry {
  text: string;
  opts: string;
  classified: ClassifiedFile;
  /** The references the file's text names (rawComposeRefs of the same text). */
  refs?: ComposeRefs;
}

function copy(c: ClassifiedFile): ClassifiedFile {
  return {
    resources: c.resources.map((r) => ({ ...r, origin: { ...r.origin } })),
    errors: [...c.errors],
    skipped: [...c.skipped],
  };
}

export class LoadMemo {
  readonly #files = new Map<string, Entry>();
  #seen = new Set<string>();

  /** classifyFile, or what it gave for the same text and options. */
  classify(file: string, text: string, opts: ClassifyOptions): ClassifiedFile {
    this.#seen.add(file);
    const o = JSON.stringify(opts);
    const e = this.#files.get(file);
    if (e && e.text === text && e.opts === o) return copy(e.classified);
    const classified = classifyFile(file, text, opts);
    this.#files.set(file, { text, opts: o, classified: copy(classified) });
    return classified;
  }

  /** rawComposeRefs of a file's text, parsed once per text of a file this memo holds. */
  refs(file: string, text: string): ComposeRefs {
    const e = this.#files.get(file);
    if (!e || e.text !== text) return rawComposeRefs(text);
    return (e.refs ??= rawComposeRefs(text));
  }

  /** composeReferences through this memo's references. */
  composeReferences(res: DesiredResource): string[] {
    return composeReferences(res, (text) => this.refs(res.origin.file, text));
  }

  /** A load ended: forget the files it did not see. */
  endLoad(): void {
    for (const f of this.#files.keys()) if (!this.#seen.has(f)) this.#files.delete(f);
    this.#seen = new Set();
  }
}
