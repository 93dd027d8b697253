// `swarmkeeper run --source git=...` against real git repositories, the lab Swarm and Redis:
// commits converge the Swarm (poll and webhook paths), a bad signature triggers nothing,
// a force-push to an older commit converges back, an emptied repository prunes nothing, and a
// broken YAML file is reported while its neighbours converge. Every wait polls with a deadline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitFixture, githubPushPayload, githubSignature } from '../support/git-fixture.js';
import { ControllerProcess, killAll, metricSum, waitFor } from './helpers/controller-process.js';
import { StatusReader, cleanupSwarm, labVars, serviceSpec, uniq } from './helpers/controller-swarm.js';

const SECRET = `whsec-${Math.random().toString(36).slice(2)}`;

function compose(v: string): string {
  return `services:
  app:
    image: local/busybox:1
    command: [sh, -c, 'exec sleep 100000']
    stop_grace_period: 1s
    environment:
      V: "${v}"
    deploy:
      endpoint_mode: dnsrr
`;
}

const key = (stack: string) => `SwarmStack/default/${stack}`;

interface Ctx {
  id: string;
  repo: GitFixture;
  status: StatusReader;
  work: string;
  ctl?: ControllerProcess;
  /** The head of the last signed push (its `before`): a delivery is accepted once per body. */
  pushed?: string;
}

function context(prefix: string): Ctx {
  const id = uniq(prefix);
  return {
    id,
    repo: new GitFixture('stacks'),
    status: new StatusReader(id),
    work: mkdtempSync(join(tmpdir(), 'sk-gitops-')),
  };
}

async function startController(c: Ctx, source: string, args: string[] = []): Promise<ControllerProcess> {
  const secretFile = join(c.work, 'webhook-secret');
  writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  c.ctl = await ControllerProcess.start({
    instanceId: c.id,
    sources: [],
    redisUrl: labVars().redisUrl,
    label: c.id,
    args: [
      '--source',
      source,
      '--webhook-secret-file',
      secretFile,
      '--work-dir',
      join(c.work, 'git'),
      ...args,
    ],
  });
  await c.ctl.waitReady(60_000);
  return c.ctl;
}

async function teardown(c: Ctx): Promise<void> {
  if (c.ctl?.alive) {
    c.ctl.signal('SIGTERM');
    await Promise.race([c.ctl.exited, new Promise((r) => setTimeout(r, 15_000))]);
  }
  await cleanupSwarm(c.id);
  await c.status.purge();
  c.status.close();
  c.repo.remove();
  rmSync(c.work, { recursive: true, force: true });
}

/** Waits until service `<stack>_app` has V=v and the status says it applied `revision`. */
async function converged(
  c: Ctx,
  stack: string,
  v: string,
  revision: string,
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    `${stack}_app with V=${v} at ${revision.slice(0, 8)}\n${c.ctl?.tail()}`,
    timeoutMs,
    async () => {
      const s = await serviceSpec(`${stack}_app`);
      const st = await c.status.get(key(stack));
      return s?.env.includes(`V=${v}`) && st?.['lastAppliedRevision'] === revision ? true : undefined;
    },
  );
}

