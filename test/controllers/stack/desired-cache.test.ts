import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DesiredCache } from '../../../controllers/stack/desired-cache.js';
import { fsFileReader } from '../../../controllers/sources/fs-file-reader.js';
import { desiredFor } from '../../../reconciler/desired/desired-for.js';
import type { StackContext } from '../../../reconciler/desired/stack.js';
import { effectivePolicy } from '../../../reconciler/policy/policy.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { DEFAULT_LIMITS } from '../../../reconciler/validate/limits.js';
import { writeTree } from '../../support/file-tree.js';

// Real files in a temporary folder, read through the controller's confined reader: what is under
// test is when the cache gives back what it computed before and when it computes again, and that
// what it gives back is always what desiredFor computes from the files as they are now.

const COMPOSE = `services:
  web:
    image: local/busybox:\${TAG:-1}
    env_file: [web.env]
    environment:
      LISTED: \${LISTED}
      FROM_SHELL: \${APP_MODE:-none}
    configs: [{ source: conf, target: /conf }]
    secrets: [pw]
    deploy: { replicas: 0, endpoint_mode: dnsrr }
configs:
  conf: { file: ./conf.txt }
secrets:
  pw: { file: ./pw.txt }
`;
const FILES = {
  'app/compose.yml': COMPOSE,
  'app/web.env': 'MODE=a\n',
  'app/listed.env': 'LISTED=one\n',
  'app/conf.txt': 'hello\n',
  'app/pw.txt': 's3cret-value\n',
  'app/unrelated.txt': 'x\n',
};

const stack: DesiredResource = {
  key: 'SwarmStack/default/app',
  kind: 'SwarmStack',
  namespace: 'default',
  name: 'app',
  spec: { composeFile: 'compose.yml', envFiles: ['listed.env'] },
  origin: { file: 'app/stack.yaml', source: 'dir:t', revision: 'sha256:1' },
  baseDir: 'app',
};
/** The same compose file as a plain compose file (it may read the allowed process variables). */
const plain: DesiredResource = {
  key: 'SwarmStack/default/plain',
  kind: 'SwarmStack',
  namespace: 'default',
  name: 'plain',
  spec: { stackName: 'plain', composeFile: 'compose.yml', envFiles: ['listed.env'] },
  origin: { file: 'app/compose.yml', source: 'dir:t', revision: 'sha256:1' },
  baseDir: 'app',
  fromComposeFile: true,
  text: COMPOSE,
};

const ctx: Omit<StackContext, 'files'> = {
  instanceId: 'i1',
  secretHashKey: new TextEncoder().encode('desired-cache-test-key'),
  env: { vars: { APP_MODE: 'blue', OTHER: 'x' }, allow: ['APP_*'] },
  limits: DEFAULT_LIMITS,
  policy: effectivePolicy('dir', 'default', undefined),
};

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function setup(res = stack) {
  const root = writeTree('sk-desired-cache-', FILES);
  roots.push(root);
  const cache = new DesiredCache();
  const source = { root, files: () => fsFileReader(root) };
  const get = (r = res, c = ctx) => cache.desiredFor(r, c, source);
  const direct = (r = res, c = ctx) => desiredFor(r, { ...c, files: fsFileReader(root) });
  const write = (rel: string, text: string) => writeFileSync(join(root, rel), text);
  return { root, cache, get, direct, write };
}

type Setup = ReturnType<typeof setup>;
/** A change made to the files (or none), and the resource and settings of the next pass. */
type Next = { res?: DesiredResource; ctx?: Omit<StackContext, 'files'> };
type Case = [string, (s: Setup) => Next, 'hit' | 'miss'];
const edit = (rel: string, text: string) => (s: Setup) => (s.write(rel, text), {});

