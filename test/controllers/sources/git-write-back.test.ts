import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitSource, type GitSourceOptions } from '../../../controllers/sources/git-source.js';
import { parseSourceSpec, type GitSourceSpec } from '../../../controllers/sources/source-spec.js';
import { GitFixture, git } from '../../support/git-fixture.js';
import type { SourceSnapshot } from '../../../controllers/ports.js';

const BASE =
  '# the web tier\nservices:\n  web:\n    image: "reg:5000/app:1.2.1" # semver ^1.2\n    replicas: 2\n';
const PROD = 'services:\n  web:\n    deploy:\n      replicas: 3\n';
const WRITE = { service: 'web', from: 'reg:5000/app:1.2.1', to: 'reg:5000/app:1.3.0' };

const cleanups: (() => Promise<void> | void)[] = [];
let work: string;
let fx: GitFixture;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'sk-wback-'));
  fx = new GitFixture('infra');
  cleanups.push(
    () => rmSync(work, { recursive: true, force: true }),
    () => fx.remove(),
  );
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function source(extra: string, opts: Partial<GitSourceOptions> = {}): GitSource {
  const spec = parseSourceSpec(`git=${fx.fileUrl},branch=main${extra}`) as GitSourceSpec;
  const s = new GitSource(spec, { workDir: work, logger: pino({ level: 'silent' }), env: {}, ...opts });
  cleanups.push(() => s.stop());
  return s;
}

/** The file at the tip of a branch of the "server". */
const shown = (branch: string, file: string): string => git(fx.bare, 'show', `${branch}:${file}`);
const subject = (branch: string): string => git(fx.bare, 'log', '-1', '--format=%s|%an <%ae>', branch);

