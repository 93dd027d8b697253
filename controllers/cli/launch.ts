/**
 * Starts the CLI from its bundle (dist/cli/swarmkeeper.cjs, made by `npm run build`; see
 * build/bundle-cli.ts), with a V8 code cache per command, or from the module tree when there is no
 * bundle (a `tsc`-only build).
 *
 * Why a cache of its own: Node's compile cache (module.enableCompileCache) keeps the code V8
 * compiled when the file was loaded, which is the top level only; every function a command runs
 * is compiled again on each start. A cache made after the command ran (vm.Script#createCachedData)
 * holds those functions too. One cache per command (validate, plan, apply, ...), written by the
 * first three successful runs of that command (CACHE_WRITES), under a directory only this user can write:
 * `$NODE_COMPILE_CACHE/swarmkeeper`, or `<tmpdir>/swarmkeeper-compile-cache-<uid>`.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off (as it does Node's). The cache is keyed by the
 * bundle's content hash, the Node version and the architecture, and V8 checks its own version and
 * flags: a stale or foreign cache is rejected and only costs a compile.
 *
 * A help command line (`--help`, `plan -h`, `help apply`) is answered from the build's help table
 * (help-table.ts) without loading the bundle, when the table was made for the same bundle, width and
 * environment; otherwise commander in the bundle answers it.
 */
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

export type CliMain = (argv: string[]) => Promise<number>;

/** The commands of controllers/cli/program.ts (test/controllers/cli/launch.test.ts checks the list). */
export const COMMANDS = ['validate', 'plan', 'apply', 'status', 'run', 'sync', 'crds'] as const;

/**
 * The cache a command line uses: its command, `help` for any help, `other` without a command, and
 * none for `run` (a controller runs for days: its start-up is not worth a cache of all it ran).
 */
export function cacheNameOf(args: readonly string[]): string | undefined {
  if (args.some((a) => a === '--help' || a === '-h' || a === 'help')) return 'help';
  const cmd = args.find((a): a is (typeof COMMANDS)[number] => (COMMANDS as readonly string[]).includes(a));
  if (cmd === 'run') return undefined;
  return cmd ?? 'other';
}

export interface CacheEnv {
  env: Record<string, string | undefined>;
  uid: number | undefined;
  tmp: string;
}

const defaultCacheEnv = (): CacheEnv => ({ env: process.env, uid: process.getuid?.(), tmp: tmpdir() });

/**
 * The cache directory, created if missing, or undefined when the cache is off or the directory is
 * not safe: it must be a real directory (no symlink), owned by this user and writable by no other
 * (a code cache is code: another user's file would run as this one).
 */