describe('DesiredCache: what invalidates an entry', () => {
  it.each<Case>([
    ['nothing changed', () => ({}), 'hit'],
    ['the compose file written again with the same bytes', edit('app/compose.yml', COMPOSE), 'hit'],
    ['a file the stack does not read', edit('app/unrelated.txt', 'y\n'), 'hit'],
    [
      'only the source revision (another stack changed)',
      () => ({ res: { ...stack, origin: { ...stack.origin, revision: 'sha256:2' } } }),
      'hit',
    ],
    [
      'a process variable the stack may not read',
      () => ({ ctx: { ...ctx, env: { vars: { APP_MODE: 'blue', OTHER: 'y' }, allow: ['APP_*'] } } }),
      'hit',
    ],
    [
      'the compose file (one byte)',
      edit('app/compose.yml', COMPOSE.replace('replicas: 0', 'replicas: 1')),
      'miss',
    ],
    ['a .env that did not exist and now does', edit('app/.env', 'TAG=2\n'), 'miss'],
    ['a service env_file', edit('app/web.env', 'MODE=b\n'), 'miss'],
    ['a listed env file (spec.envFiles)', edit('app/listed.env', 'LISTED=two\n'), 'miss'],
    ['a config file', edit('app/conf.txt', 'hello!\n'), 'miss'],
    ['a secret file', edit('app/pw.txt', 's3cret-valuf\n'), 'miss'],
    ['the spec', () => ({ res: { ...stack, spec: { ...stack.spec, env: { TAG: '3' } } } }), 'miss'],
    ['the limits', () => ({ ctx: { ...ctx, limits: { ...DEFAULT_LIMITS, services: 5 } } }), 'miss'],
    [
      'the stack policy',
      () => ({ ctx: { ...ctx, policy: effectivePolicy('git', 'default', undefined) } }),
      'miss',
    ],
    ['the instance', () => ({ ctx: { ...ctx, instanceId: 'i2' } }), 'miss'],
    ['the bind root', () => ({ ctx: { ...ctx, bindRoot: '/srv' } }), 'miss'],
  ])('%s: a %s, and the state is what desiredFor computes now', (_what, change, expected) => {
    const s = setup();
    s.get();
    const next = change(s);
    const after = s.get(next.res, next.ctx);
    expect(s.cache.stats()).toMatchObject(
      expected === 'hit' ? { hits: 1, misses: 1 } : { hits: 0, misses: 2 },
    );
    expect(after).toEqual(s.direct(next.res, next.ctx));
  });

  it.each<[string, StackContext['env'], 'hit' | 'miss']>([
    [
      'an allowed process variable of a plain compose file',
      { vars: { APP_MODE: 'green', OTHER: 'x' }, allow: ['APP_*'] },
      'miss',
    ],
    ['a variable that is not allowed', { vars: { APP_MODE: 'blue', OTHER: 'z' }, allow: ['APP_*'] }, 'hit'],
    ['--allow-env itself', { vars: { APP_MODE: 'blue', OTHER: 'x' }, allow: [] }, 'miss'],
  ])('%s: a %s', (_what, env, expected) => {
    const s = setup(plain);
    s.get();
    const after = s.get(plain, { ...ctx, env });
    expect(s.cache.stats()).toMatchObject(expected === 'hit' ? { hits: 1 } : { misses: 2 });
    expect(after).toEqual(s.direct(plain, { ...ctx, env }));
  });

  // A git source writes each commit to a folder of its own: the next commit's folder is another
  // root holding (mostly) the same files. The key is the files read, by relative path and content.
  it.each<[string, Record<string, string>, 'hit' | 'miss']>([
    ['the same files', {}, 'hit'],
    ['a changed env_file', { 'app/web.env': 'MODE=b\n' }, 'miss'],
    ['a changed config file', { 'app/conf.txt': 'hello!\n' }, 'miss'],
    ['a file the stack does not read', { 'app/unrelated.txt': 'z\n' }, 'hit'],
  ])('another root (the next commit) with %s: a %s', (_what, changes, expected) => {
    const s = setup();
    s.get();
    const next = writeTree('sk-desired-cache-next-', { ...FILES, ...changes });
    roots.push(next);
    const after = s.cache.desiredFor(stack, ctx, { root: next, files: () => fsFileReader(next) });
    expect(s.cache.stats()).toMatchObject(
      expected === 'hit' ? { hits: 1, misses: 1 } : { hits: 0, misses: 2 },
    );
    expect(after).toEqual(desiredFor(stack, { ...ctx, files: fsFileReader(next) }));
  });

  it('a file read that vanished is a change (its error is thrown), and so is its return', () => {
    const s = setup();
    s.get();
    rmSync(join(s.root, 'app/conf.txt'));
    expect(() => s.get()).toThrow(/conf\.txt/);
    s.write('app/conf.txt', 'hello\n');
    s.get();
    expect(s.cache.stats()).toMatchObject({ hits: 0, misses: 3 });
  });

  it('gives the same frozen state on a hit; consumers cannot change it', () => {
    const s = setup();
    const a = s.get();
    expect(s.get()).toBe(a);
    expect(Object.isFrozen(a.desired.objects[0])).toBe(true);
  });

  it('is bounded: least recently used first out', () => {
    const root = writeTree('sk-desired-cache-', FILES);
    roots.push(root);
    const cache = new DesiredCache({ maxEntries: 2 });
    const src = { root, files: () => fsFileReader(root) };
    const named = (n: string): DesiredResource => ({ ...stack, key: `SwarmStack/default/${n}`, name: n });
    for (const n of ['a', 'b', 'a', 'c']) cache.desiredFor(named(n), ctx, src); // b is the oldest now
    expect(cache.stats()).toMatchObject({ entries: 2, hits: 1, misses: 3 });
    cache.desiredFor(named('a'), ctx, src);
    cache.desiredFor(named('b'), ctx, src);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 4 });
  });

  it('concurrent reconciles of different keys each get their own state', async () => {
    const root = writeTree('sk-desired-cache-', FILES);
    roots.push(root);
    const cache = new DesiredCache();
    const src = { root, files: () => fsFileReader(root) };
    const named = (i: number): DesiredResource => ({
      ...stack,
      key: `SwarmStack/default/s${i}`,
      name: `s${i}`,
      spec: { ...stack.spec, env: { TAG: String(i) } },
    });
    const all = async () =>
      Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          await Promise.resolve();
          return cache.desiredFor(named(i), ctx, src);
        }),
      );
    await all();
    const again = await all();
    expect(cache.stats()).toMatchObject({ hits: 40, misses: 40 });
    again.forEach((d, i) => expect(d).toEqual(desiredFor(named(i), { ...ctx, files: fsFileReader(root) })));
  });

  it('a resource that fails is not kept: computed again each time', () => {
    const s = setup();
    const broken = { ...stack, spec: { composeFile: 'missing.yml' } };
    expect(() => s.get(broken)).toThrow(/missing\.yml/);
    expect(() => s.get(broken)).toThrow(/missing\.yml/);
    expect(s.cache.stats()).toMatchObject({ hits: 0, misses: 2, entries: 0 });
  });
});
