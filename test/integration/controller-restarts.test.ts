// `swarmkeeper run` survives its dependencies restarting, with no manual step:
//  - Redis restarted (all data lost): /readyz returns to 200 and drift is corrected again;
//  - dockerd restarted: the events stream reconnects, a full resync runs, drift is corrected again.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import {
  StatusReader,
  cleanupSwarm,
  docker,
  lab,
  labVars,
  serviceSpec,
  tempSource,
  uniq,
  waitSwarmReady,
} from './helpers/controller-swarm.js';

const id = uniq('skrst');
const STACK = uniq('r');
const KEY = `SwarmStack/default/${STACK}`;
const WEB = `${STACK}_web`;
const src = tempSource('sk-restarts');
const status = new StatusReader(id);
let ctl: ControllerProcess;

/** Scales WEB out of band and waits until the controller has put replicas back to 1. */
async function scaleIsPutBack(what: string): Promise<number> {
  await docker('service', 'update', '--detach', '--replicas', '3', WEB);
  const t0 = Date.now();
  await waitFor(`${what}: replicas of ${WEB} put back to 1\n${ctl.tail()}`, 45_000, async () =>
    (await serviceSpec(WEB))?.replicas === 1 ? true : undefined,
  );
  const ms = Date.now() - t0;
  console.log(`[controller-restarts] ${what}: out-of-band scale corrected in ${ms} ms`);
  return ms;
}

describe('swarmkeeper run: Redis and dockerd restarts', () => {
  beforeAll(async () => {
    mkdirSync(src.path(STACK));
    writeFileSync(
      src.path(STACK, 'docker-compose.yml'),
      `services:
  web:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    deploy:
      replicas: 1
      endpoint_mode: dnsrr
`,
    );
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: labVars().redisUrl,
      logLevel: 'debug',
      args: ['--lease-ttl', '3s'],
      label: 'restarts',
    });
    await waitFor(`Ready=True on ${KEY}\n${ctl.tail()}`, 60_000, async () =>
      (await status.condition(KEY, 'Ready'))?.status === 'True' ? true : undefined,
    );
    await ctl.waitForLog('docker events stream connected', { reconnect: false });
  });

  afterAll(async () => {
    await killAll();
    await waitSwarmReady(90_000).catch(() => undefined);
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    src.remove();
  });

  it('recovers from a Redis restart: /readyz is ok again and drift is corrected', async () => {
    const since = Date.now();
    await lab('redis-restart');
    await ctl.waitReady(30_000);
    const ready = JSON.parse((await ctl.get('/readyz')).body) as {
      ok: boolean;
      checks: Record<string, boolean>;
    };
    expect(ready).toEqual({
      ok: true,
      checks: { redis: true, docker: true, sources: true, ownership: true },
    });
    // Redis lost the leader lease: the process takes it again and re-follows the events stream.
    await ctl.waitForLog('became leader', {}, 30_000, since);
    await scaleIsPutBack('after a Redis restart');
    // The status lost with Redis's data is written again.
    await waitFor(`status of ${KEY} rewritten\n${ctl.tail()}`, 30_000, async () =>
      (await status.condition(KEY, 'Ready'))?.status === 'True' ? true : undefined,
    );
    expect(ctl.alive).toBe(true);
  });

  it('recovers from a dockerd restart: events reconnect, a full resync runs, drift is corrected', async () => {
    const since = Date.now();
    await lab('dockerd-restart', '1');
    await waitSwarmReady(90_000);
    const connected = await ctl.waitForLog(
      'docker events stream connected',
      { reconnect: true },
      60_000,
      since,
    );
    const resync = await ctl.waitForLog('resync enqueued', {}, 30_000, connected.time);
    expect(resync['keys']).toBeGreaterThanOrEqual(1);
    // The resync reconciles the stack (a reconcile of KEY starts after the reconnect).
    await ctl.waitForLog('reconcile start', { key: KEY }, 30_000, connected.time);
    await waitFor(`${WEB} back after the dockerd restart`, 60_000, async () =>
      (await serviceSpec(WEB)) ? true : undefined,
    );
    await scaleIsPutBack('after a dockerd restart');
    await ctl.waitReady(30_000);
    expect(ctl.alive).toBe(true);
  });
});
