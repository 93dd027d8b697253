// The whole hostile corpus at once, through `swarmkeeper apply` and a running controller with a dir
// source and a git source: one root holds every case's bad stack (each in its own folder) beside
// valid stacks. The valid stacks converge (and an edit to one applies at once while the bad files
// stay), nothing of a bad stack is written, each bad stack reports its expected error, and no
// environment variable of the controller reaches a service.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostileCase } from '../hostile/case.js';
import { GOOD_FILES, expectedMessage, loadCorpus, matches, writeFiles } from '../hostile/materialize.js';
import { GitFixture, git } from '../support/git-fixture.js';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import { StatusReader, cleanupSwarm, engine, labVars, servicesOf, uniq } from './helpers/controller-swarm.js';
import { assertBuilt, show, swarmkeeper } from './helpers/run.js';

const corpus = await loadCorpus({ files: true });
const CANARY = `canary-${Math.random().toString(36).slice(2)}`;
const caseEnv: Record<string, string> = Object.assign({}, ...corpus.map((c) => c.env ?? {}));
for (const k of Object.keys(caseEnv)) caseEnv[k] = CANARY;
const GOOD = 3;

interface Written {
  root: string;
  /** Folder of each case written. */
  folders: Map<HostileCase, string>;
  good: string[];
}

/** Writes the corpus (cases not skipped for `runner`) and GOOD valid stacks into `root`. */
function writeCorpus(root: string, prefix: string, runner: 'apply' | 'dir' | 'git'): Written {
  const folders = new Map<HostileCase, string>();
  corpus.forEach((c, i) => {
    if (c.skip?.includes(runner)) return;
    const folder = `${prefix}b${i}`;
    writeFiles(root, folder, c.files);
    folders.set(c, folder);
  });
  const good = Array.from({ length: GOOD }, (_, i) => `${prefix}g${i}`);
  for (const g of good) writeFiles(root, g, GOOD_FILES);
  return { root, folders, good };
}

/** `error: <message> (<CODE>)` records of the CLI's stderr (a record ends where the next `error:` or `warning:` starts). */
function cliErrors(stderr: string): { code: string; lines: string[] }[] {
  return stderr
    .split(/^(?=error: |warning: )/m)
    .filter((rec) => rec.startsWith('error: '))
    .map((rec) => rec.slice('error: '.length))
    .map((rec) => {
      const m = /\((SK_ERR_[A-Z_]+)\)\s*$/.exec(rec);
      return { code: m?.[1] ?? '', lines: rec.replace(/\s*\(SK_ERR_[A-Z_]+\)\s*$/, '').split('\n') };
    });
}

/** The Swarm holds nothing of a bad stack (no service, network, config or secret of its namespace). */
async function objectsOf(stack: string): Promise<string[]> {
  const d = engine();
  const names = [
    ...(await d.listServices()).map((s) => s.Spec?.Name ?? ''),
    ...(await d.listNetworks()).map((n) => n.Name),
    ...(await d.listConfigs()).map((c) => c.Spec?.Name ?? ''),
    ...(await d.listSecrets()).map((s) => s.Spec?.Name ?? ''),
  ];
  return names.filter((n) => n.startsWith(`${stack}_`));
}