describe('git write-back (a real bare repository)', () => {
  it('is off by default: the source has no write-back', () => {
    fx.commit({ 'app/compose.yml': BASE });
    fx.push();
    expect(source('').writeBack).toBeUndefined();
  });

  it('commits the new image into the file that sets it, on the configured branch, and the next snapshot holds it', async () => {
    fx.commit({ 'app/base.yml': BASE, 'app/prod.yml': PROD });
    fx.push();
    const before = fx.head();
    const s = source(',writeBackBranch=main,writeBackAuthor=Image Bot <bot@example.com>');
    const snaps: SourceSnapshot[] = [];
    await s.start((x) => snaps.push(x));
    const r = await s.writeBack!.write('app', ['app/base.yml', 'app/prod.yml'], [WRITE]);
    expect(r.skipped).toEqual([]);
    expect(r.written).toEqual([WRITE]);
    expect(r.commit).toBe(git(fx.bare, 'rev-parse', 'main'));
    expect(git(fx.bare, 'rev-parse', 'main~1')).toBe(before);
    expect(subject('main')).toBe(
      'swarmkeeper: app/web image reg:5000/app:1.2.1 -> reg:5000/app:1.3.0|Image Bot <bot@example.com>',
    );
    // only the value changed: the comment and the quoting are kept, the overlay is untouched
    expect(shown('main', 'app/base.yml')).toBe(BASE.replace('1.2.1', '1.3.0').trimEnd());
    expect(shown('main', 'app/prod.yml')).toBe(PROD.trimEnd());
    expect(git(fx.bare, 'diff', '--name-only', before, 'main')).toBe('app/base.yml');
    // the next sync loads the new revision, which now says what runs
    // (a push makes the source fetch at once)
    const deadline = Date.now() + 20_000;
    while (snaps.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(snaps.map((x) => x.revision)).toEqual([before, r.commit]);
    // and writing the same change again commits nothing
    const again = await s.writeBack!.write('app', ['app/base.yml', 'app/prod.yml'], [WRITE]);
    expect(again).toEqual({ written: [], skipped: [] });
    expect(git(fx.bare, 'rev-parse', 'main')).toBe(r.commit);
  });

  it('writes tag@digest for the digest policy, to another branch only', async () => {
    fx.commit({ 'compose.yml': 'services:\n  web:\n    image: reg:5000/app:1\n' });
    fx.push();
    fx.push('images');
    const main = git(fx.bare, 'rev-parse', 'main');
    const to = `reg:5000/app:1@sha256:${'b'.repeat(64)}`;
    const s = source(',writeBackBranch=images');
    const r = await s.writeBack!.write(
      'infra',
      ['compose.yml'],
      [{ service: 'web', from: 'reg:5000/app:1', to }],
    );
    expect(r.written).toHaveLength(1);
    expect(shown('images', 'compose.yml')).toBe(`services:\n  web:\n    image: ${to}`);
    expect(git(fx.bare, 'rev-parse', 'main')).toBe(main);
    expect(subject('images')).toBe(
      `swarmkeeper: infra/web image reg:5000/app:1 -> ${to}|swarmkeeper <swarmkeeper@localhost>`,
    );
  });

  it('a push refused because the branch moved fetches again and applies the edit on the new tip', async () => {
    fx.commit({ 'compose.yml': BASE });
    fx.push();
    const attempts: number[] = [];
    const s = source(',writeBackBranch=main', {
      writeBackHook: (attempt) => {
        attempts.push(attempt);
        // someone pushes meanwhile, twice
        if (attempt <= 2) {
          fx.commit({ [`notes-${attempt}.txt`]: 'x\n' });
          fx.push();
        }
      },
    });
    const r = await s.writeBack!.write('infra', ['compose.yml'], [WRITE]);
    expect(attempts).toEqual([1, 2, 3]);
    expect(r.written).toEqual([WRITE]);
    expect(git(fx.bare, 'rev-parse', 'main~1')).toBe(fx.head());
    expect(shown('main', 'compose.yml')).toContain('image: "reg:5000/app:1.3.0"');
    expect(shown('main', 'notes-2.txt')).toBe('x');
  });

  it('gives up after a bounded number of refused pushes', async () => {
    fx.commit({ 'compose.yml': BASE });
    fx.push();
    const s = source(',writeBackBranch=main', {
      writeBackHook: (attempt) => {
        fx.commit({ [`n-${attempt}.txt`]: 'x\n' });
        fx.push();
      },
    });
    await expect(s.writeBack!.write('infra', ['compose.yml'], [WRITE])).rejects.toThrow(
      /git push to branch "main"/,
    );
    expect(shown('main', 'compose.yml')).toBe(BASE.trimEnd());
  });

  it.each([
    [
      'an interpolated image',
      'services:\n  web:\n    image: reg:5000/app:${TAG}\n',
      /compose\.yml:3: .*interpolated/,
    ],
    [
      'an image from an alias',
      'x: &i reg:5000/app:1.2.1\nservices:\n  web:\n    image: *i\n',
      /compose\.yml:4: .*alias/,
    ],
    [
      'an image changed in git meanwhile',
      'services:\n  web:\n    image: reg:5000/app:1.2.5\n',
      /is reg:5000\/app:1\.2\.5 in git/,
    ],
  ])('reports and leaves the file: %s', async (_name, text, error) => {
    fx.commit({ 'compose.yml': text });
    fx.push();
    const head = git(fx.bare, 'rev-parse', 'main');
    const r = await source(',writeBackBranch=main').writeBack!.write('infra', ['compose.yml'], [WRITE]);
    expect(r.written).toEqual([]);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]).toMatch(error);
    expect(git(fx.bare, 'rev-parse', 'main')).toBe(head);
  });

  it('never writes through a symbolic link (out of the repository or inside it)', async () => {
    fx.commit({ 'real.yml': BASE });
    symlinkSync('real.yml', join(fx.work, 'compose.yml'));
    symlinkSync('/etc/hostname', join(fx.work, 'out.yml'));
    fx.commit({});
    fx.push();
    const head = git(fx.bare, 'rev-parse', 'main');
    const wb = source(',writeBackBranch=main').writeBack!;
    const linked = await wb.write('infra', ['compose.yml'], [WRITE]);
    expect(linked.skipped[0]).toMatch(/compose\.yml is reached through a symbolic link; not written/);
    const out = await wb.write('infra', ['out.yml'], [WRITE]);
    expect(out.skipped[0]).toMatch(/out\.yml: a symbolic link leads outside the source root/);
    const escape = await wb.write('infra', ['../../x.yml'], [WRITE]);
    expect(escape.skipped[0]).toMatch(/not a file of the repository/);
    expect(git(fx.bare, 'rev-parse', 'main')).toBe(head);
  });
});

describe('writeBack source keys', () => {
  it.each([
    [
      ',writeBackBranch=main',
      { branch: 'main', author: { name: 'swarmkeeper', email: 'swarmkeeper@localhost' } },
    ],
    [
      ',writeBackBranch=bot/images,writeBackAuthor=Bot <b@x.io>',
      { branch: 'bot/images', author: { name: 'Bot', email: 'b@x.io' } },
    ],
    ['', undefined],
  ])('%s', (extra, writeBack) => {
    expect((parseSourceSpec(`git=file:///r.git${extra}`) as GitSourceSpec).writeBack).toEqual(writeBack);
  });

  it.each([
    [',writeBackAuthor=Bot <b@x.io>', /writeBackAuthor needs writeBackBranch/],
    [',writeBackBranch=a..b', /writeBackBranch "a\.\.b" is not a valid git ref name/],
    [',writeBackBranch=main,writeBackAuthor=Bot', /must be "Name <email>"/],
  ])('refuses %s', (extra, error) => {
    expect(() => parseSourceSpec(`git=file:///r.git${extra}`)).toThrow(error);
  });
});
