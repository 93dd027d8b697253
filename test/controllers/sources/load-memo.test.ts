import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPath } from '../../../controllers/sources/dir-loader.js';
import { LoadMemo } from '../../../controllers/sources/load-memo.js';
import { writeTree } from '../../support/file-tree.js';

// A directory loaded again and again with one memo (as DirSource rescans it): every load is what a
// load without the memo gives, and an unchanged file is not parsed again.

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const compose = (v: string) => `services:\n  app:\n    image: local/busybox:${v}\n`;
const STACK = [
  'apiVersion: swarmkeeper.io/v1alpha1',
  'kind: SwarmStack',
  'metadata: { name: merged }',
  'spec: { composeFile: base.yml }',
  '',
].join('\n');

function setup() {
  const root = writeTree('sk-load-memo-', {
    'a/compose.yml': compose('1'),
    'b/docker-compose.yml': compose('2'),
    'c/stack.yaml': STACK,
    'c/base.yml': compose('3'),
    'd/compose.yml': 'include: [../c/base.yml]\nservices:\n  x:\n    image: local/busybox:4\n',
  });
  roots.push(root);
  const memo = new LoadMemo();
  const load = () => {
    const a = loadPath(root, { source: 'dir:t', memo });
    expect(a).toEqual(loadPath(root, { source: 'dir:t' }));
    return a;
  };
  const write = (rel: string, text: string) => writeFileSync(join(root, rel), text);
  return { root, load, write };
}

describe('LoadMemo', () => {
  it.each<[string, (s: ReturnType<typeof setup>) => void]>([
    ['nothing changed', () => undefined],
    ['a compose file edited', (s) => s.write('a/compose.yml', compose('9'))],
    ['a stack file edited', (s) => s.write('c/stack.yaml', STACK.replace('merged', 'other'))],
    ['a compose file that no longer parses', (s) => s.write('b/docker-compose.yml', 'services: [\n')],
    ['a file added', (s) => s.write('a/more.yaml', compose('5'))],
    ['a file removed', (s) => unlinkSync(join(s.root, 'b/docker-compose.yml'))],
    [
      'an include removed (the claimed file is a stack of its own again)',
      (s) => s.write('d/compose.yml', compose('6')),
    ],
  ])('%s: each load is what a load without the memo gives', (_what, change) => {
    const s = setup();
    s.load();
    change(s);
    s.load();
    s.load();
  });

  it('an unchanged file is not parsed again; its resources are fresh objects with the new revision', () => {
    const s = setup();
    const first = s.load();
    s.write('a/compose.yml', compose('9'));
    const second = s.load();
    const of = (l: typeof first, key: string) => l.resources.find((r) => r.key === key)!;
    const b = 'SwarmStack/default/b';
    expect(of(second, b).spec).toBe(of(first, b).spec); // the parse of before
    expect(of(second, b)).not.toBe(of(first, b));
    expect(of(second, b).origin.revision).toBe(second.revision);
    expect(second.revision).not.toBe(first.revision);
    expect(of(second, 'SwarmStack/default/a').spec).not.toBe(of(first, 'SwarmStack/default/a').spec);
  });

  it("a held file's references are read once per text (the revision's input walk and the claims share them)", () => {
    const s = setup();
    const memo = new LoadMemo();
    loadPath(s.root, { source: 'dir:t', memo });
    const text = 'include: [../c/base.yml]\nservices:\n  x:\n    image: local/busybox:4\n';
    const refs = memo.refs('d/compose.yml', text);
    expect(refs).toEqual({ compose: ['../c/base.yml'], data: [] });
    expect(memo.refs('d/compose.yml', text)).toBe(refs);
    expect(memo.refs('d/compose.yml', `${text}# edited\n`)).not.toBe(refs);
    expect(memo.refs('not/held.yml', text)).not.toBe(memo.refs('not/held.yml', text));
  });
});
