/**
 * The launcher of bin/swarmkeeper.js: the bundle with a code cache per command, in a directory only
 * this user can write, written after a successful run and kept per bundle content.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cacheDir,
  cacheNameOf,
  runReexec,
  nodeCompileCache,
  RUN_MALLOC_ARENA_MAX,
  RUN_MAX_SEMI_SPACE_MIB,
  COMMANDS,
  loadBundle,
  pruneStale,
  type CacheEnv,
} from '../../../controllers/cli/launch.js';
import { buildProgram } from '../../../controllers/cli/program.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sk-launch-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const uid = process.getuid?.();
const envWith = (tmp: string, env: Record<string, string> = {}): CacheEnv => ({ env, uid, tmp });

/** A bundle dir like dist/cli: main(argv) returns the number after `exit` (0 without). */
function fakeBundle(body = ''): string {
  const dir = tempDir();
  const code =
    `${body}\n` +
    'exports.main = async (argv) => {\n' +
    '  if (argv.includes("work") && typeof exports.work === "function") exports.work(3);\n' +
    '  return argv.includes("exit") ? Number(argv[argv.indexOf("exit") + 1]) : 0;\n' +
    '};\n';
  writeFileSync(join(dir, 'b.cjs'), code);
  const sha256 = createHash('sha256').update(code).digest('hex');
  writeFileSync(join(dir, 'bundle.json'), JSON.stringify({ file: 'b.cjs', sha256 }));
  return dir;
}

/** loadBundle, main and finish(0) in a child Node (launch.ts runs there with its types stripped). */
function startInChild(bundle: string, tmp: string, command: string, ...more: string[]): string {
  const launch = join(import.meta.dirname, '../../../controllers/cli/launch.ts');
  const script =
    `const l = await import(${JSON.stringify(launch)});\n` +
    `const ce = { env: {}, uid: process.getuid?.(), tmp: ${JSON.stringify(tmp)} };\n` +
    `const b = l.loadBundle(${JSON.stringify(bundle)}, [${JSON.stringify(command)}], ce);\n` +
    `const code = await b.main(${JSON.stringify(['node', 'sk', command, ...more])});\n` +
    'b.finish(code);\nprocess.stdout.write(b.cache());\n';
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return r.stdout;
}

describe('runReexec', () => {
  const proc = (execve?: (...a: unknown[]) => never, execArgv = ['--import=x.mjs']) => ({
    platform: 'linux',
    execPath: '/usr/bin/node',
    execArgv,
    argv: ['/usr/bin/node', '/app/bin/swarmkeeper.js', '--log-level', 'debug', 'run', '--source', 'dir=s'],
    ...(execve ? { execve } : {}),
  });
  const command = ['/app/bin/swarmkeeper.js', '--log-level', 'debug', 'run', '--source', 'dir=s'];
  const semi = `--max-semi-space-size=${RUN_MAX_SEMI_SPACE_MIB}`;

  it.each<[string, Record<string, string>, string[], string[], Record<string, string>]>([
    [
      'neither set: both',
      { PATH: '/bin', NODE_OPTIONS: '--x' },
      ['--import=x.mjs'],
      [semi, '--import=x.mjs'],
      { PATH: '/bin', NODE_OPTIONS: '--x', MALLOC_ARENA_MAX: RUN_MALLOC_ARENA_MAX },
    ],
    [
      "the operator's MALLOC_ARENA_MAX: the young generation only",
      { MALLOC_ARENA_MAX: '8' },
      ['--import=x.mjs'],
      [semi, '--import=x.mjs'],
      { MALLOC_ARENA_MAX: '8' },
    ],
    [
      "the operator's semi-space flag: MALLOC_ARENA_MAX only",
      {},
      ['--max-semi-space-size=32'],
      ['--max-semi-space-size=32'],
      { MALLOC_ARENA_MAX: RUN_MALLOC_ARENA_MAX },
    ],
    [
      'a semi-space size in NODE_OPTIONS: MALLOC_ARENA_MAX only',
      { NODE_OPTIONS: '--trace-gc --max_semi_space_size 0' },
      [],
      [],
      { NODE_OPTIONS: '--trace-gc --max_semi_space_size 0', MALLOC_ARENA_MAX: RUN_MALLOC_ARENA_MAX },
    ],
    [
      'a semi-space flag of another name is not one',
      { MALLOC_ARENA_MAX: '1', NODE_OPTIONS: '--min-semi-space-size=4' },
      ['--max-semi-space-sizes'],
      [semi, '--max-semi-space-sizes'],
      { MALLOC_ARENA_MAX: '1', NODE_OPTIONS: '--min-semi-space-size=4' },
    ],
  ])('re-executes `run` in place, node flags and arguments kept: %s', (_n, env, execArgv, flags, newEnv) => {
    const calls: unknown[][] = [];
    const execve = (...a: unknown[]): never => {
      calls.push(a);
      throw new Error('stands in for the exec');
    };
    const p = proc(execve, execArgv);
    runReexec(p.argv.slice(2), env, p);
    expect(calls).toEqual([['/usr/bin/node', ['/usr/bin/node', ...flags, ...command], newEnv]]);
    expect(RUN_MALLOC_ARENA_MAX).toBe('1');
    expect(RUN_MAX_SEMI_SPACE_MIB).toBe(8);
  });

  it.each<[string, string[], Record<string, string>, string, string[]]>([
    ['both set (the re-executed one)', ['run'], { MALLOC_ARENA_MAX: '1' }, 'linux', [semi]],
    ["both set (the image's ENV)", ['run'], { MALLOC_ARENA_MAX: '1', NODE_OPTIONS: semi }, 'linux', []],
    ['another command', ['apply', '-f', 'x'], {}, 'linux', []],
    ['run --help', ['run', '--help'], {}, 'linux', []],
    ['not Linux', ['run'], {}, 'darwin', []],
  ])('does nothing: %s', (_n, args, env, platform, execArgv) => {
    let called = false;
    const execve = (): never => {
      called = true;
      throw new Error('no');
    };
    runReexec(args, env, { ...proc(execve, execArgv), platform });
    expect(called).toBe(false);
  });

  it('without execve (Node < 23.11), or when it fails, it returns and the command goes on', () => {
    expect(() => runReexec(['run'], {}, proc())).not.toThrow();
    expect(() =>
      runReexec(
        ['run'],
        {},
        proc(() => {
          throw new Error('ENOEXEC');
        }),
      ),
    ).not.toThrow();
  });
});

