import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPath } from '../../../controllers/sources/dir-loader.js';
import { type TreeEntry, writeTree } from '../../support/file-tree.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tree(files: Record<string, TreeEntry>): string {
  const root = writeTree('sk-revision-', files);
  dirs.push(root);
  return root;
}

const stack = (spec: string) =>
  `apiVersion: swarmkeeper.io/v1alpha1\nkind: SwarmStack\nmetadata:\n  name: web\nspec:\n${spec}`;

// The files a compose file references itself (env_file, config and secret files, include and
// extends) are inputs of its stack: an edit to one alone must be a new revision, or a watched
// directory never reconciles it until the periodic resync.
const PLAIN = {
  'web/docker-compose.yml': [
    'include: [db/compose.yml]',
    'services:',
    '  app:',
    '    image: img:1',
    '    env_file: [app.env, {path: opt.env, required: false}]',
    '    extends: {file: common.yml, service: base}',
    '    configs: [nginx]',
    '    secrets: [token]',
    'configs:',
    '  nginx: {file: ./conf/nginx.conf}',
    'secrets:',
    '  token: {file: token.txt}',
    '',
  ].join('\n'),
  'web/app.env': 'A=1\n',
  'web/opt.env': 'B=1\n',
  'web/common.yml': 'services:\n  base:\n    user: app\n',
  'web/conf/nginx.conf': 'server {}\n',
  'web/token.txt': 's3cret\n',
  'web/db/compose.yml': 'services:\n  db:\n    image: pg\n    env_file: db.env\n',
  'web/db/db.env': 'PG=1\n',
  'web/notes.txt': 'hi\n',
};

describe('the revision covers the files a compose file references', () => {
  it.each([
    ['an env_file', 'web/app.env', true],
    ['an optional env_file ({path})', 'web/opt.env', true],
    ['a config file', 'web/conf/nginx.conf', true],
    ['a secret file', 'web/token.txt', true],
    ['a file extends names', 'web/common.yml', true],
    ['an included compose file', 'web/db/compose.yml', true],
    ["an included file's env_file", 'web/db/db.env', true],
    ['an unrelated file', 'web/notes.txt', false],
  ])('plain compose file: an edit to %s alone', (_n, path, changes) => {
    const root = tree(PLAIN);
    const before = loadPath(root).revision;
    writeFileSync(join(root, path), 'CHANGED=1\n');
    expect(loadPath(root).revision !== before).toBe(changes);
  });

  // The same holds for the resource's own input digest (a git commit's revision changes with any
  // file; the digest tells which stacks changed), and a neighbour stack's digest stays.
  it.each([
    ['an env_file', 'web/app.env', true],
    ["an included file's env_file", 'web/db/db.env', true],
    ['a config file', 'web/conf/nginx.conf', true],
    ['an unrelated file', 'web/notes.txt', false],
    ["the neighbour stack's env_file", 'other/o.env', false],
  ])('plain compose file: an edit to %s alone and its input digest', (_n, path, changes) => {
    const root = tree({
      ...PLAIN,
      'other/docker-compose.yml': 'services:\n  o:\n    image: o\n    env_file: o.env\n',
      'other/o.env': 'O=1\n',
    });
    const web = 'SwarmStack/default/web';
    const before = loadPath(root, { revision: 'c1' }).inputs;
    writeFileSync(join(root, path), 'CHANGED=1\n');
    const after = loadPath(root, { revision: 'c2' }).inputs;
    expect(after.get(web) !== before.get(web)).toBe(changes);
    if (path !== 'other/o.env')
      expect(after.get('SwarmStack/default/other')).toBe(before.get('SwarmStack/default/other'));
    else expect(after.get('SwarmStack/default/other')).not.toBe(before.get('SwarmStack/default/other'));
  });

  it('a SwarmStack: the references of its compose files, relative to the first file (docker)', () => {
    const root = tree({
      'prod/stack.yaml': stack('  composeFiles: [base/compose.yml, prod.yml]\n'),
      'prod/base/compose.yml': 'services:\n  app:\n    image: a\n    env_file: app.env\n',
      'prod/prod.yml': 'configs:\n  c: {file: ./c.conf}\n',
      'prod/base/app.env': 'A=1\n',
      'prod/base/c.conf': 'x\n',
    });
    for (const path of ['prod/base/app.env', 'prod/base/c.conf']) {
      const before = loadPath(root).revision;
      writeFileSync(join(root, path), `changed ${path}\n`);
      expect(loadPath(root).revision, path).not.toBe(before);
    }
  });

  it('a referenced file that appears is a new revision', () => {
    const { 'web/conf/nginx.conf': _, ...rest } = PLAIN;
    const root = tree({ ...rest, 'web/conf/other.conf': '' });
    const before = loadPath(root).revision;
    writeFileSync(join(root, 'web/conf/nginx.conf'), 'server {}\n');
    expect(loadPath(root).revision).not.toBe(before);
  });

  it('hostile references do not escape the source, loop, or fail the load', () => {
    const outside = tree({ 'secret.txt': 'stolen\n' });
    const root = tree({
      'web/docker-compose.yml': [
        'include: [docker-compose.yml, loop.yml]',
        'services:',
        '  app: {image: a, env_file: ["../../' +
          outside.split('/').pop() +
          '/secret.txt", /etc/passwd, "${HOME}/x"]}',
        'configs:',
        '  c: {file: link.conf}',
        '',
      ].join('\n'),
      'web/loop.yml': 'include: [docker-compose.yml]\n',
      'web/link.conf': { link: join(outside, 'secret.txt') },
    });
    const before = loadPath(root);
    writeFileSync(join(outside, 'secret.txt'), 'changed\n');
    const after = loadPath(root);
    // the outside file is never read: its edit is not seen
    expect(after.revision).toBe(before.revision);
    expect(after.resources.map((r) => r.key)).toEqual(['SwarmStack/default/web']);
  });
});