export function cacheDir(ce: CacheEnv = defaultCacheEnv()): string | undefined {
  const off = ce.env['NODE_DISABLE_COMPILE_CACHE'];
  if (off !== undefined && off !== '' && off !== '0') return undefined;
  const base = ce.env['NODE_COMPILE_CACHE'];
  const dir =
    base !== undefined && base !== ''
      ? join(base, 'swarmkeeper')
      : join(ce.tmp, `swarmkeeper-compile-cache-${ce.uid ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || (st.mode & 0o022) !== 0) return undefined;
    if (ce.uid !== undefined && st.uid !== ce.uid) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

interface BundleInfo {
  file: string;
  sha256: string;
}

function readBundleInfo(bundleDir: string): BundleInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(bundleDir, 'bundle.json'), 'utf8')) as Partial<BundleInfo>;
    if (typeof info.file !== 'string' || typeof info.sha256 !== 'string') return undefined;
    if (!/^[0-9a-f]{64}$/.test(info.sha256) || info.file.includes('/')) return undefined;
    return { file: info.file, sha256: info.sha256 };
  } catch {
    return undefined;
  }
}

export interface LoadedBundle {
  main: CliMain;
  /** After the command: writes the code cache when it succeeded and the cache was missing, refused or written fewer than CACHE_WRITES times. */
  finish(exitCode: number): void;
  /** The cache at load: `none` (off, or `run`), `missing`, `accepted`, `rejected` (by V8). */
  cache(): 'none' | 'missing' | 'accepted' | 'rejected';
}

/**
 * Loads the bundle of `bundleDir` (dist/cli), or undefined when it has none. `args` are the
 * command's arguments (argv without node and the script), to choose the cache.
 */
export function loadBundle(
  bundleDir: string,
  args: readonly string[],
  ce: CacheEnv = defaultCacheEnv(),
): LoadedBundle | undefined {
  const info = readBundleInfo(bundleDir);
  if (!info) return undefined;
  const file = join(bundleDir, info.file);
  let source: string;
  try {
    // ASCII (the build refuses any other byte): read as latin1, the same text without UTF-8 decoding
    // (~4 ms less for the 1.8 MB bundle)
    source = readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
  const name = cacheNameOf(args);
  const dir = name === undefined ? undefined : cacheDir(ce);
  const cacheFile =
    dir === undefined
      ? undefined
      : join(dir, `${info.sha256.slice(0, 32)}-${process.version}-${process.arch}-${name}`);
  let cachedData: Buffer | undefined;
  let writes = 0;
  if (cacheFile !== undefined) {
    try {
      const file = readFileSync(cacheFile);
      if (file.length > CACHE_HEADER) {
        writes = file.readUInt32LE(0);
        cachedData = file.subarray(CACHE_HEADER);
      }
    } catch {
      // first run of this command: the cache is written after it
    }
  }
  // the CommonJS wrapper, as Node's loader would add it
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = { exports: {} as { main?: CliMain } };
  (script.runInThisContext() as (...a: unknown[]) => void).call(
    mod.exports,
    mod.exports,
    createRequire(file),
    mod,
    file,
    dirname(file),
  );
  const main = mod.exports.main;
  if (typeof main !== 'function') throw new Error(`${file} exports no main()`);
  const state =
    cacheFile === undefined
      ? ('none' as const)
      : cachedData === undefined
        ? ('missing' as const)
        : script.cachedDataRejected
          ? ('rejected' as const)
          : ('accepted' as const);
  return {
    main,
    cache: () => state,
    finish(exitCode) {
      if (cacheFile === undefined || (state === 'accepted' && writes >= CACHE_WRITES)) return;
      // a failed run (exit 1) ran little of the command: the next successful one writes the cache
      if (exitCode !== 0 && exitCode !== 2) return;
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        const head = Buffer.alloc(CACHE_HEADER);
        head.writeUInt32LE(state === 'accepted' ? writes + 1 : 1);
        writeFileSync(tmp, Buffer.concat([head, script.createCachedData()]), { mode: 0o600 });
        renameSync(tmp, cacheFile);
        pruneStale(dirname(cacheFile), info.sha256.slice(0, 32), Date.now());
      } catch {
        // no cache: the next start compiles as this one did
      }
    },
  };
}

const STALE_MS = 7 * 24 * 3600 * 1000;

/**
 * How many successful runs of a command write its cache. The first may have run little of the
 * command (a validate of an empty folder, or one that stopped at its first error), and a cache
 * holds only what was compiled: each of the next runs adds what it compiled (~15 ms to write);
 * then the cache stays. The count is the file's first 4 bytes (little-endian), before V8's data.
 */
const CACHE_WRITES = 3;
const CACHE_HEADER = 4;

/** Removes the caches of other bundles (earlier builds) not written for a week. */
export function pruneStale(dir: string, keep: string, now: number): void {
  for (const f of readdirSync(dir)) {
    if (f.startsWith(keep)) continue;
    try {
      if (now - statSync(join(dir, f)).mtimeMs > STALE_MS) unlinkSync(join(dir, f));
    } catch {
      // gone already, or another user's: left alone
    }
  }
}

/**
 * Node's compile cache (`module.enableCompileCache`) for the modules loaded from node_modules and
 * dist/, for every command but `run`. Node keeps every cache entry it read (and the code it would
 * write) in memory for the life of the process, in malloc: in an idle controller that was ~3 MiB of
 * RSS for its ~320 modules (bench/README.md, idle-memory), to save a controller's start some tens
 * of milliseconds once. Returns whether it asked Node for the cache.
 */
export function nodeCompileCache(
  args: readonly string[],
  m: { enableCompileCache?: () => unknown } = module,
): boolean {
  if (cacheNameOf(args) === undefined || typeof m.enableCompileCache !== 'function') return false;
  try {
    m.enableCompileCache();
    return true;
  } catch {
    return false; // no cache: start-up is slower, nothing else changes
  }
}

/** glibc's malloc arenas for `swarmkeeper run` (see runReexec). */
export const RUN_MALLOC_ARENA_MAX = '1';
/** The most MiB of each of V8's two young-generation semi-spaces for `swarmkeeper run` (see runReexec). */
export const RUN_MAX_SEMI_SPACE_MIB = 8;

type Execve = (file: string, args: string[], env: Record<string, string | undefined>) => never;

/** Whether node flags or NODE_OPTIONS already size the young generation (V8 takes `-` or `_`). */
function sizesSemiSpace(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const flag = /(^|\s)--max[-_]semi[-_]space[-_]size(=|\s|$)/;
  return execArgv.some((a) => flag.test(a)) || flag.test(nodeOptions ?? '');
}

/**
 * `swarmkeeper run` replaces itself (same pid, `process.execve`) with the same command and what
 * must be set before a process starts, where it is not set already:
 * - MALLOC_ARENA_MAX=1, unless MALLOC_ARENA_MAX is set (to any value: the way to keep glibc's
 *   default, 8 arenas per CPU). glibc gives every thread that calls malloc an arena of its own;
 *   Node's V8 and libuv threads each keep one with freed, unreturned pages: one arena measured 4-6
 *   MiB less RSS in an idle controller (bench/README.md, idle-memory).
 * - `--max-semi-space-size=8` (RUN_MAX_SEMI_SPACE_MIB), unless a node flag or NODE_OPTIONS gives
 *   one (`--max-semi-space-size=0` keeps V8's own). Node 24's V8 grows the young generation up to
 *   2 x 64 MiB while a pass allocates (the start-up pass of 1,000 services did: 236 MB of RSS
 *   until the idle GC), and a resync that comes before the idle GC kept it (228-235 MB). With 2 x
 *   8 MiB: 154-164 MB, a resync pass's CPU within the noise, ~8% more for the cold start-up pass
 *   (bench/README.md, resync). `v8.setFlagsFromString` comes too late for it: V8 sizes the heap
 *   when the process starts.
 * The image sets both in its ENV and pays no re-exec. Only Linux, only where Node has execve
 * (>= 23.11), and any failure goes on without them. Returns only when it did not re-exec.
 */
export function runReexec(
  args: readonly string[],
  env: Record<string, string | undefined> = process.env,
  p: { platform: string; execve?: Execve; execPath: string; execArgv: string[]; argv: string[] } = process,
): void {
  if (p.platform !== 'linux' || typeof p.execve !== 'function') return;
  if (cacheNameOf(args) !== undefined) return; // not `run`
  const arena = env['MALLOC_ARENA_MAX'] === undefined;
  const semi = !sizesSemiSpace(p.execArgv, env['NODE_OPTIONS']);
  if (!arena && !semi) return;
  try {
    p.execve(
      p.execPath,
      [
        p.execPath,
        ...(semi ? [`--max-semi-space-size=${RUN_MAX_SEMI_SPACE_MIB}`] : []),
        ...p.execArgv,
        ...p.argv.slice(1),
      ],
      arena ? { ...env, MALLOC_ARENA_MAX: RUN_MALLOC_ARENA_MAX } : env,
    );
  } catch {
    // no re-exec: the controller runs with glibc's default arenas and V8's young generation
  }
}

/**
 * bin/swarmkeeper.js: runs the CLI, from the bundle when the build made one and
 * SWARMKEEPER_BUNDLE is not 0 (the module tree then: what the bundle was made from).
 */
export async function runCli(argv: string[], env = process.env): Promise<number> {
  const args = argv.slice(2);
  // --version is answered by main.js before it loads anything: quicker than reading the bundle
  const versionOnly = args.length === 1 && (args[0] === '--version' || args[0] === '-V');
  const bundleDir = join(import.meta.dirname, '..', '..', 'cli');
  const fromTree = versionOnly || env['SWARMKEEPER_BUNDLE'] === '0';
  // the help of a command as the bundle's commander printed it at build time (help-table.ts)
  const help = fromTree || !mayBeHelp(args) ? undefined : await tableHelp(bundleDir, args, env);
  if (help !== undefined) {
    process.stdout.write(help);
    return 0;
  }
  const bundle = fromTree ? undefined : loadBundle(bundleDir, args);
  if (!bundle) return (await import('./main.js')).main(argv);
  const code = await bundle.main(argv);
  bundle.finish(code);
  return code;
}

/** A command line that may be a help form (cheap: decides whether the help table is read at all). */
export function mayBeHelp(args: readonly string[]): boolean {
  return args.length <= 3 && args.some((a) => a === '--help' || a === '-h' || a === 'help');
}

async function tableHelp(
  bundleDir: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const info = readBundleInfo(bundleDir);
  if (!info) return undefined;
  // imported here: launch.ts itself must load as it is (test/controllers/cli/launch.test.ts strips its types)
  const { helpOf, readHelpTable } = await import('./help-table.js');
  const table = readHelpTable(bundleDir);
  return table && helpOf(table, info.sha256, args, env, process.stdout);
}
