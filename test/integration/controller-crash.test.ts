// Two `swarmkeeper run` replicas (same instance id, Redis and dir source): one is SIGKILLed while it
// applies a 10-service stack; the survivor finishes the stack (after the dead worker's job lock
// lapses, ~10 s) with no duplicate service or network. Both replicas talk to dockerd through a proxy
// that forwards service creates one at a time, 400 ms apart (a slow engine), so that "mid-apply"
// (1..9 of the 10 services exist) lasts long enough to be seen and acted on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import { type SlowProxy, startSlowProxy } from './helpers/controller-proxy.js';
import {
  LABEL_INSTANCE,
  StatusReader,
  cleanupSwarm,
  docker,
  engine,
  labVars,
  replicaStatus,
  serviceSpec,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';

const id = uniq('skcrash');
const STACK = uniq('c');
const KEY = `SwarmStack/default/${STACK}`;
const N = 10;
const src = tempSource('sk-crash');
const status = new StatusReader(id);
let a: ControllerProcess;
let b: ControllerProcess;
let proxy: SlowProxy | undefined;

function bigStack(): string {
  const svc = (i: number) => `  s${i}:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    deploy:
      replicas: 1
      endpoint_mode: dnsrr
`;
  return `services:\n${Array.from({ length: N }, (_, i) => svc(i)).join('')}`;
}

async function ownedServiceCount(): Promise<number> {
  return (await engine().listServices({ filters: { label: [`${LABEL_INSTANCE}=${id}`] } })).length;
}

describe('swarmkeeper run: a replica killed mid-apply', () => {
  beforeAll(async () => {
    const { redisUrl, dockerHost } = labVars();
    proxy = await startSlowProxy(dockerHost.slice('unix://'.length), /^POST \/services\/create$/, 400);
    const opts = {
      instanceId: id,
      sources: [src.dir],
      redisUrl,
      logLevel: 'debug' as const,
      args: ['--lease-ttl', '3s'],
      env: { DOCKER_HOST: `unix://${proxy.socketPath}` },
    };
    a = await ControllerProcess.start({ ...opts, label: 'a' });
    b = await ControllerProcess.start({ ...opts, label: 'b' });
    await Promise.all([a.waitReady(), b.waitReady()]);
    await waitFor('one leader', 15_000, () =>
      a.find('became leader').length + b.find('became leader').length > 0 ? true : undefined,
    );
  });

  afterAll(async () => {
    await killAll();
    await proxy?.close();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    src.remove();
  });

  it('the survivor converges the stack with no duplicates', async () => {
    mkdirSync(src.path(STACK));
    writeFileSync(src.path(STACK, 'docker-compose.yml'), bigStack());

    // Mid-apply: some but not all of the services exist.
    const seen = await waitFor(
      `1..${N - 1} services of ${STACK} to exist\n${a.tail()}\n${b.tail()}`,
      60_000,
      async () => {
        const n = await ownedServiceCount();
        return n >= 1 && n < N ? n : undefined;
      },
      20,
    );
    const applying = [a, b].find((c) => c.find('reconcile start', { key: KEY }).length > 0);
    const leader = [a, b].find((c) => c.find('became leader').length > 0);
    const victim = applying ?? leader ?? a;
    const survivor = victim === a ? b : a;
    await victim.kill9();
    const killedAt = Date.now();
    const atKill = await ownedServiceCount();
    const why = applying
      ? 'it logged reconcile start for the key'
      : leader
        ? 'it was the leader'
        : 'fallback';
    console.log(
      `[controller-crash] killed ${victim.label} (pid ${victim.pid}; ${why}; leader: ${leader?.label ?? 'none'}) ` +
        `with ${seen} service(s) seen, ${atKill} present right after the kill`,
    );
    expect(atKill).toBeLessThan(N);

    // The survivor finishes the job: every service exists and runs its one replica.
    await waitFor(
      `${N} services with 1/1 replicas\n${survivor.tail()}`,
      90_000,
      async () => {
        const st = await replicaStatus(id);
        const ok = [...st.values()].filter((r) => r.desired === 1 && r.running === 1).length;
        return st.size === N && ok === N ? true : undefined;
      },
      250,
    );
    const convergedMs = Date.now() - killedAt;
    console.log(`[controller-crash] slow proxy: ${JSON.stringify(proxy?.stats())}`);
    console.log(
      `[controller-crash] survivor ${survivor.label} converged the stack ${convergedMs} ms after the kill`,
    );
    await waitFor(`Ready=True on ${KEY}\n${survivor.tail()}`, 30_000, async () =>
      (await status.condition(KEY, 'Ready'))?.status === 'True' ? true : undefined,
    );
    expect(survivor.alive).toBe(true);
    expect(survivor.find('applied', { key: KEY }).some((l) => l.time >= killedAt)).toBe(true);

    // No duplicates: every name exists once (services and networks).
    const d = engine();
    const services = (await d.listServices())
      .map((s) => s.Spec?.Name ?? '')
      .filter((n) => n.startsWith(`${STACK}_`));
    expect(services.sort()).toEqual(Array.from({ length: N }, (_, i) => `${STACK}_s${i}`).sort());
    const networks = (await d.listNetworks()).map((n) => n.Name).filter((n) => n.startsWith(`${STACK}_`));
    expect(networks).toEqual([`${STACK}_default`]);

    // The survivor holds the events lease (taken over if the victim had it) and corrects drift.
    await survivor.waitForLog('became leader', {}, 15_000);
    await docker('service', 'update', '--detach', '--replicas', '2', `${STACK}_s0`);
    const t0 = Date.now();
    await waitFor(
      `${STACK}_s0 scaled back to 1 by ${survivor.label}\n${survivor.tail()}`,
      30_000,
      async () => ((await serviceSpec(`${STACK}_s0`))?.replicas === 1 ? true : undefined),
    );
    console.log(`[controller-crash] survivor corrected an out-of-band scale in ${Date.now() - t0} ms`);
  });
});
