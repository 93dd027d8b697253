// Post-deploy hooks on the real lab, through `swarmkeeper run` (issue 14 part 5):
//  - a stack with a pre- and a post-deploy hook converges; the post-deploy hook's service is created
//    only once the app service converged (its task healthy: Docker events); status.hooks and Ready;
//  - resyncs once the hooks completed read the shared snapshot only (no hook list calls);
//  - the stack removed from the source takes its hook services along: no service, network or
//    config of it is left, and its status is deleted.
// LAB_NAME=hk npx vitest run --project integration test/integration/deploy-hooks-post.test.ts
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerProcess, killAll, metricSum, waitFor } from './helpers/controller-process.js';
import {
  LABEL_INSTANCE,
  StatusReader,
  cleanupSwarm,
  engine,
  labVars,
  networksOf,
  servicesOf,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';
import { events } from './helpers/docker-events.js';

const id = uniq('skhp');
const STACK = uniq('p');
const KEY = `SwarmStack/default/${STACK}`;
const WEB = `${STACK}_web`;
const PRE = `${STACK}_migrate`;
const POST = `${STACK}_notify`;
const src = tempSource('sk-hooks-post');
const status = new StatusReader(id);
let ctl: ControllerProcess;

function write(): void {
  writeFileSync(src.path(STACK, 'app.conf'), 'greeting=hello\n');
  writeFileSync(
    src.path(STACK, 'docker-compose.yml'),
    `services:
  migrate:
    image: local/busybox:1
    command: ["sh", "-c", "echo migrate; sleep 1"]
    x-swarmkeeper: {hook: pre-deploy}
  notify:
    image: local/busybox:1
    command: ["sh", "-c", "echo notify"]
    networks: [back]
    x-swarmkeeper: {hook: post-deploy}
  web:
    image: local/busybox:1
    # healthy (converged) 3 s after it started: the post-deploy hook must wait for that
    command: ["sh", "-c", "sleep 3; touch /tmp/ready; exec sleep 100000"]
    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ready"], interval: 1s, timeout: 1s, retries: 30}
    networks: [back]
    configs: [{source: app, target: /etc/app.conf}]
    stop_grace_period: 1s
    deploy: {replicas: 1, endpoint_mode: dnsrr}
networks:
  back: {}
configs:
  app: {file: ./app.conf}
`,
  );
}

const readyIs = async (s: string) => {
  const c = await status.condition(KEY, 'Ready');
  return c?.status === s ? c : undefined;
};

/** Everything of the stack on the Swarm, by owner label and by name. */
async function leftovers(): Promise<string[]> {
  const d = engine();
  const byName = { filters: { name: [`${STACK}_`] } };
  const labelled = { filters: { label: [`${LABEL_INSTANCE}=${id}`] } };
  return [
    ...(await servicesOf(id)).map((s) => `service ${s.name}`),
    ...(await networksOf(id)).map((n) => `network ${n.name}`),
    ...(await d.listConfigs(labelled)).map((c) => `config ${c.Spec?.Name}`),
    ...(await d.listServices(byName)).map((s) => `service ${s.Spec?.Name}`),
    ...(await d.listNetworks(byName)).map((n) => `network ${n.Name}`),
    ...(await d.listConfigs(byName)).map((c) => `config ${c.Spec?.Name}`),
  ];
}

describe('post-deploy hooks on the lab (swarmkeeper run), then the stack deleted', () => {
  beforeAll(async () => {
    mkdirSync(src.path(STACK));
    write();
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: labVars().redisUrl,
      logLevel: 'debug',
      // the one stack is removed: the source yields nothing, which only --allow-empty prunes
      args: ['--allow-empty', '--resync', '2s'],
    });
  });

  afterAll(async () => {
    await killAll();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    src.remove();
  });

  it('pre-deploy, then web until healthy, then the post-deploy hook; status shows both hooks and Ready', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const t0 = Date.now();
    await waitFor(`Ready=True on ${KEY}\n${ctl.tail()}`, 120_000, () => readyIs('True'));
    const ready = Date.now() - t0;
    const ev = await events(since);
    const at = (type: string, action: string, name: string) =>
      ev.find((e) => e.type === type && e.action === action && e.name === name)?.t ?? Number.NaN;
    const preDie = at('container', 'die', PRE);
    const webCreate = at('service', 'create', WEB);
    const webHealthy = at('container', 'health_status: healthy', WEB);
    const postCreate = at('service', 'create', POST);
    const postDie = at('container', 'die', POST);
    const all = [preDie, webCreate, webHealthy, postCreate, postDie];
    expect(all.every(Number.isFinite), JSON.stringify(ev)).toBe(true);
    expect(preDie < webCreate, JSON.stringify(ev)).toBe(true);
    expect(webHealthy < postCreate, JSON.stringify(ev)).toBe(true); // not before web converged
    expect(postCreate < postDie).toBe(true);
    // each hook ran once
    for (const h of [PRE, POST])
      expect(ev.filter((e) => e.type === 'container' && e.action === 'start' && e.name === h)).toHaveLength(
        1,
      );

    const st = await status.get(KEY);
    expect(st?.['hooks']).toEqual([
      expect.objectContaining({ phase: 'pre-deploy', service: PRE, state: 'done' }),
      expect.objectContaining({ phase: 'post-deploy', service: POST, state: 'done' }),
    ]);
    const revisions = (st?.['hooks'] as { revision: string }[]).map((h) => h.revision);
    expect(new Set(revisions).size).toBe(1); // one revision of the stack for both
    expect(await readyIs('True')).toBeDefined();
    console.log(
      `[deploy-hooks-post] Ready after ${ready} ms; post-deploy hook created ${(postCreate - webHealthy) / 1e3} ms after web was healthy`,
    );
  });

  it('resyncs of the stack whose hooks completed read only the shared snapshot (no hook list calls)', async () => {
    const metric = async (name: string, labels: Record<string, string> = {}) =>
      metricSum(await ctl.metrics(), name, labels);
    const gets0 = await metric('swarmkeeper_docker_api_calls_total', { method: 'GET' });
    const runs0 = await metric('swarmkeeper_swarm_snapshot_total');
    await waitFor(`6 resync passes\n${ctl.tail()}`, 60_000, async () =>
      (await metric('swarmkeeper_swarm_snapshot_total')) - runs0 >= 6 ? true : undefined,
    );
    const gets = (await metric('swarmkeeper_docker_api_calls_total', { method: 'GET' })) - gets0;
    const runs = (await metric('swarmkeeper_swarm_snapshot_total')) - runs0;
    console.log(`[deploy-hooks-post] ${runs} resync reconciles, ${gets} Docker GETs`);
    // 4 list calls per pass for the snapshot (one stack: one reconcile a pass); listing the hooks'
    // services and tasks again would make it 6 (a pass may be counted half-way: at most 4 more)
    expect(gets).toBeLessThanOrEqual(4 * runs + 4);
    expect((await status.condition(KEY, 'Ready'))?.status).toBe('True');
  });

  it('the stack removed from the source: its hook services go with it, nothing is left', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const t0 = Date.now();
    rmSync(src.path(STACK), { recursive: true, force: true });
    await waitFor(
      `nothing of ${STACK} left and its status deleted\n${ctl.tail()}`,
      90_000,
      async () =>
        (await leftovers()).length === 0 && (await status.get(KEY)) === undefined ? true : undefined,
      500,
    );
    const gone = Date.now() - t0;
    const removed = (await events(since))
      .filter((e) => e.type === 'service' && e.action === 'remove')
      .map((e) => e.name);
    expect(removed.sort()).toEqual([POST, PRE, WEB].sort());
    expect(await leftovers()).toEqual([]);
    console.log(`[deploy-hooks-post] stack and hooks removed ${gone} ms after the source lost it`);
  });
});
