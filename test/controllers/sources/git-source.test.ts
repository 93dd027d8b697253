import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitSource } from '../../../controllers/sources/git-source.js';
import { parseSourceSpec, type GitSourceSpec } from '../../../controllers/sources/source-spec.js';
import { GitFixture, httpGitServer } from '../../support/git-fixture.js';
import type { SourceSnapshot } from '../../../controllers/ports.js';

const compose = (env: string) =>
  `services:\n  app:\n    image: local/busybox:1\n    environment:\n      V: "${env}"\n`;

interface Harness {
  source: GitSource;
  snaps: SourceSnapshot[];
  logs: string[];
}

const cleanups: (() => Promise<void> | void)[] = [];
let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'sk-gitsrc-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function harness(spec: string, env: NodeJS.ProcessEnv = {}, registry = new Registry()): Harness {
  const logs: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    }),
  );
  const source = new GitSource(parseSourceSpec(spec) as GitSourceSpec, {
    workDir: work,
    logger,
    registry,
    env,
  });
  cleanups.push(() => source.stop());
  return { source, snaps: [], logs };
}

async function started(h: Harness): Promise<Harness> {
  await h.source.start((s) => h.snaps.push(s));
  return h;
}

function stacks(s: SourceSnapshot | undefined): Record<string, string | undefined> {
  return Object.fromEntries((s?.resources ?? []).map((r) => [r.name, r.origin.revision]));
}

describe('GitSource against real repositories (file://)', () => {
  const repos: GitFixture[] = [];
  const repo = (name?: string) => {
    const r = new GitFixture(name);
    repos.push(r);
    return r;
  };
  afterAll(() => repos.forEach((r) => r.remove()));

  it('emits a snapshot per new commit, with the commit SHA as revision on the snapshot and every resource', async () => {
    const r = repo();
    const c1 = r.commit({ 'a/docker-compose.yml': compose('1') });
    r.push();
    const h = await started(harness(`git=${r.fileUrl},branch=main,interval=1h,name=s`));
    expect(h.snaps).toHaveLength(1);
    expect(h.snaps[0]).toMatchObject({ source: 's', revision: c1, errors: [] });
    expect(stacks(h.snaps[0])).toEqual({ a: c1 });
    expect(h.source.revision).toBe(c1);

    await h.source.sync();
    expect(h.snaps).toHaveLength(1); // same commit: nothing new

    const c2 = r.commit({ 'b/docker-compose.yml': compose('2') });
    r.push();
    const res = await h.source.syncNow('manual');
    expect(res).toMatchObject({ ok: true, changed: true, revision: c2, resources: 2 });
    expect(h.snaps).toHaveLength(2);
    expect(stacks(h.snaps[1])).toEqual({ a: c2, b: c2 });
    expect(h.logs.join('')).toContain(`"revision":"${c2}"`);
  });

  it('converges to an older commit after a force-push (history rewrite)', async () => {
    const r = repo();
    const c1 = r.commit({ 'a/docker-compose.yml': compose('1') });
    r.push();
    r.commit({ 'a/docker-compose.yml': compose('2'), 'b/docker-compose.yml': compose('2') });
    r.push();
    const h = await started(harness(`git=${r.fileUrl},interval=1h,name=s`));
    expect(Object.keys(stacks(h.snaps.at(-1)))).toEqual(['a', 'b']);
    r.forcePush(c1);
    expect(await h.source.syncNow('manual')).toMatchObject({ ok: true, changed: true, revision: c1 });
    expect(h.snaps.at(-1)?.revision).toBe(c1);
    expect(stacks(h.snaps.at(-1))).toEqual({ a: c1 });
    // and forward again onto a rewritten history
    const c3 = r.commit({ 'c/docker-compose.yml': compose('3') }, 'rewritten');
    r.forcePush(c3);
    expect(await h.source.syncNow('poll')).toMatchObject({ revision: c3 });
    expect(stacks(h.snaps.at(-1))).toEqual({ a: c3, c: c3 });
  });

  it('follows a branch, a (moved) tag, or stays on a pinned commit', async () => {
    const r = repo();
    const c1 = r.commit({ 'a/docker-compose.yml': compose('1') });
    r.push();
    r.tag('v1', c1);
    const c2 = r.commit({ 'a/docker-compose.yml': compose('2') });
    r.push('develop');
    const c3 = r.commit({ 'a/docker-compose.yml': compose('3') });
    r.push();
    const branch = await started(harness(`git=${r.fileUrl},branch=develop,interval=1h,name=b`));
    const main = await started(harness(`git=${r.fileUrl},branch=main,interval=1h,name=m`));
    const tag = await started(harness(`git=${r.fileUrl},tag=v1,interval=1h,name=t`));
    const pinned = await started(harness(`git=${r.fileUrl},commit=${c1.slice(0, 10)},interval=1h,name=p`));
    const head = await started(harness(`git=${r.fileUrl},interval=1h,name=h`));
    expect(branch.snaps[0]?.revision).toBe(c2);
    expect(main.snaps[0]?.revision).toBe(c3);
    expect(tag.snaps[0]?.revision).toBe(c1); // an annotated tag resolves to its commit
    expect(pinned.snaps[0]?.revision).toBe(c1);
    expect(head.snaps[0]?.revision).toBe(c3); // no ref: the remote's HEAD (main)

    const c4 = r.commit({ 'a/docker-compose.yml': compose('4') });
    r.push();
    r.tag('v1', c4); // a moved tag converges too
    for (const h of [main, tag, pinned]) await h.source.sync();
    expect(main.snaps.at(-1)?.revision).toBe(c4);
    expect(tag.snaps.at(-1)?.revision).toBe(c4);
    expect(pinned.snaps).toHaveLength(1);
    expect(pinned.snaps[0]?.revision).toBe(c1);
  }, 30_000); // three syncs of real repositories: seconds when the machine is busy

  it('loads only the path inside the repository; a root compose file is named after the repository', async () => {
    const r = repo('infra');
    const c1 = r.commit({
      'docker-compose.yml': compose('root'),
      'stacks/web/docker-compose.yml': compose('w'),
      'stacks/db/compose.yaml': compose('d'),
      'other/x/docker-compose.yml': compose('x'),
    });
    r.push();
    const sub = await started(harness(`git=${r.fileUrl},path=stacks,interval=1h,name=sub`));
    expect(stacks(sub.snaps[0])).toEqual({ web: c1, db: c1 });
    expect(sub.snaps[0]?.resources.map((x) => x.origin.file).sort()).toEqual([
      'db/compose.yaml',
      'web/docker-compose.yml',
    ]);
    const all = await started(harness(`git=${r.fileUrl},interval=1h,name=all`));
    expect(Object.keys(stacks(all.snaps[0])).sort()).toEqual(['db', 'infra', 'web', 'x']);
  });

  it('keeps the previous snapshot when the ref or the path disappears, with a precise log line', async () => {
    const r = repo();
    r.commit({ 'stacks/a/docker-compose.yml': compose('1') });
    r.push();
    r.push('feature');
    const h = await started(harness(`git=${r.fileUrl},branch=feature,path=stacks,interval=1h,name=s`));
    expect(h.snaps).toHaveLength(1);
    r.commit({ 'stacks/a/docker-compose.yml': null, README: 'moved' });
    r.push('feature');
    const gone = await h.source.syncNow('manual');
    expect(gone.ok).toBe(false);
    expect(gone.error).toMatch(/no such file or directory/);
    const missing = harness(`git=${r.fileUrl},branch=nope,interval=1h,name=n`);
    await started(missing);
    expect(missing.snaps).toHaveLength(0);
    const line = JSON.parse(missing.logs.find((l) => l.includes('sync failed'))!) as Record<string, unknown>;
    expect(line).toMatchObject({ reason: 'ref-not-found', source: 'n', keptRevision: null });
    expect(line['err']).toBe(
      `git fetch of branch "nope" from ${r.fileUrl}: branch "nope" does not exist in the repository`,
    );
    expect(h.snaps).toHaveLength(1);
  });

  it('shares one queued sync between concurrent callers', async () => {
    const r = repo();
    r.commit({ 'a/docker-compose.yml': compose('1') });
    r.push();
    const registry = new Registry();
    const h = await started(harness(`git=${r.fileUrl},interval=1h,name=s`, {}, registry));
    const results = await Promise.all([1, 2, 3, 4].map(() => h.source.syncNow('webhook')));
    expect(results.every((x) => x.ok)).toBe(true);
    const fetches = (await registry.getSingleMetric('swarmkeeper_git_fetch_total')!.get()).values;
    // start + the running one + one queued (shared by the other callers)
    expect(fetches.reduce((a, v) => a + v.value, 0)).toBeLessThanOrEqual(3);
  });
});

