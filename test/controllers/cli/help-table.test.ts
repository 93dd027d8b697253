/**
 * The launcher's help table (controllers/cli/help-table.ts): which command lines it answers, and
 * which it leaves to commander (another bundle, an environment or a width it was not made for).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HELP_FILE,
  helpForms,
  helpOf,
  readHelpTable,
  type HelpTable,
  type Output,
} from '../../../controllers/cli/help-table.js';
import { mayBeHelp } from '../../../controllers/cli/launch.js';

const SHA = 'a'.repeat(64);
const table: HelpTable = {
  sha256: SHA,
  env: ['NO_COLOR', 'SWARMKEEPER_INSTANCE_ID'],
  texts: ['program at 80', 'program unwrapped', 'plan at 80'],
  forms: {
    '--help': { narrow: 0, wide: 1, wideFrom: 120 },
    'plan --help': { narrow: 2, wide: null, wideFrom: null },
  },
};

describe('helpForms', () => {
  it('gives --help, -h and the parent help command of each path', () => {
    expect(helpForms([[], ['plan'], ['crds', 'install']])).toEqual([
      ['--help'],
      ['-h'],
      ['help'],
      ['plan', '--help'],
      ['plan', '-h'],
      ['help', 'plan'],
      ['crds', 'install', '--help'],
      ['crds', 'install', '-h'],
      ['crds', 'help', 'install'],
    ]);
  });
});

describe('mayBeHelp', () => {
  it.each([
    [['--help'], true],
    [['help', 'plan'], true],
    [['crds', 'install', '-h'], true],
    [['validate', '-f', 'x'], false],
    [[], false],
    [['--instance-id', 'x', 'plan', '--help'], false],
  ])('%j -> %s', (args, expected) => expect(mayBeHelp(args)).toBe(expected));
});

describe('helpOf', () => {
  const pipe: Output = {};
  const tty = (columns: number | undefined): Output => ({ isTTY: true, columns });
  it.each<[string, string, string[], Record<string, string | undefined>, Output, string | undefined]>([
    ['not a terminal: 80 columns', SHA, ['--help'], {}, pipe, 'program at 80'],
    ['a terminal 80 wide', SHA, ['--help'], {}, tty(80), 'program at 80'],
    ['a terminal of unknown width: 80, as commander', SHA, ['--help'], {}, tty(undefined), 'program at 80'],
    ['a terminal as wide as the longest line', SHA, ['--help'], {}, tty(120), 'program unwrapped'],
    ['a wider terminal', SHA, ['--help'], {}, tty(300), 'program unwrapped'],
    ['a terminal between: commander', SHA, ['--help'], {}, tty(119), undefined],
    ['a narrow terminal: commander', SHA, ['--help'], {}, tty(60), undefined],
    ['no unwrapped text: commander when wide', SHA, ['plan', '--help'], {}, tty(200), undefined],
    ['no unwrapped text, 80 columns', SHA, ['plan', '--help'], {}, pipe, 'plan at 80'],
    ['another bundle', 'b'.repeat(64), ['--help'], {}, pipe, undefined],
    ['a variable the help read is set', SHA, ['--help'], { SWARMKEEPER_INSTANCE_ID: 'x' }, pipe, undefined],
    ['set to the empty string', SHA, ['--help'], { NO_COLOR: '' }, pipe, undefined],
    ['other variables do not matter', SHA, ['--help'], { HOME: '/root' }, pipe, 'program at 80'],
    ['a form the table has not', SHA, ['apply', '--help'], {}, pipe, undefined],
    ['not a form at all', SHA, ['constructor'], {}, pipe, undefined],
  ])('%s', (_, sha, args, env, out, expected) => expect(helpOf(table, sha, args, env, out)).toBe(expected));
});

describe('readHelpTable', () => {
  it.each([
    ['a table', JSON.stringify(table), table],
    ['not JSON', '{', undefined],
    ['no sha256', JSON.stringify({ ...table, sha256: 1 }), undefined],
    ['no forms', JSON.stringify({ ...table, forms: null }), undefined],
    ['no file', undefined, undefined],
  ])('%s', (_, content, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'sk-help-table-'));
    try {
      if (content !== undefined) writeFileSync(join(dir, HELP_FILE), content);
      expect(readHelpTable(dir)).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
