// Drift after a leader failover: replica `a` converges 8 stacks alone and leads the Docker events
// watcher; replica `b` joins (its start-up pass shares the keys with `a`), then `a` is SIGKILLed and
// `b` takes the lease. Every stack scaled out of band afterwards must be put back by `b` within
// seconds, including the stacks that only `a` had reconciled: the leader maps events through an
// index in Redis, not through what its own process reconciled. The resync interval is one hour, so
// a periodic resync cannot be what puts them back.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import {
  StatusReader,
  cleanupSwarm,
  docker,
  labVars,
  replicaStatus,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';

const id = uniq('skfail');
const STACKS = Array.from({ length: 8 }, (_, i) => uniq(`f${i}`));
const src = tempSource('sk-failover');
const status = new StatusReader(id);
let a: ControllerProcess;
let b: ControllerProcess;

const compose = `services:
  app:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    deploy:
      replicas: 1
      endpoint_mode: dnsrr
`;

async function replicasOf(stack: string): Promise<number | undefined> {
  const out = await docker(
    'service',
    'inspect',
    `${stack}_app`,
    '--format',
    '{{.Spec.Mode.Replicated.Replicas}}',
  );
  return Number(out.trim());
}

describe('swarmkeeper run: drift after a leader failover', () => {
  beforeAll(async () => {
    const { redisUrl } = labVars();
    const opts = {
      instanceId: id,
      sources: [src.dir],
      redisUrl,
      logLevel: 'debug' as const,
      args: ['--lease-ttl', '3s', '--resync', '1h'],
    };
    a = await ControllerProcess.start({ ...opts, label: 'a' });
    await a.waitReady();
    await a.waitForLog('became leader', {}, 30_000);
    b = await ControllerProcess.start({ ...opts, label: 'b' });
    await b.waitReady();
    // Both replicas work the queue: each new stack is reconciled by whichever takes its job.
    for (const s of STACKS) {
      mkdirSync(src.path(s));
      writeFileSync(src.path(s, 'docker-compose.yml'), compose);
    }
    for (const s of STACKS)
      await waitFor(`Ready=True on ${s}\n${a.tail()}\n${b.tail()}`, 120_000, async () =>
        (await status.condition(`SwarmStack/default/${s}`, 'Ready'))?.status === 'True' ? true : undefined,
      );
  });

  afterAll(async () => {
    await killAll();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    src.remove();
  });

  it('the new leader puts back drift on every stack, whichever replica reconciled it', async () => {
    const keys = STACKS.map((s) => `SwarmStack/default/${s}`);
    const onlyA = keys.filter((k) => b.find('applied', { key: k }).length === 0);
    console.log(
      `[failover-drift] stacks only a applied before the failover: ${onlyA.length} of ${keys.length}`,
    );

    await a.kill9();
    await b.waitForLog('became leader', {}, 30_000);
    await b.waitForLog('docker events stream connected', {}, 30_000);

    const scaledAt = Date.now();
    await Promise.all(STACKS.map((s) => docker('service', 'scale', '--detach', `${s}_app=3`)));
    for (const s of STACKS)
      await waitFor(`${s}_app back to 1 replica\n${b.tail()}`, 30_000, async () =>
        (await replicasOf(s)) === 1 ? true : undefined,
      );
    const tookMs = Date.now() - scaledAt;
    console.log(
      `[failover-drift] all ${STACKS.length} stacks put back ${tookMs} ms after the out-of-band scale`,
    );
    expect(tookMs).toBeLessThan(30_000);
    const st = await replicaStatus(id);
    expect([...st.values()].every((r) => r.desired === 1)).toBe(true);
    expect(b.alive).toBe(true);
  });
});
