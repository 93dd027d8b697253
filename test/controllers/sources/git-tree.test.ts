import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitRepo, GitSourceError } from '../../../controllers/sources/git-repo.js';
import { parseLsTree } from '../../../controllers/sources/git-tree.js';
import { loadPath } from '../../../controllers/sources/dir-loader.js';
import { fsFileReader } from '../../../controllers/sources/fs-file-reader.js';
import { GitFixture, git } from '../../support/git-fixture.js';

// A commit's files are written from the object store, never through a worktree: the tree a server
// sends is untrusted (git checks no tree object on fetch by default), so a path that could write
// outside the commit's folder refuses the whole commit, and a link is written as a link that the
// loader's confinement refuses when it leads outside.

const OID = 'a'.repeat(40);
const entry = (mode: string, type: string, path: string, size = '3') =>
  `${mode} ${type} ${OID} ${size}\t${path}\0`;

describe('parseLsTree', () => {
  it.each<[string, string, RegExp]>([
    ['a ".." segment', entry('100644', 'blob', 'a/../../etc/x'), /segment that is not a plain name/],
    ['an empty segment', entry('100644', 'blob', 'a//b'), /segment that is not a plain name/],
    ['a "." segment', entry('100644', 'blob', './b'), /segment that is not a plain name/],
    ['a .git folder', entry('100644', 'blob', 'x/.GIT/config'), /segment that is not a plain name/],
    ['a path listed twice', entry('100644', 'blob', 'a') + entry('120000', 'blob', 'a'), /listed twice/],
    [
      'a file under a link (written through it)',
      entry('120000', 'blob', 'a') + entry('100644', 'blob', 'a/b'),
      /lies under "a", which is not a folder/,
    ],
    ['an unknown mode', entry('100600', 'blob', 'a'), /mode 100600/],
    ['a tree listed as a file', entry('040000', 'tree', 'a'), /not a file or a link/],
    ['a link target of 5000 bytes', entry('120000', 'blob', 'a', '5000'), /longer than 4096/],
    ['a line that is no entry', 'garbage\0', /not a tree entry/],
  ])('refuses %s', (_what, out, message) => {
    expect(() => parseLsTree(out)).toThrow(message);
  });

  it('lists files and links with their mode, id and size, and skips submodules', () => {
    const files = parseLsTree(
      entry('100644', 'blob', 'a/b.yml', '12') +
        entry('100755', 'blob', 'run.sh') +
        entry('120000', 'blob', 'l') +
        entry('160000', 'commit', 'sub', '-'),
    );
    expect([...files]).toEqual([
      ['a/b.yml', { mode: '100644', oid: OID, size: 12 }],
      ['run.sh', { mode: '100755', oid: OID, size: 3 }],
      ['l', { mode: '120000', oid: OID, size: 3 }],
    ]);
  });
});

describe('GitRepo.checkout from the object store', () => {
  const repos: GitFixture[] = [];
  const work = mkdtempSync(join(tmpdir(), 'sk-git-tree-'));
  afterAll(() => {
    repos.forEach((r) => r.remove());
    rmSync(work, { recursive: true, force: true });
  });
  const setup = () => {
    const r = new GitFixture('tree');
    repos.push(r);
    const repo = new GitRepo({
      url: r.fileUrl,
      dir: join(work, `src-${repos.length}`),
      env: () => ({ env: { PATH: process.env['PATH'] ?? '' }, secrets: [] }),
    });
    return { r, repo };
  };

  it('writes each commit to its own folder: changed files read, unchanged ones linked, links as links', async () => {
    const { r, repo } = setup();
    r.commit({
      'a/docker-compose.yml': 'services: {a: {image: a}}\n',
      'b/docker-compose.yml': 'services: {b: {image: b}}\n',
    });
    symlinkSync('/etc/passwd', join(r.work, 'a/out.env'));
    symlinkSync('docker-compose.yml', join(r.work, 'a/in.txt'));
    git(r.work, 'add', '--all');
    git(r.work, 'commit', '--quiet', '-m', 'links');
    r.push();
    const c1 = await repo.fetch({ kind: 'branch', name: 'main' });
    const t1 = await repo.checkout(c1);
    expect(readlinkSync(join(t1, 'a/out.env'))).toBe('/etc/passwd');
    const c2 = r.commit({ 'a/docker-compose.yml': 'services: {a: {image: a2}}\n' });
    r.push();
    expect(await repo.fetch({ kind: 'branch', name: 'main' })).toBe(c2);
    const t2 = await repo.checkout(c2);
    expect(t2).not.toBe(t1);
    expect(readFileSync(join(t2, 'a/docker-compose.yml'), 'utf8')).toContain('a2');
    expect(readFileSync(join(t1, 'a/docker-compose.yml'), 'utf8')).not.toContain('a2');
    // the unchanged file is the same inode (a hard link); the changed one is not
    expect(lstatSync(join(t2, 'b/docker-compose.yml')).ino).toBe(
      lstatSync(join(t1, 'b/docker-compose.yml')).ino,
    );
    expect(lstatSync(join(t2, 'a/docker-compose.yml')).ino).not.toBe(
      lstatSync(join(t1, 'a/docker-compose.yml')).ino,
    );
    // the loader reads through the link inside the tree and refuses the one leading out of it
    const l = loadPath(t2, { revision: c2 });
    expect(l.resources.map((x) => x.key).sort()).toEqual(['SwarmStack/default/a', 'SwarmStack/default/b']);
    const files = fsFileReader(t2);
    expect(files.readText('a/in.txt')).toContain('a2');
    expect(() => files.readText('a/out.env')).toThrow(/a symbolic link leads outside the source root/);
  });

  it.each<[string, string]>([
    ['a tree entry named ".."', '..'],
    ['a tree entry named ".git"', '.git'],
  ])('refuses a commit with %s and writes nothing', async (_what, name) => {
    const { r, repo } = setup();
    r.commit({ 'ok/docker-compose.yml': 'services: {a: {image: a}}\n' });
    r.push();
    // a hand-made tree object (git mktree would refuse the name; a hostile server need not)
    const blob = git(r.bare, 'hash-object', '-w', '--stdin').trim();
    const raw = Buffer.concat([
      Buffer.from(`100644 ${name}\0`),
      Buffer.from(blob || 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391', 'hex'),
    ]);
    const tree = execFileSync('git', ['hash-object', '-w', '-t', 'tree', '--literally', '--stdin'], {
      cwd: r.bare,
      input: raw,
    })
      .toString()
      .trim();
    const commit = git(r.bare, 'commit-tree', tree, '-m', 'hostile').trim();
    git(r.bare, 'update-ref', 'refs/heads/main', commit);
    const sha = await repo.fetch({ kind: 'branch', name: 'main' });
    expect(sha).toBe(commit);
    const e = await repo.checkout(sha).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitSourceError);
    expect((e as GitSourceError).reason).toBe('repository');
    expect((e as Error).message).toMatch(
      /the commit is refused: the path .* has a segment that is not a plain name/,
    );
  });
});
