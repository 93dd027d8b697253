import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPath } from '../../../controllers/sources/dir-loader.js';
import { fsFileReader } from '../../../controllers/sources/fs-file-reader.js';
import { setSourceLimits, sourceLimits } from '../../../controllers/sources/safe-read.js';
import { desiredFor } from '../../../reconciler/desired/desired-for.js';
import { SECRET_HASH_KEY } from '../../reconciler/compose/helpers.js';
import { type TreeEntry, writeTree } from '../../support/file-tree.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const compose = (v: string) => `services:\n  app:\n    image: local/busybox:${v}\n`;

function tree(files: Record<string, TreeEntry>): string {
  const root = writeTree('sk-dir-loader-', files);
  dirs.push(root);
  return root;
}

const image = (root: string, key: string): unknown => {
  const l = loadPath(root);
  const res = l.resources.find((r) => r.key === key)!;
  const d = desiredFor(res, { instanceId: 't', files: fsFileReader(l.root), secretHashKey: SECRET_HASH_KEY });
  return d.desired.objects.find((o) => o.kind === 'service')?.spec;
};

describe("loadPath: one bad file is that file's problem alone", () => {
  it.each([
    [
      'undefined alias',
      'services:\n  app:\n    image: *nope\n',
      'SK_ERR_YAML_SYNTAX',
      'bad/docker-compose.yml:3: services.app.image: undefined alias',
    ],
    [
      'non-map merge',
      'x: &x 1\nservices:\n  app:\n    <<: *x\n',
      'SK_ERR_YAML_SYNTAX',
      'bad/docker-compose.yml:4: services.app.<<: a merge key',
    ],
    [
      'alias bomb',
      `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\nservices: {}\n`,
      'SK_ERR_YAML_LIMIT',
      'nodes once aliases are expanded',
    ],
    [
      '3000-deep nesting',
      `services: {}\nx: ${'['.repeat(3000)}${']'.repeat(3000)}\n`,
      'SK_ERR_YAML_LIMIT',
      'bad/docker-compose.yml:2: nested more than 100 levels deep',
    ],
    [
      'dangling link',
      { link: 'nowhere.yml' },
      'SK_ERR_FILE_UNREADABLE',
      'bad/docker-compose.yml: no such file, or a dangling symbolic link',
    ],
    [
      'link loop',
      { link: 'docker-compose.yml' },
      'SK_ERR_FILE_REFUSED',
      'bad/docker-compose.yml: a symbolic link loop (ELOOP)',
    ],
  ] as const)(
    '%s: the stack carries a coded error naming the file; the sibling loads',
    (_n, bad, code, message) => {
      const root = tree({ 'good/docker-compose.yml': compose('1'), 'bad/docker-compose.yml': bad });
      const l = loadPath(root);
      expect(l.errors).toEqual([]);
      const badRes = l.resources.find((r) => r.key === 'SwarmStack/default/bad');
      expect(badRes?.loadError).toMatchObject({ code, message: expect.stringContaining(message) });
      expect(() =>
        desiredFor(badRes!, { instanceId: 't', files: fsFileReader(l.root), secretHashKey: SECRET_HASH_KEY }),
      ).toThrow(expect.objectContaining({ code }));
      expect(image(root, 'SwarmStack/default/good')).toMatchObject({
        TaskTemplate: { ContainerSpec: { Image: 'local/busybox:1' } },
      });
    },
  );

  it('a bad YAML file not named like a compose file is an error of its own, listed as failed', () => {
    const root = tree({ 'good/docker-compose.yml': compose('1'), 'cluster/net.yml': 'metadata: *m\n' });
    const l = loadPath(root);
    expect(l.resources.map((r) => r.key)).toEqual(['SwarmStack/default/good']);
    expect(l.failedFiles).toEqual(['cluster/net.yml']);
    expect(l.errors.map((e) => [e.code, e.message])).toEqual([
      ['SK_ERR_YAML_SYNTAX', 'cluster/net.yml:1: metadata: undefined alias "*m" (no anchor &m before it)'],
    ]);
  });

  it('builds from the text it read: a later edit on disk is not applied until the next load', () => {
    const root = tree({ 'good/docker-compose.yml': compose('1') });
    const l = loadPath(root);
    writeFileSync(join(root, 'good/docker-compose.yml'), compose('2'));
    const res = l.resources[0]!;
    const d = desiredFor(res, {
      instanceId: 't',
      files: fsFileReader(l.root),
      secretHashKey: SECRET_HASH_KEY,
    });
    expect(d.desired.objects.find((o) => o.kind === 'service')?.spec).toMatchObject({
      TaskTemplate: { ContainerSpec: { Image: 'local/busybox:1' } },
    });
    expect(image(root, 'SwarmStack/default/good')).toMatchObject({
      TaskTemplate: { ContainerSpec: { Image: 'local/busybox:2' } },
    });
  });

  it('a linked directory is not walked; a linked YAML file inside the root is read', () => {
    const root = tree({
      'real/docker-compose.yml': compose('1'),
      'alias/docker-compose.yml': { link: '../real/docker-compose.yml' },
      walked: { link: 'real' },
    });
    expect(
      loadPath(root)
        .resources.map((r) => r.key)
        .sort(),
    ).toEqual(['SwarmStack/default/alias', 'SwarmStack/default/real']);
  });

  it('stops reading a source past --max-source-size: later files are refused precisely', () => {
    const before = { ...sourceLimits() };
    try {
      setSourceLimits({ maxSourceBytes: 60 });
      const root = tree({ 'a/docker-compose.yml': compose('1'), 'b/docker-compose.yml': compose('1') });
      const l = loadPath(root);
      expect(l.resources.find((r) => r.name === 'a')?.loadError).toBeUndefined();
      expect(l.resources.find((r) => r.name === 'b')?.loadError?.message).toBe(
        'b/docker-compose.yml: the source would exceed 60 bytes read in total (--max-source-size)',
      );
    } finally {
      setSourceLimits(before);
    }
  });
});
