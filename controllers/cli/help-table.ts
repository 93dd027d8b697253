/**
 * `--help` without commander: the help of every command, as the bundle's own commander printed it
 * when `npm run build` made the bundle (build/bundle-cli.ts writes dist/cli/help.json beside it).
 * bin/swarmkeeper.js prints it for an exact help command line (`--help`, `plan -h`, `help apply`,
 * `crds install --help`, ...; launch.ts mayBeHelp) without loading the bundle.
 *
 * The text is commander's for the conditions it was made in, so it is served only in those:
 * - the table belongs to the bundle beside it (its sha256);
 * - no environment variable the help read while it was made is set (option defaults such as
 *   SWARMKEEPER_INSTANCE_ID, and commander's NO_COLOR / FORCE_COLOR);
 * - the width commander would wrap at is the one it was made for: 80 columns (stdout is not a
 *   terminal, or a terminal 80 wide), or a terminal at least as wide as the longest line of the
 *   unwrapped text (a wider one changes nothing).
 * Anything else (another width, global options before the command, SWARMKEEPER_BUNDLE=0) goes to
 * commander. test/integration/cli-bundle.test.ts checks every form against the module tree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const HELP_FILE = 'help.json';

export interface HelpForm {
  /** Index in texts: the help at 80 columns. */
  narrow: number;
  /** Index in texts: the help unwrapped, for a terminal of at least wideFrom columns (null: none). */
  wide: number | null;
  wideFrom: number | null;
}

export interface HelpTable {
  /** The bundle's sha256 (bundle.json). */
  sha256: string;
  /** Environment variables read while the help was made (then unset). */
  env: string[];
  texts: string[];
  /** Key: the command line's arguments joined by one space. */
  forms: Record<string, HelpForm>;
}

/** The help command lines of each command path ([] is the program, ['crds', 'install'] a subcommand). */
export function helpForms(paths: readonly (readonly string[])[]): string[][] {
  const forms: string[][] = [];
  for (const p of paths) {
    forms.push([...p, '--help'], [...p, '-h']);
    // commander's implicit help command of the parent: `help plan`, `crds help install`
    forms.push(p.length === 0 ? ['help'] : [...p.slice(0, -1), 'help', p.at(-1)!]);
  }
  return forms;
}

export interface Output {
  isTTY?: boolean;
  columns?: number;
}

/** The help text of `args` from the table, or undefined when commander must make it. */
export function helpOf(
  table: HelpTable,
  sha256: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
  out: Output,
): string | undefined {
  if (table.sha256 !== sha256) return undefined;
  if (table.env.some((k) => env[k] !== undefined)) return undefined;
  const form = Object.hasOwn(table.forms, args.join(' ')) ? table.forms[args.join(' ')] : undefined;
  if (!form) return undefined;
  // commander: process.stdout.isTTY ? process.stdout.columns : undefined, and 80 for undefined
  const width = (out.isTTY ? out.columns : undefined) ?? 80;
  if (width === 80) return table.texts[form.narrow];
  if (form.wide !== null && form.wideFrom !== null && width >= form.wideFrom) return table.texts[form.wide];
  return undefined;
}

/** The table of bundleDir (dist/cli), or undefined when the build wrote none or it is unreadable. */
export function readHelpTable(bundleDir: string): HelpTable | undefined {
  try {
    const t = JSON.parse(readFileSync(join(bundleDir, HELP_FILE), 'utf8')) as Partial<HelpTable>;
    if (typeof t.sha256 !== 'string' || !Array.isArray(t.env) || !Array.isArray(t.texts)) return undefined;
    if (typeof t.forms !== 'object' || t.forms === null) return undefined;
    return t as HelpTable;
  } catch {
    return undefined;
  }
}