describe('nodeCompileCache', () => {
  it.each([
    [['validate', '-f', 'x.yml'], true],
    [['--help'], true],
    [[], true],
    [['--instance-id', 'a', 'run', '--source', 'dir=x'], false],
  ])('%j: Node compile cache asked for: %s', (args, want) => {
    let calls = 0;
    expect(nodeCompileCache(args, { enableCompileCache: () => calls++ })).toBe(want);
    expect(calls).toBe(want ? 1 : 0);
  });

  it('goes on without the cache when Node has none or refuses it', () => {
    expect(nodeCompileCache(['plan'], {})).toBe(false);
    expect(
      nodeCompileCache(['plan'], {
        enableCompileCache: () => {
          throw new Error('read-only directory');
        },
      }),
    ).toBe(false);
  });
});

describe('cacheNameOf', () => {
  it.each([
    [['validate', '-f', 'x.yml'], 'validate'],
    [['--instance-id', 'a', 'apply', '-f', 'x'], 'apply'],
    [['plan', '--help'], 'help'],
    [['-h'], 'help'],
    [['help', 'plan'], 'help'],
    [['crds', 'install'], 'crds'],
    [[], 'other'],
    [['--bogus'], 'other'],
    [['run', '--source', 'dir=x'], undefined],
  ])('%j -> %s', (args, name) => {
    expect(cacheNameOf(args)).toBe(name);
  });

  it('knows every command of the program', () => {
    const names = buildProgram({ code: 0 }, '').commands.map((c) => c.name());
    expect([...COMMANDS].sort()).toEqual(names.sort());
  });
});

