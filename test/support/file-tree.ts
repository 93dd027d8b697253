import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A file's text, or a symbolic link to `link`. */
export type TreeEntry = string | { link: string };

/** Writes files (and links) under a new temporary folder named `prefix…`; returns the folder. */
export function writeTree(prefix: string, files: Record<string, TreeEntry>): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const [rel, f] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    if (typeof f === 'string') writeFileSync(join(root, rel), f);
    else symlinkSync(f.link, join(root, rel));
  }
  return root;
}
