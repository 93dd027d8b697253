// Deploy hooks on the real lab, through `swarmkeeper run` (issue 14 part 5):
//  - a pre-deploy hook job runs, and completes, before the app service is updated (Docker events);
//  - a controller killed while the hook runs neither reruns a completed hook nor skips a running one;
//  - a failing hook leaves the old version running and the stack not Ready with exit code and logs.
// LAB_NAME=hooks npx vitest run --project integration test/integration/deploy-hooks.test.ts
import { writeFileSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import { events } from './helpers/docker-events.js';
import { assertBuilt, show, swarmkeeper } from './helpers/run.js';
import { StatusReader, cleanupSwarm, engine, labVars, tempSource, uniq } from './helpers/controller-swarm.js';

const id = uniq('skhk');
const STACK = uniq('h');
const KEY = `SwarmStack/default/${STACK}`;
const WEB = `${STACK}_web`;
const HOOK = `${STACK}_migrate`;
const src = tempSource('sk-hooks');
const status = new StatusReader(id);
let ctl: ControllerProcess;

/** The stack at `version`: the hook prints, sleeps and exits with `exit`; web carries the version. */
function write(version: number, hook: { sleep: number; exit: number }): void {
  writeFileSync(
    src.path(STACK, 'docker-compose.yml'),
    `services:
  migrate:
    image: local/busybox:1
    command: ["sh", "-c", "echo migrating to ${version}; sleep ${hook.sleep}; echo 'boom: version ${version}'; exit ${hook.exit}"]
    x-swarmkeeper: {hook: pre-deploy}
  web:
    image: local/busybox:1
    command: ["sleep", "100000"]
    environment: [VERSION=${version}]
    stop_grace_period: 1s
    deploy: {replicas: 1, endpoint_mode: dnsrr}
`,
  );
}

async function start(label: string): Promise<ControllerProcess> {
  return ControllerProcess.start({
    instanceId: id,
    sources: [src.dir],
    redisUrl: labVars().redisUrl,
    logLevel: 'debug',
    label,
  });
}

async function webVersion(): Promise<string | undefined> {
  const s = await engine()
    .getService(WEB)
    .inspect()
    .catch(() => undefined);
  const env = (s?.Spec?.TaskTemplate?.ContainerSpec?.Env ?? []) as string[];
  return env.find((e) => e.startsWith('VERSION='))?.slice('VERSION='.length);
}

const readyIs = async (s: string, reason?: string) => {
  const c = await status.condition(KEY, 'Ready');
  return c?.status === s && (reason === undefined || c.reason === reason) ? c : undefined;
};

describe('deploy hooks on the lab (swarmkeeper run)', () => {
  beforeAll(async () => {
    mkdirSync(src.path(STACK));
    write(1, { sleep: 1, exit: 0 });
    ctl = await start('a');
  });

  afterAll(async () => {
    await killAll();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    src.remove();
  });

  it('the pre-deploy hook runs and completes before the app service is created, then Ready', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await waitFor(`Ready=True on ${KEY}\n${ctl.tail()}`, 90_000, () => readyIs('True'));
    const ev = await events(since);
    const hookCreated = ev.find((e) => e.type === 'service' && e.action === 'create' && e.name === HOOK);
    const hookDone = ev.find((e) => e.type === 'container' && e.action === 'die' && e.name === HOOK);
    const webCreated = ev.find((e) => e.type === 'service' && e.action === 'create' && e.name === WEB);
    expect(hookCreated, JSON.stringify(ev)).toBeDefined();
    expect(hookDone, JSON.stringify(ev)).toBeDefined();
    expect(webCreated, JSON.stringify(ev)).toBeDefined();
    expect(hookCreated!.t < hookDone!.t && hookDone!.t < webCreated!.t).toBe(true);
    const st = await status.get(KEY);
    expect(st?.['hooks']).toEqual([
      expect.objectContaining({ phase: 'pre-deploy', service: HOOK, state: 'done' }),
    ]);
    console.log(
      `[deploy-hooks] hook ran ${(hookDone!.t - hookCreated!.t) / 1e3} ms; web created ${(webCreated!.t - hookDone!.t) / 1e3} ms after it ended`,
    );
  });

  it('a controller killed mid-hook: the new one waits for that run (no rerun, no skip), then rolls web', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    write(2, { sleep: 8, exit: 0 });
    // the hook of revision 2 runs: the old web keeps version 1
    await waitFor(`hook running\n${ctl.tail()}`, 60_000, () => readyIs('False', 'HookRunning'));
    await waitFor(
      'the hook container started',
      30_000,
      async () =>
        (await events(since)).some((e) => e.type === 'container' && e.action === 'start' && e.name === HOOK)
          ? true
          : undefined,
      500,
    );
    await ctl.kill9();
    expect(await webVersion()).toBe('1');
    ctl = await start('b');
    await waitFor(`Ready=True after the restart\n${ctl.tail()}`, 90_000, () => readyIs('True'));
    expect(await webVersion()).toBe('2');
    const ev = await events(since);
    const starts = ev.filter((e) => e.type === 'container' && e.action === 'start' && e.name === HOOK);
    const webUpdate = ev.find((e) => e.type === 'service' && e.action === 'update' && e.name === WEB);
    const hookDie = ev.find((e) => e.type === 'container' && e.action === 'die' && e.name === HOOK);
    expect(starts, JSON.stringify(ev)).toHaveLength(1); // one run for revision 2, not restarted
    expect(hookDie!.t < webUpdate!.t).toBe(true);

    // another restart once it completed: the hook is not run again
    const after = Math.floor(Date.now() / 1000);
    await ctl.kill9();
    ctl = await start('c');
    await ctl.waitForLog('reconcile end', { key: KEY });
    await waitFor('Ready=True after the second restart', 30_000, () => readyIs('True'));
    const again = (await events(after)).filter((e) => e.name === HOOK && e.action !== 'exec_create');
    expect(again, JSON.stringify(again)).toEqual([]);
  });

  it('a failing hook leaves the old version running and the stack not Ready with the exit code and log lines', async () => {
    write(3, { sleep: 0, exit: 3 });
    const c = await waitFor(`HookFailed\n${ctl.tail()}`, 60_000, () => readyIs('False', 'HookFailed'));
    expect(c.message).toContain('exit code 3');
    expect(c.message).toContain('boom: version 3');
    expect(await webVersion()).toBe('2');
    const st = await status.get(KEY);
    expect(st?.['hooks']).toEqual([expect.objectContaining({ state: 'failed', exitCode: 3 })]);
    // `swarmkeeper status` shows the controller's hooks: the failed run with its exit code
    const out = await swarmkeeper({ instanceId: id }, ['status', '--redis-url', labVars().redisUrl]);
    expect(out.code, show(out)).toBe(0);
    expect(out.stdout).toMatch(
      new RegExp(`${KEY} +${HOOK} +pre-deploy +[0-9a-f]{12} +failed \\(exit code 3\\)`),
    );
    const web = await engine().getService(WEB).inspect();
    expect(web.UpdateStatus?.State ?? 'completed').toBe('completed');
  });
});