describe('cacheDir', () => {
  it('makes a directory only this user can write, under tmp or NODE_COMPILE_CACHE', () => {
    const tmp = tempDir();
    const d = cacheDir(envWith(tmp));
    expect(d).toBe(join(tmp, `swarmkeeper-compile-cache-${uid ?? 'user'}`));
    const base = join(tmp, 'ncc');
    expect(cacheDir(envWith(tmp, { NODE_COMPILE_CACHE: base }))).toBe(join(base, 'swarmkeeper'));
  });

  it.each([['1'], ['true']])('is off with NODE_DISABLE_COMPILE_CACHE=%s', (v) => {
    const tmp = tempDir();
    expect(cacheDir(envWith(tmp, { NODE_DISABLE_COMPILE_CACHE: v }))).toBeUndefined();
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('refuses a directory others can write, a symlink, or another owner', () => {
    const tmp = tempDir();
    const name = `swarmkeeper-compile-cache-${uid ?? 'user'}`;
    mkdirSync(join(tmp, name));
    chmodSync(join(tmp, name), 0o777);
    expect(cacheDir(envWith(tmp))).toBeUndefined();

    const tmp2 = tempDir();
    mkdirSync(join(tmp2, 'elsewhere'), { mode: 0o700 });
    symlinkSync(join(tmp2, 'elsewhere'), join(tmp2, name));
    expect(cacheDir(envWith(tmp2))).toBeUndefined();

    const tmp3 = tempDir();
    expect(cacheDir({ env: {}, uid: (uid ?? 0) + 4242, tmp: tmp3 })).toBeUndefined();
  });
});

describe('loadBundle', () => {
  it('is undefined without a bundle (a tsc-only build)', () => {
    expect(loadBundle(tempDir(), ['validate'], envWith(tempDir()))).toBeUndefined();
  });

  it('writes the cache after a successful run, and the next start accepts it', async () => {
    const bundle = fakeBundle();
    const tmp = tempDir();
    const first = loadBundle(bundle, ['validate'], envWith(tmp))!;
    expect(first.cache()).toBe('missing');
    expect(await first.main(['node', 'sk', 'validate', 'exit', '0'])).toBe(0);
    first.finish(0);
    const cache = cacheDir(envWith(tmp))!;
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/-validate$/)]);
    const second = loadBundle(bundle, ['validate'], envWith(tmp))!;
    expect(second.cache()).toBe('accepted');
    // another command has its own cache
    expect(loadBundle(bundle, ['plan'], envWith(tmp))!.cache()).toBe('missing');
  });

  it.each([
    [1, false],
    [2, true],
    [0, true],
  ])('after exit code %i, writes the cache: %s', (code, written) => {
    const bundle = fakeBundle();
    const tmp = tempDir();
    loadBundle(bundle, ['plan'], envWith(tmp))!.finish(code);
    expect(readdirSync(cacheDir(envWith(tmp))!).length).toBe(written ? 1 : 0);
  });

  // each start in its own process, as bin/swarmkeeper.js does: within one, V8 reuses the script it
  // compiled and never reads the cache
  it('replaces a cache V8 refuses, and keeps caches of another bundle apart', () => {
    const bundle = fakeBundle();
    const tmp = tempDir();
    expect(startInChild(bundle, tmp, 'apply')).toBe('missing');
    const cache = cacheDir(envWith(tmp))!;
    const [file] = readdirSync(cache);
    writeFileSync(join(cache, file!), 'not a code cache');
    expect(startInChild(bundle, tmp, 'apply')).toBe('rejected');
    expect(startInChild(bundle, tmp, 'apply')).toBe('accepted');
    expect(startInChild(fakeBundle('/* another build */'), tmp, 'apply')).toBe('missing');
  });

  // a first run may run little of its command (validate of an empty folder, or one that stops at
  // its first error): the next runs add what they compiled, then the cache stays as it is
  it('grows the cache with the functions later runs compiled, for the first three runs, then keeps it', () => {
    const body = Array.from({ length: 200 }, (_, i) => `  s += String(${i} * n) + "${'x'.repeat(40)}";`).join(
      '\n',
    );
    const bundle = fakeBundle(
      `function work(n) {\n  let s = "";\n${body}\n  return s.length;\n}\nexports.work = work;`,
    );
    const tmp = tempDir();
    const cacheFile = () => join(cacheDir(envWith(tmp))!, readdirSync(cacheDir(envWith(tmp))!)[0]!);
    const size = () => statSync(cacheFile()).size;
    expect(startInChild(bundle, tmp, 'validate')).toBe('missing');
    const little = size();
    expect(startInChild(bundle, tmp, 'validate', 'work')).toBe('accepted');
    const more = size();
    expect(more).toBeGreaterThan(little);
    expect(startInChild(bundle, tmp, 'validate', 'work')).toBe('accepted');
    const third = readFileSync(cacheFile());
    expect(startInChild(bundle, tmp, 'validate', 'work')).toBe('accepted');
    expect(readFileSync(cacheFile()).equals(third)).toBe(true);
  });

  it('reads and writes no cache for run, or when the cache is off', () => {
    const bundle = fakeBundle();
    const tmp = tempDir();
    const run = loadBundle(bundle, ['run'], envWith(tmp))!;
    expect(run.cache()).toBe('none');
    run.finish(0);
    const off = loadBundle(bundle, ['plan'], envWith(tmp, { NODE_DISABLE_COMPILE_CACHE: '1' }))!;
    expect(off.cache()).toBe('none');
    off.finish(0);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('refuses a bundle.json that names a path outside its directory', () => {
    const bundle = fakeBundle();
    writeFileSync(join(bundle, 'bundle.json'), JSON.stringify({ file: '../b.cjs', sha256: 'a'.repeat(64) }));
    expect(loadBundle(bundle, ['validate'], envWith(tempDir()))).toBeUndefined();
  });
});

describe('pruneStale', () => {
  it('removes caches of other bundles not written for a week, keeps the rest', () => {
    const dir = tempDir();
    const now = Date.now();
    const files = { 'keep-validate': 30, 'old-validate': 8, 'recent-plan': 1 };
    for (const [f, days] of Object.entries(files)) {
      writeFileSync(join(dir, f), 'x');
      const t = (now - days * 24 * 3600 * 1000) / 1000;
      utimesSync(join(dir, f), t, t);
    }
    pruneStale(dir, 'keep', now);
    expect(readdirSync(dir).sort()).toEqual(['keep-validate', 'recent-plan']);
    expect(existsSync(join(dir, 'old-validate'))).toBe(false);
  });
});