describe('GitSource over smart HTTP with a token (git http-backend on loopback)', () => {
  const token = 'tok-9f8e7d6c5b4a-SECRET';

  it('sends the token as an Authorization header, never in a URL or a log line', async () => {
    const r = new GitFixture('stacks');
    cleanups.push(() => r.remove());
    const c1 = r.commit({ 'web/docker-compose.yml': compose('1') });
    r.push();
    const srv = await httpGitServer(join(r.root, 'srv'), { token });
    cleanups.push(() => srv.close());
    const tokenFile = join(work, 'token');
    writeFileSync(tokenFile, `${token}\n`);
    const h = await started(
      harness(`git=${srv.url('stacks.git')},tokenFile=${tokenFile},interval=1h,name=h`),
    );
    expect(h.snaps[0]?.revision).toBe(c1);
    const basic = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    expect(srv.authHeaders).toContain(basic);
    expect(srv.urls.join(' ')).not.toContain(token);

    // bearer, from an environment variable
    const b = await started(
      harness(`git=${srv.url('stacks.git')},tokenEnv=SK_T,tokenScheme=bearer,interval=1h,name=b`, {
        SK_T: token,
      }),
    );
    expect(b.snaps[0]?.revision).toBe(c1);
    expect(srv.authHeaders).toContain(`Bearer ${token}`);
    for (const text of [...h.logs, ...b.logs]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(basic.slice(6));
    }
  });

  it('a wrong token is an auth failure: logged without the token, the previous snapshot kept', async () => {
    const r = new GitFixture('stacks');
    cleanups.push(() => r.remove());
    r.commit({ 'web/docker-compose.yml': compose('1') });
    r.push();
    const srv = await httpGitServer(join(r.root, 'srv'), { token });
    cleanups.push(() => srv.close());
    const env = { SK_T: token };
    const h = await started(harness(`git=${srv.url('stacks.git')},tokenEnv=SK_T,interval=1h,name=h`, env));
    expect(h.snaps).toHaveLength(1);
    env.SK_T = 'wrong-token-0123456789';
    r.commit({ 'web/docker-compose.yml': compose('2') });
    r.push();
    const res = await h.source.syncNow('manual');
    expect(res).toMatchObject({ ok: false, changed: false, revision: h.snaps[0]?.revision });
    expect(h.snaps).toHaveLength(1);
    const failed = h.logs.find((l) => l.includes('sync failed'))!;
    expect(JSON.parse(failed)).toMatchObject({ reason: 'auth', source: 'h' });
    expect(h.logs.join('')).not.toContain('wrong-token-0123456789');
    expect(h.logs.join('')).not.toContain(token);
  });
});
