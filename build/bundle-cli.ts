/**
 * Bundles the CLI (`npm run build`, after tsc): dist/controllers/cli/main.js and everything it
 * imports become one CommonJS file, dist/cli/swarmkeeper.cjs, which bin/swarmkeeper.js runs with a
 * V8 code cache of its own (controllers/cli/code-cache.ts). One file instead of ~300 ES modules
 * spares Node the resolution and linking of each; the lazy `import()`s of the commands stay lazy
 * (esbuild evaluates a bundled module on its first import).
 *
 * Left out, and required from node_modules when a command reaches them: the packages only the
 * controller (`run`), `status` or `--kube` use, which are large and load their own files.
 * dockerode is bundled without the parts swarmkeeper never reaches and that cost most of its load:
 * BuildKit sessions (gRPC, protobuf) and ssh:// hosts (ssh2; controllers/docker/connection.ts
 * refuses them). Those stubs throw if they are ever called.
 * It then writes the help of every command, as the bundle prints it, to dist/cli/help.json
 * (controllers/cli/help-table.ts): bin/swarmkeeper.js answers `--help` from it without the bundle.
 *   tsx build/bundle-cli.ts    writes dist/cli/swarmkeeper.cjs, dist/cli/bundle.json and dist/cli/help.json
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { Command } from 'commander';
import type { HelpForm, HelpTable } from '../controllers/cli/help-table.js';

const ROOT = join(import.meta.dirname, '..');
const OUT_DIR = join(ROOT, 'dist', 'cli');
export const BUNDLE_FILE = 'swarmkeeper.cjs';

/** Required at run time from node_modules (only `run`, `status`, `crds` and `--kube` load them). */
export const EXTERNAL = ['@kubernetes/client-node', 'bullmq', 'ioredis', 'prom-client', 'simple-git'];

const unsupported = (what: string) =>
  `throw new Error(${JSON.stringify(`swarmkeeper: ${what} is not part of the bundled CLI`)});`;

/** Module paths (as resolved) replaced by a stub, and the stub's source. */
const STUBS: { filter: RegExp; contents: string }[] = [
  {
    filter: /[/\\]dockerode[/\\]lib[/\\]session\.js$/,
    contents: `module.exports = function withSession() { ${unsupported('a BuildKit session')} };`,
  },
  {
    filter: /[/\\]dockerode[/\\]lib[/\\]buildkit\.js$/,
    contents: `module.exports = new Proxy({}, { get() { ${unsupported('BuildKit')} } });`,
  },
  {
    filter: /[/\\]ssh2[/\\]lib[/\\]index\.js$/,
    contents: `module.exports = { Client: function Client() { ${unsupported('an ssh:// Docker host')} } };`,
  },
];

/**
 * Edits of a bundled module's source: each `from` must be found exactly once (a new version of the
 * package fails the build rather than lose the edit). docker-modem formats every request's options
 * with util.inspect (showHidden, depth null) for its `debug` log even when that log is off: ~0.2 ms
 * of CPU a request, most of a cold apply's `inspect` time; formatted now only when it is on (DEBUG=modem).
 */
export const PATCHES: { filter: RegExp; from: string; to: string }[] = [
  {
    filter: /[/\\]docker-modem[/\\]lib[/\\]modem\.js$/,
    from: "debug('Sending: %s', util.inspect(options, {",
    to: "if (debug.enabled) debug('Sending: %s', util.inspect(options, {",
  },
];

/** `source` of the module at `path` with the PATCHES for it applied. */
export function patchSource(path: string, source: string): string {
  let out = source;
  for (const p of PATCHES) {
    if (!p.filter.test(path)) continue;
    const parts = out.split(p.from);
    if (parts.length !== 2)
      throw new Error(
        `bundling the CLI: ${path}: expected ${JSON.stringify(p.from)} once, found ${parts.length - 1}`,
      );
    out = parts.join(p.to);
  }
  return out;
}

/**
 * zod's `z.locales`: the error messages of 64 languages (0.3 MB, a sixth of the bundle, kept as
 * source text in every process that loads it). swarmkeeper's messages are zod's default, English
 * (zod's schemas import `en` themselves), and nothing reads `z.locales`: it keeps only `en`.
 */
const ZOD_LOCALES = /[/\\]zod[/\\]v4[/\\]locales[/\\]index\.js$/;