/** The service is removed first; the status goes when that reconcile ends, so both are polled. */
async function gone(c: Ctx, stack: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${stack}_app removed and its status deleted\n${c.ctl?.tail()}`, timeoutMs, async () =>
    (await serviceSpec(`${stack}_app`)) === undefined && (await c.status.get(key(stack))) === undefined
      ? true
      : undefined,
  );
}

async function webhook(
  c: Ctx,
  body: string,
  signature: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(c.ctl!.url('/hooks/git'), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-hub-signature-256': signature,
    },
    body,
    signal: AbortSignal.timeout(5000),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/** A signed push event from the previous pushed head to `sha` (bodies differ, as a forge's do). */
async function signedPush(c: Ctx, sha: string): Promise<void> {
  const body = githubPushPayload(c.repo.fileUrl, sha, c.pushed);
  c.pushed = sha;
  const r = await webhook(c, body, githubSignature(SECRET, body));
  expect(r.status).toBe(202);
  expect(r.json).toMatchObject({ provider: 'github', matched: true, triggered: ['infra'] });
}

afterAll(async () => {
  await killAll();
});

describe('git source, poll path (interval 1s)', () => {
  const c = context('skgitp');
  const keep = `${c.id}k`;
  const stack = `${c.id}s`;
  beforeAll(async () => {
    c.repo.commit({ [`stacks/${keep}/docker-compose.yml`]: compose('keep') });
    c.repo.push();
  });
  afterAll(() => teardown(c));

  it('a commit that adds, changes, then deletes a stack converges the Swarm each time', async () => {
    const c0 = c.repo.head();
    await startController(c, `git=${c.repo.fileUrl},branch=main,path=stacks,interval=1s,name=infra`);
    await converged(c, keep, 'keep', c0);

    const c1 = c.repo.commit({ [`stacks/${stack}/docker-compose.yml`]: compose('1') }, 'add');
    c.repo.push();
    await converged(c, stack, '1', c1);

    const c2 = c.repo.commit({ [`stacks/${stack}/docker-compose.yml`]: compose('2') }, 'change');
    c.repo.push();
    await converged(c, stack, '2', c2);
    const metrics = await c.ctl!.metrics();
    expect(
      metricSum(metrics, 'swarmkeeper_resource_applied_revision_info', { key: key(stack), revision: c2 }),
    ).toBe(1);
    expect(
      metricSum(metrics, 'swarmkeeper_git_source_revision_info', { source: 'infra', revision: c2 }),
    ).toBe(1);

    c.repo.commit({ [`stacks/${stack}/docker-compose.yml`]: null }, 'delete');
    c.repo.push();
    await gone(c, stack);
    expect((await serviceSpec(`${keep}_app`))?.env).toContain('V=keep');
  });
});

describe('git source, webhook path (interval 10m)', () => {
  const c = context('skgitw');
  const a = `${c.id}a`;
  const keep = `${c.id}k`;
  const b = `${c.id}b`;
  const broken = `${c.id}x`;
  const shas: Record<string, string> = {};
  let fetches = 0;
  const fetchCount = async () =>
    metricSum(await c.ctl!.metrics(), 'swarmkeeper_git_fetch_total', { source: 'infra' });

  beforeAll(async () => {
    shas['c1'] = c.repo.commit({
      [`${keep}/docker-compose.yml`]: compose('keep'),
      [`${a}/docker-compose.yml`]: compose('1'),
    });
    c.repo.push();
    await startController(c, `git=${c.repo.fileUrl},branch=main,interval=10m,name=infra`);
    await converged(c, a, '1', shas['c1']);
  });
  afterAll(() => teardown(c));

  it('a signed GitHub push webhook converges the Swarm within seconds', async () => {
    shas['c2'] = c.repo.commit({ [`${a}/docker-compose.yml`]: compose('2') });
    c.repo.push();
    const t0 = Date.now();
    await signedPush(c, shas['c2']);
    await converged(c, a, '2', shas['c2'], 30_000);
    const ms = Date.now() - t0;
    expect(c.ctl!.find('webhook accepted').length).toBeGreaterThan(0);
    expect(
      c.ctl!.find('git source loaded a new commit', { trigger: 'webhook', revision: shas['c2'] }),
    ).toHaveLength(1);
    expect(ms).toBeLessThan(15_000);
    console.log(`gitops: webhook commit-to-converged ${ms} ms`);
  });

  it('a badly signed or unsigned webhook gets 401, fetches nothing and changes nothing', async () => {
    shas['c3'] = c.repo.commit({ [`${a}/docker-compose.yml`]: compose('3') });
    c.repo.push();
    fetches = await fetchCount();
    const body = githubPushPayload(c.repo.fileUrl, shas['c3']);
    const bad = await webhook(c, body, githubSignature('not-the-secret', body));
    expect(bad).toEqual({
      status: 401,
      json: { error: 'X-Hub-Signature-256 does not match the webhook secret' },
    });
    const tampered = await webhook(c, body.replace(shas['c3'], shas['c1']!), githubSignature(SECRET, body));
    expect(tampered.status).toBe(401);
    const r = await fetch(c.ctl!.url('/hooks/git'), {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(401);
    // Verification happens before anything is triggered, so the answer is the end of it.
    expect(await fetchCount()).toBe(fetches);
    const samples = await c.ctl!.metrics();
    expect(metricSum(samples, 'swarmkeeper_webhook_requests_total', { result: 'unauthorized' })).toBe(3);
    expect(
      metricSum(samples, 'swarmkeeper_git_sync_triggers_total', { source: 'infra', trigger: 'webhook' }),
    ).toBe(1);
    expect(c.ctl!.find('webhook rejected: nothing triggered')).toHaveLength(3);
    expect((await serviceSpec(`${a}_app`))?.env).toContain('V=2');
    expect((await c.status.get(key(a)))?.['lastAppliedRevision']).toBe(shas['c2']);
  });

  it('a force-push to an older commit converges back to that commit', async () => {
    await signedPush(c, shas['c3']!);
    await converged(c, a, '3', shas['c3']!);
    c.repo.forcePush(shas['c2']!);
    await signedPush(c, shas['c2']!);
    await converged(c, a, '2', shas['c2']!);
    expect(
      c.ctl!.find('git source loaded a new commit', { revision: shas['c2'], previous: shas['c3'] }),
    ).toHaveLength(1);
  });

  it('a broken YAML file is reported while the valid files next to it converge, with no write for it; an unchanged stack keeps its spec', async () => {
    shas['c4'] = c.repo.commit({
      [`${b}/docker-compose.yml`]: compose('b'),
      [`${broken}/docker-compose.yml`]: 'services:\n  app: [unclosed\n',
    });
    c.repo.push();
    await signedPush(c, shas['c4']);
    await converged(c, b, 'b', shas['c4']);
    // the broken file still names its stack (by folder), whose status carries the coded error
    const st = await waitFor(`status of ${broken} naming its file\n${c.ctl!.tail()}`, 30_000, async () => {
      const s = JSON.stringify((await c.status.get(key(broken))) ?? {});
      return s.includes(`${broken}/docker-compose.yml`) ? s : undefined;
    });
    expect(st).toContain('InvalidYAML');
    expect(await serviceSpec(`${broken}_app`)).toBeUndefined();
    // the commit changed nothing of stack a: its service keeps its spec. (That the commit enqueues only the
    // changed stacks is pinned by resource-store.test.ts: here a Docker event of a's own tasks may
    // reconcile it at any time, and stamp the new revision, so its status cannot show it.)
    expect((await serviceSpec(`${a}_app`))?.env).toContain('V=2');
  });

  it('deleting every file prunes nothing without allowEmpty: the guard blocks and says so', async () => {
    const before = await c.ctl!.metrics();
    const c5 = c.repo.commit({ [keep]: null, [a]: null, [b]: null, [broken]: null }, 'delete everything');
    c.repo.push();
    await signedPush(c, c5);
    const blocked = await c.ctl!.waitForLog('prune blocked by the empty-source guard', { source: 'infra' });
    expect(String(blocked['reason'])).toContain('suddenly yields no resources (had 4)');
    const st = await waitFor('Source/infra status', 10_000, () => c.status.get('Source/infra'));
    expect(JSON.stringify(st)).toContain('allowEmpty');
    for (const s of [keep, a, b]) expect(await serviceSpec(`${s}_app`)).toBeDefined();
    expect(metricSum(before, 'swarmkeeper_git_source_revision_info', { revision: c5 })).toBe(0);
    expect(metricSum(await c.ctl!.metrics(), 'swarmkeeper_git_source_revision_info', { revision: c5 })).toBe(
      1,
    );
  });

  it('swarmkeeper sync triggers a fetch and prints what it did', async () => {
    const { execFile } = await import('node:child_process');
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, ['bin/swarmkeeper.js', 'sync', ...args], (err, stdout, stderr) =>
          resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const before = await fetchCount();
    const ok = await run(['--url', c.ctl!.url(''), '--source', 'infra']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^synced infra at [0-9a-f]{12} \(unchanged\)$/m);
    expect(await fetchCount()).toBe(before + 1);
    const unknown = await run(['--url', c.ctl!.url(''), '--source', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no source named "nope"; sources: infra');
  });
});
