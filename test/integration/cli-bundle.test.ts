/**
 * The built CLI runs from its bundle (dist/cli/swarmkeeper.cjs, build/bundle-cli.ts): every command
 * must answer as the module tree it was made from does (SWARMKEEPER_BUNDLE=0), with and without the
 * code cache, and with a cache written by an earlier run.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { helpForms, type HelpTable } from '../../controllers/cli/help-table.js';
import { COMMANDS } from '../../controllers/cli/launch.js';
import { buildProgram } from '../../controllers/cli/program.js';
import { assertBuilt, REPO, run, show, type RunResult } from './helpers/run.js';

let cacheRoot: string;
beforeAll(() => {
  assertBuilt();
  if (!existsSync(join(REPO, 'dist/cli/swarmkeeper.cjs')))
    throw new Error('dist/cli/swarmkeeper.cjs is missing: run `npm run build` first');
  cacheRoot = mkdtempSync(join(tmpdir(), 'sk-bundle-cache-'));
});
afterAll(() => rmSync(cacheRoot, { recursive: true, force: true }));

type Mode = 'tree' | 'bundle' | 'bundle, no cache';

function cli(mode: Mode, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_COMPILE_CACHE: cacheRoot, ...extraEnv };
  delete env['NODE_DISABLE_COMPILE_CACHE'];
  if (mode === 'tree') env['SWARMKEEPER_BUNDLE'] = '0';
  if (mode === 'bundle, no cache') env['NODE_DISABLE_COMPILE_CACHE'] = '1';
  return run(process.execPath, ['bin/swarmkeeper.js', ...args], env);
}

/** Runs args in every mode (the bundle twice: writing, then reading its cache); all must agree. */
async function agree(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const tree = await cli('tree', args, env);
  for (const mode of ['bundle', 'bundle', 'bundle, no cache'] as const) {
    const r = await cli(mode, args, env);
    expect({ mode, ...r }, `${args.join(' ')} (${mode})\n${show(r)}`).toEqual({ mode, ...tree });
  }
  return tree;
}

describe('the bundled CLI answers as the module tree does', () => {
  it.each([[['--help']], [['--version']], [['help', 'apply']], ...COMMANDS.map((c) => [[c, '--help']])])(
    '%j',
    async (args) => {
      const r = await agree(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(args[0] === '--version' ? /^\d+\.\d+\.\d+\n$/ : /^Usage: swarmkeeper/);
    },
  );

  it('the help table (dist/cli/help.json) has every help form of every command and subcommand', () => {
    const paths: string[][] = [];
    const walk = (cmd: Command, path: string[]): void => {
      paths.push(path);
      for (const c of cmd.commands) walk(c, [...path, c.name()]);
    };
    walk(buildProgram({ code: 0 }), []);
    expect(paths.map((p) => p[0])).toEqual(expect.arrayContaining([...COMMANDS]));
    const forms = helpForms(paths).map((f) => f.join(' '));
    expect(forms).toContain('crds install --help');
    expect(Object.keys(helpTable().forms).sort()).toEqual(forms.sort());
  });

  // the table's text for each form, then commander's (an option default from the environment)
  it.each(helpForms([[], ...COMMANDS.map((c) => [c]), ['crds', 'install']]).map((f) => [f]))(
    'help %j: the table prints what commander prints (and with SWARMKEEPER_INSTANCE_ID set, commander)',
    async (args) => {
      const r = await agree(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(helpTable().texts[helpTable().forms[args.join(' ')]!.narrow]);
      if (args.at(-1) !== '--help') return;
      const withEnv = await agree(args, { SWARMKEEPER_INSTANCE_ID: 'from-env', NO_COLOR: '1' });
      expect(withEnv.code).toBe(0);
      expect(withEnv.stdout).toMatch(/^Usage: swarmkeeper/);
      // the program's own options show the default from the environment
      if (args.length === 1) expect(withEnv.stdout).toMatch(/default:\s+"from-env"/);
    },
  );

  it('validate of the examples (exit 0, one line per resource)', async () => {
    const r = await agree(['validate', '-f', 'examples']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {2}SwarmStack\//m);
  });

  it('validate of a file with errors (exit 1, the same messages)', async () => {
    mkdirSync(join(cacheRoot, 'bad'));
    const file = join(cacheRoot, 'bad', 'docker-compose.yml');
    writeFileSync(file, 'services:\n  app:\n    image: app:1\n    restart_polcy: always\n');
    const r = await agree(['validate', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/restart_polcy: unknown key/);
  });

  it('plan of examples/web against the lab (--resolve-image never)', async () => {
    const r = await agree([
      '--instance-id',
      'bundle-test',
      'plan',
      '-f',
      'examples/web',
      '--resolve-image',
      'never',
    ]);
    expect([0, 2], show(r)).toContain(r.code);
    expect(r.stdout).toMatch(/^Plan: /m);
  });

  it('an unknown command is refused alike (exit 1)', async () => {
    const r = await agree(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown command/);
  });

  it('kept a code cache per command it ran successfully', () => {
    const files = readdirSync(join(cacheRoot, 'swarmkeeper'));
    // help from the bundle: only with an environment that the table was not made for
    for (const name of ['validate', 'plan', 'help'])
      expect(files.some((f) => f.endsWith(`-${name}`))).toBe(true);
  });

  it('is ASCII only, so V8 keeps its source as one byte per character', () => {
    const code = readFileSync(join(REPO, 'dist/cli/swarmkeeper.cjs'));
    expect(code.findIndex((b) => b > 0x7f)).toBe(-1);
    // read as the launcher reads it: one character per byte
    expect(readFileSync(join(REPO, 'dist/cli/swarmkeeper.cjs'), 'utf8').length).toBe(code.length);
  });

  it("holds zod's English messages only, not its 63 other locales", () => {
    const code = readFileSync(join(REPO, 'dist/cli/swarmkeeper.cjs'), 'utf8');
    expect(code).toContain('zod/v4/locales/en.js');
    expect(code).not.toMatch(/zod\/v4\/locales\/(?!en\.js|index\.js)[\w-]+\.js/);
  });
});

let table: HelpTable | undefined;
function helpTable(): HelpTable {
  table ??= JSON.parse(readFileSync(join(REPO, 'dist/cli/help.json'), 'utf8')) as HelpTable;
  return table;
}