const stubs: Plugin = {
  name: 'swarmkeeper-stubs',
  setup(b) {
    for (const s of STUBS) b.onLoad({ filter: s.filter }, () => ({ contents: s.contents, loader: 'js' }));
    for (const p of PATCHES)
      b.onLoad({ filter: p.filter }, (args) => ({
        contents: patchSource(args.path, readFileSync(args.path, 'utf8')),
        loader: 'js',
      }));
    b.onLoad({ filter: ZOD_LOCALES }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

export async function bundleCli(): Promise<{ file: string; bytes: number; sha256: string }> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const file = join(OUT_DIR, BUNDLE_FILE);
  const result = await build({
    entryPoints: [join(ROOT, 'dist', 'controllers', 'cli', 'main.js')],
    outfile: file,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    external: EXTERNAL,
    plugins: [stubs],
    // ESM sources read import.meta.url (createRequire); a CommonJS bundle has no import.meta, so it is
    // defined from the bundle's own file
    banner: { js: 'const __skImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    define: { 'import.meta.url': '__skImportMetaUrl' },
    // whitespace and syntax only: stack traces keep the names of functions
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  // a warning is a bundle that may not behave as the module tree does (import.meta once was one)
  if (result.warnings.length > 0)
    throw new Error(`bundling the CLI: ${result.warnings.length} warning(s), see above`);
  const code = readFileSync(file);
  // V8 keeps a script's source for as long as it runs: with one character above U+00FF in it, all
  // of it as two bytes per character (3.7 MiB instead of 1.8 for this bundle, in every controller).
  // esbuild escapes strings and identifiers (charset ascii), not what a regular expression holds.
  const wide = nonAsciiAt(code);
  if (wide >= 0)
    throw new Error(
      `bundling the CLI: a non-ASCII byte in ${file} at ${wide}: ${JSON.stringify(code.subarray(Math.max(0, wide - 40), wide + 20).toString('utf8'))} (write it as a \\u escape)`,
    );
  const sha256 = createHash('sha256').update(code).digest('hex');
  // bin/swarmkeeper.js keys its code cache by this hash (a rebuilt bundle never meets an old cache)
  writeFileSync(join(dirname(file), 'bundle.json'), `${JSON.stringify({ file: BUNDLE_FILE, sha256 })}\n`);
  const table = await makeHelpTable(file, sha256);
  writeFileSync(join(OUT_DIR, 'help.json'), `${JSON.stringify(table)}\n`);
  return { file, bytes: code.length, sha256 };
}

type Main = (argv: string[]) => Promise<number>;

/** What main(args) printed on stdout with the output `width` (undefined: not a terminal). */
async function render(main: Main, args: string[], width: number | undefined): Promise<string> {
  const { stdout, stderr } = process;
  const saved = {
    write: stdout.write,
    errWrite: stderr.write,
    isTTY: Object.getOwnPropertyDescriptor(stdout, 'isTTY'),
    columns: Object.getOwnPropertyDescriptor(stdout, 'columns'),
  };
  let out = '';
  let err = '';
  stdout.write = ((s: string) => ((out += s), true)) as typeof stdout.write;
  stderr.write = ((s: string) => ((err += s), true)) as typeof stderr.write;
  Object.defineProperty(stdout, 'isTTY', { value: width !== undefined, configurable: true });
  Object.defineProperty(stdout, 'columns', { value: width, configurable: true });
  let code: number;
  try {
    code = await main(['node', 'swarmkeeper', ...args]);
  } finally {
    stdout.write = saved.write;
    stderr.write = saved.errWrite;
    for (const k of ['isTTY', 'columns'] as const) {
      const d = saved[k];
      if (d) Object.defineProperty(stdout, k, d);
      else delete (stdout as unknown as Record<string, unknown>)[k];
    }
  }
  if (code !== 0 || err !== '' || !out.startsWith('Usage: '))
    throw new Error(`swarmkeeper ${args.join(' ')}: exit ${code}, stderr ${JSON.stringify(err)}`);
  return out;
}

/**
 * The help of every command as the bundle's commander prints it, with an empty environment (the
 * variables it reads are recorded: the launcher uses the table only when none is set), at 80
 * columns and unwrapped.
 */
async function makeHelpTable(bundleFile: string, sha256: string): Promise<HelpTable> {
  const { main } = createRequire(import.meta.url)(bundleFile) as { main: Main };
  const { buildProgram } = (await import(join(ROOT, 'dist/controllers/cli/program.js'))) as {
    buildProgram: (exit: { code: number }) => Command;
  };
  const { helpForms } = (await import(join(ROOT, 'dist/controllers/cli/help-table.js'))) as {
    helpForms: (paths: string[][]) => string[][];
  };
  const paths: string[][] = [];
  const walk = (cmd: Command, path: string[]): void => {
    paths.push(path);
    for (const c of cmd.commands) walk(c, [...path, c.name()]);
  };
  walk(buildProgram({ code: 0 }), []);
  const read = new Set<string>();
  const env = new Proxy({} as NodeJS.ProcessEnv, {
    get: (_, k) => (typeof k === 'string' && read.add(k), undefined),
    has: (_, k) => (typeof k === 'string' && read.add(k), false),
  });
  const realEnv = process.env;
  const texts: string[] = [];
  const indexOf = (t: string): number => (texts.includes(t) ? texts.indexOf(t) : texts.push(t) - 1);
  const forms: Record<string, HelpForm> = {};
  process.env = env;
  try {
    for (const args of helpForms(paths)) {
      const narrow = await render(main, args, undefined);
      const unwrapped = await render(main, args, 100_000);
      const longest = Math.max(...unwrapped.split('\n').map((l) => l.length));
      // at least as wide as its longest line, nothing wraps: checked, not assumed
      let wideFrom: number | null = longest;
      for (const w of [longest, longest + 1, longest + 37])
        if ((await render(main, args, w)) !== unwrapped) wideFrom = null;
      forms[args.join(' ')] = {
        narrow: indexOf(narrow),
        wide: wideFrom === null ? null : indexOf(unwrapped),
        wideFrom,
      };
    }
  } finally {
    process.env = realEnv;
  }
  return { sha256, env: [...read].sort(), texts, forms };
}

/** The offset of the first byte above 0x7f, or -1. */
export function nonAsciiAt(code: Uint8Array): number {
  return code.findIndex((b) => b > 0x7f);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const r = await bundleCli();
  process.stdout.write(`bundled ${r.file} (${(r.bytes / 1024).toFixed(0)} KiB)\n`);
}