async function expectGoodConverged(id: string, good: string[], ctl?: ControllerProcess): Promise<void> {
  try {
    await waitFor(`good stacks of ${id} converged`, 120_000, async () => {
      const svcs = await servicesOf(id);
      return good.every((g) => svcs.find((s) => s.name === `${g}_app`)?.env.includes('MODE=good'))
        ? true
        : undefined;
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${ctl?.tail() ?? ''}`);
  }
}

/** Every accepted case's stack has its service (the whole first pass is done). */
async function expectOkApplied(w: Written): Promise<void> {
  const ok = [...w.folders].filter(([c]) => !('code' in c.expect)).map(([, f]) => f);
  await waitFor(`accepted cases applied`, 240_000, async () => {
    const names = (await engine().listServices()).map((x) => x.Spec?.Name ?? '');
    return ok.every((f) => names.some((n) => n.startsWith(`${f}_`))) ? true : undefined;
  });
}

/** Removes the instance's objects (many services: a second attempt when the first is slow). */
async function cleanup(id: string): Promise<void> {
  await cleanupSwarm(id).catch(() => cleanupSwarm(id));
}

async function expectNothingLeaked(id: string): Promise<void> {
  for (const s of await servicesOf(id)) expect(s.env.join('\n')).not.toContain(CANARY);
}

async function expectBadRefused(w: Written): Promise<void> {
  for (const [c, folder] of w.folders)
    if ('code' in c.expect) expect(await objectsOf(folder), `${c.name} (${folder})`).toEqual([]);
}

/** The message of a logged `err`: an Error object (pino's serialiser) or, in older lines, a string. */
const errText = (err: unknown): string =>
  typeof err === 'object' && err !== null ? String((err as { message?: unknown }).message) : String(err);

/** Each bad stack's status (or, for a file that names no stack, the controller's log) has its error. */
async function expectStatuses(w: Written, status: StatusReader, ctl: ControllerProcess): Promise<void> {
  for (const [c, folder] of w.folders) {
    if (!('code' in c.expect)) continue;
    const expected = expectedMessage(c, folder)!;
    await waitFor(`${c.name} (${folder}) reports ${String(expected)}\n${ctl.tail()}`, 60_000, async () => {
      const ready = await status.condition(`SwarmStack/default/${folder}`, 'Ready');
      if (ready?.status === 'False' && ready.message?.split('\n').some((l) => matches(l, expected)))
        return true;
      const logged = ctl.logs.some(
        (l) =>
          l.msg === 'source problem' &&
          l['code'] === c.expect['code' as never] &&
          matches(errText(l['err']), expected),
      );
      return logged ? true : undefined;
    });
  }
}

const dirs: string[] = [];
const started: ControllerProcess[] = [];
afterAll(async () => {
  await killAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('hostile corpus through apply and a running controller', () => {
  const id = uniq('skhs');
  const status = new StatusReader(id);
  let repo: GitFixture;
  beforeAll(() => {
    assertBuilt();
    Object.assign(process.env, caseEnv);
  });
  afterAll(async () => {
    await cleanup(id);
    await status.purge();
    status.close();
    repo?.remove();
  });

  it('apply: the valid stacks are applied, each bad one is refused with its error, nothing of it written', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sk-hostile-apply-'));
    dirs.push(root);
    const w = writeCorpus(root, `${id}a`, 'apply');
    const r = await swarmkeeper({ instanceId: id }, ['apply', '-f', root]);
    expect(r.code, show(r)).toBe(1);
    const errs = cliErrors(r.stderr);
    for (const [c, folder] of w.folders) {
      if (!('code' in c.expect)) continue;
      const expected = expectedMessage(c, folder)!;
      expect(
        errs.some((e) => e.code === c.expect['code' as never] && e.lines.some((l) => matches(l, expected))),
        `${c.name}: ${String(expected)}\n${r.stderr}`,
      ).toBe(true);
    }
    await expectGoodConverged(id, w.good);
    await expectOkApplied(w);
    await expectBadRefused(w);
    await expectNothingLeaked(id);
    await cleanup(id);
  }, 600_000);

  it('dir source: good stacks converge, bad ones report their errors, an edit to a good one applies at once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sk-hostile-dir-'));
    dirs.push(root);
    const w = writeCorpus(root, `${id}d`, 'dir');
    const ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [root],
      redisUrl: labVars().redisUrl,
      label: 'dir',
      env: caseEnv,
    });
    started.push(ctl);
    await ctl.waitReady(60_000);
    await expectGoodConverged(id, w.good, ctl);
    await expectStatuses(w, status, ctl);
    await expectOkApplied(w);
    writeFileSync(
      join(root, w.good[0]!, 'docker-compose.yml'),
      GOOD_FILES['docker-compose.yml']!.replace(
        'env_file: [app.env]',
        'env_file: [app.env]\n    environment: { EDIT: "1" }',
      ),
    );
    await waitFor(`edit of ${w.good[0]} applied\n${ctl.tail()}`, 120_000, async () =>
      (await servicesOf(id)).find((s) => s.name === `${w.good[0]}_app`)?.env.includes('EDIT=1')
        ? true
        : undefined,
    );
    await expectBadRefused(w);
    await expectNothingLeaked(id);
    ctl.signal('SIGTERM');
    await ctl.exited;
    await cleanup(id);
  }, 900_000);

  it('git source: the same, over a commit of the corpus (FIFOs cannot be committed)', async () => {
    await killAll(); // a controller of the dir test that failed half-way must not share the instance
    repo = new GitFixture('hostile');
    const w = writeCorpus(repo.work, `${id}g`, 'git');
    git(repo.work, 'add', '--all');
    git(repo.work, 'commit', '--quiet', '-m', 'hostile corpus');
    repo.push();
    const work = mkdtempSync(join(tmpdir(), 'sk-hostile-git-'));
    dirs.push(work);
    const ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [],
      redisUrl: labVars().redisUrl,
      label: 'git',
      env: caseEnv,
      args: [
        '--source',
        `git=${repo.fileUrl},branch=main,interval=1s,name=hostile`,
        '--work-dir',
        join(work, 'git'),
      ],
    });
    started.push(ctl);
    await ctl.waitReady(60_000);
    await expectGoodConverged(id, w.good, ctl);
    await expectStatuses(w, status, ctl);
    await expectOkApplied(w);
    repo.commit({
      [`${w.good[1]}/docker-compose.yml`]: GOOD_FILES['docker-compose.yml']!.replace(
        'env_file: [app.env]',
        'env_file: [app.env]\n    environment: { EDIT: "2" }',
      ),
    });
    repo.push();
    await waitFor(`edit of ${w.good[1]} applied\n${ctl.tail()}`, 120_000, async () =>
      (await servicesOf(id)).find((s) => s.name === `${w.good[1]}_app`)?.env.includes('EDIT=2')
        ? true
        : undefined,
    );
    await expectBadRefused(w);
    await expectNothingLeaked(id);
    ctl.signal('SIGTERM');
    await ctl.exited;
    await cleanup(id);
  }, 900_000);
});

if (process.env['SK_HOSTILE_DUMP']) {
  afterAll(() => {
    for (const c of started)
      writeFileSync(
        `${process.env['SK_HOSTILE_DUMP']}-${c.label}.log`,
        c.logs.map((l) => JSON.stringify(l)).join('\n'),
      );
  });
}