describe('deploy hooks through swarmkeeper apply (pre and post)', () => {
  const cliId = uniq('skhkc');
  const NAME = uniq('c');
  const dir = tempSource('sk-hooks-cli');
  const cli = { instanceId: cliId };

  beforeAll(() => {
    assertBuilt();
    mkdirSync(dir.path(NAME));
    writeFileSync(
      dir.path(NAME, 'docker-compose.yml'),
      `services:
  migrate:
    image: local/busybox:1
    command: ["sh", "-c", "echo migrate; sleep 1"]
    x-swarmkeeper: {hook: pre-deploy}
  notify:
    image: local/busybox:1
    command: ["sh", "-c", "echo notify"]
    x-swarmkeeper: {hook: post-deploy}
  web:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    deploy: {replicas: 1, endpoint_mode: dnsrr}
`,
    );
  });

  afterAll(async () => {
    await cleanupSwarm(cliId);
    dir.remove();
  });

  it('apply runs pre-deploy, then the stack, then post-deploy once it converged; again: nothing runs', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const r = await swarmkeeper(cli, ['apply', '-f', dir.dir, '--wait', '--timeout', '2m']);
    expect(r.code, show(r)).toBe(0);
    const ev = await events(since);
    const at = (type: string, action: string, name: string) =>
      ev.find((e) => e.type === type && e.action === action && e.name === name)?.t ?? Number.NaN;
    const preDie = at('container', 'die', `${NAME}_migrate`);
    const webStart = at('container', 'start', `${NAME}_web`);
    const postCreate = at('service', 'create', `${NAME}_notify`);
    const postDie = at('container', 'die', `${NAME}_notify`);
    expect([preDie, webStart, postCreate, postDie].every(Number.isFinite), JSON.stringify(ev)).toBe(true);
    expect(preDie < webStart && webStart < postCreate && postCreate < postDie).toBe(true);

    const p = await swarmkeeper(cli, ['plan', '-f', dir.dir]);
    expect(p.code, show(p)).toBe(0);
    expect(p.stdout).toMatch(
      /> hook pre-deploy \S+_migrate \(revision [0-9a-f]{12}\): completed, not run again/,
    );
    expect(p.stdout).toMatch(
      /> hook post-deploy \S+_notify \(revision [0-9a-f]{12}\): completed, not run again/,
    );

    const st = await swarmkeeper(cli, ['status', '-f', dir.dir]);
    expect(st.code, show(st)).toBe(0);
    expect(st.stdout).toMatch(/RESOURCE +HOOK +STAGE +REVISION +STATE/);
    expect(st.stdout).toMatch(new RegExp(`\\S+ +${NAME}_migrate +pre-deploy +[0-9a-f]{12} +completed`));
    expect(st.stdout).toMatch(new RegExp(`\\S+ +${NAME}_notify +post-deploy +[0-9a-f]{12} +completed`));

    const again = Math.floor(Date.now() / 1000);
    const r2 = await swarmkeeper(cli, ['apply', '-f', dir.dir, '--wait', '--timeout', '1m']);
    expect(r2.code, show(r2)).toBe(0);
    expect(r2.stdout).toContain('unchanged');
    const runs = (await events(again)).filter((e) => e.type === 'container' && e.action === 'start');
    expect(runs, JSON.stringify(runs)).toEqual([]);
  });
});
