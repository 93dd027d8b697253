/**
 * IMAGE UPDATE WRITE-BACK (issue 15) on the lab: a controller polling the registry every 2 s watches a
 * git source (a real bare repository over file://) with writeBackBranch=main. With 1.2.1 running
 * under `semver: ^1.2`, pushing 1.3.0 to the lab registry
 * - rolls the service to 1.3.0, pinned to its digest;
 * - commits the new tag into the compose file on main (one commit, the documented message; the rest
 *   of the file, comments and quoting included, unchanged);
 * - and the reconcile of that written revision plans nothing: the service keeps its Version.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GitFixture, git } from '../support/git-fixture.js';
import { ControllerProcess, killAll, metricSum, waitFor } from './helpers/controller-process.js';
import { StatusReader, cleanupSwarm, labVars, serviceSpec, uniq } from './helpers/controller-swarm.js';
import { ensureRegistry, pushImage } from './helpers/registry.js';
import { docker } from './fidelity/support/cli.js';

const lab = inject('lab');
const RUN = randomBytes(3).toString('hex');
const id = uniq('skwback');
const stack = uniq('wb');
const key = `SwarmStack/default/${stack}`;
const file = `stacks/${stack}/docker-compose.yml`;
const repo = new GitFixture('stacks');
const work = mkdtempSync(join(tmpdir(), 'sk-wback-'));
const status = new StatusReader(id);
const pushed: string[] = [];
let ctl: ControllerProcess;
let APP = ''; // REG/wb<run>/app
let c0 = '';

const compose = (tag: string): string => `# write-back lab test: only the image value may change
services:
  app:
    # the tag the policy follows
    image: "${APP}:${tag}" # semver ^1.2
    command: ['sleep', "100000"]
    deploy: {replicas: 0, endpoint_mode: dnsrr}
    x-swarmkeeper: {image-update: {semver: "^1.2"}}
`;

const push = async (image: string, label: string) => {
  pushed.push(image);
  return pushImage(image, label);
};
const main = (): string => git(repo.bare, 'rev-parse', 'main');
const polls = async () =>
  metricSum(await ctl.metrics(), 'swarmkeeper_image_update_polls_total', { result: 'ok' });
const applied = async () => (await status.get(key))?.['lastAppliedRevision'];

describe('swarmkeeper run: image update write-back to a git source', () => {
  beforeAll(async () => {
    const registry = await ensureRegistry(lab);
    APP = `${registry}/wb${RUN}/app`;
    await push(`${APP}:1.2.1`, `wb121${RUN}`);
    c0 = repo.commit({ [file]: compose('1.2.1') }, 'add the stack');
    repo.push();
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [],
      redisUrl: labVars().redisUrl,
      label: 'wback',
      args: [
        '--source',
        `git=${repo.fileUrl},branch=main,path=stacks,interval=2s,name=infra,writeBackBranch=main`,
        '--work-dir',
        join(work, 'git'),
        '--image-update-interval',
        '2s',
      ],
    });
    await waitFor(`${key} Ready at ${c0.slice(0, 8)}\n${ctl.tail()}`, 90_000, async () =>
      (await status.condition(key, 'Ready'))?.status === 'True' && (await applied()) === c0
        ? true
        : undefined,
    );
  }, 180_000);

  afterAll(async () => {
    await killAll();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    for (const image of pushed) await docker(['image', 'rm', '-f', image], true);
    repo.remove();
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('1.3.0 pushed: the service runs it pinned, main gets the commit, and the written revision plans nothing', async () => {
    expect((await serviceSpec(`${stack}_app`))?.image).toMatch(
      new RegExp(`^${APP}:1\\.2\\.1@sha256:[0-9a-f]{64}$`),
    );
    expect(main()).toBe(c0);

    const d130 = await push(`${APP}:1.3.0`, `wb130${RUN}`);
    const rolled = await waitFor(`${stack}_app at 1.3.0\n${ctl.tail()}`, 90_000, async () => {
      const s = await serviceSpec(`${stack}_app`);
      return s?.image === `${APP}:1.3.0@${d130}` ? s : undefined;
    });

    // the bare repository's main: one new commit on top of c0, by swarmkeeper
    const written = await waitFor(`a write-back commit on main\n${ctl.tail()}`, 60_000, () =>
      main() !== c0 ? main() : undefined,
    );
    expect(git(repo.bare, 'rev-parse', `${written}~1`)).toBe(c0);
    expect(git(repo.bare, 'log', '-1', '--format=%s|%an <%ae>', written)).toBe(
      `swarmkeeper: ${stack}/app image ${APP}:1.2.1 -> ${APP}:1.3.0|swarmkeeper <swarmkeeper@localhost>`,
    );
    expect(git(repo.bare, 'diff', '--name-only', c0, written)).toBe(file);
    // only the tag changed: comments, quoting and layout are kept (git() trims the last newline)
    expect(git(repo.bare, 'show', `${written}:${file}`)).toBe(compose('1.3.0').trimEnd());

    // the controller reconciles the written revision and the service is not updated again
    await waitFor(`${key} applied ${written.slice(0, 8)}\n${ctl.tail()}`, 60_000, async () =>
      (await applied()) === written && (await status.condition(key, 'Ready'))?.status === 'True'
        ? true
        : undefined,
    );
    // the rollout was the only update: the written revision's reconcile changed nothing
    const after = await serviceSpec(`${stack}_app`);
    expect(after?.image).toBe(`${APP}:1.3.0@${d130}`);
    expect(after?.version).toBe(rolled.version);
    const start = await polls();
    await waitFor(`3 more polls\n${ctl.tail()}`, 60_000, async () =>
      (await polls()) - start >= 3 ? true : undefined,
    );
    const later = await serviceSpec(`${stack}_app`);
    expect(later?.image).toBe(`${APP}:1.3.0@${d130}`);
    expect(later?.version).toBe(after?.version);
    expect(main()).toBe(written);
    expect(await applied()).toBe(written);
    expect((await status.condition(key, 'Ready'))?.status).toBe('True');

    // a later revision with the written file (an empty commit on top) changes no stack: it is loaded,
    // and nothing is reconciled for it (the status keeps the written revision, the service its version)
    git(repo.work, 'pull', '--quiet', '--ff-only', 'origin', 'main');
    const next = repo.commit({}, 'nothing to deploy');
    repo.push();
    await ctl.waitForLog('git source loaded a new commit', { revision: next });
    const since = await polls();
    await waitFor(`3 more polls after ${next.slice(0, 8)}\n${ctl.tail()}`, 60_000, async () =>
      (await polls()) - since >= 3 ? true : undefined,
    );
    expect(await applied()).toBe(written);
    expect(await serviceSpec(`${stack}_app`)).toMatchObject({
      image: `${APP}:1.3.0@${d130}`,
      version: rolled.version,
    });
  });
});
