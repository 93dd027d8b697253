// `swarmkeeper run --redis-url redis+sentinel://…` survives a Redis primary failure: a primary, a
// replica and three sentinels (quorum 2, down-after 1 s) on loopback, every server behind a password
// with an @ in it. The primary is SIGKILLed while a reconcile is in flight (a change was just written
// to the dir source; service updates go through a proxy that holds each one 1.5 s, so the reconcile is
// still running at the kill). The sentinels promote the replica; the controller follows it, the change
// converges, no Docker object is duplicated, a later change converges too (no lock stuck on the dead
// primary), `swarmkeeper status --redis-url redis+sentinel://…` reads the status, and the password is
// in no log line. The recovery times are printed (no timing asserts).
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../controllers/redis/redis-client.js';
import { parseRedisUrl } from '../../controllers/redis/redis-url.js';
import { startSentinelSet, type SentinelSet } from '../support/redis-sentinel.js';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import { type SlowProxy, startSlowProxy } from './helpers/controller-proxy.js';
import {
  LABEL_INSTANCE,
  type StoredStatus,
  cleanupSwarm,
  engine,
  labVars,
  serviceSpec,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';
import { show, swarmkeeper } from './helpers/run.js';

const id = uniq('sksen');
const STACKS = ['a', 'b', 'c'].map((s) => uniq(s));
const [A, B, C] = STACKS as [string, string, string];
const key = (stack: string) => `SwarmStack/default/${stack}`;
const src = tempSource('sk-sentinel');
let set: SentinelSet | undefined;
let proxy: SlowProxy | undefined;
let ctl: ControllerProcess;
let redis: Redis | undefined;

function compose(rev: number): string {
  return `configs:
  app:
    file: ./app.conf
services:
  web:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    environment:
      REV: "${rev}"
    configs:
      - source: app
        target: /app.conf
    deploy:
      replicas: 1
      endpoint_mode: dnsrr
`;
}

function writeStack(stack: string, rev: number): void {
  mkdirSync(src.path(stack), { recursive: true });
  writeFileSync(src.path(stack, 'app.conf'), `revision ${rev}\n`);
  writeFileSync(src.path(stack, 'docker-compose.yml'), compose(rev));
}

async function status(k: string): Promise<StoredStatus | undefined> {
  const v = await redis!.hget(`swarmkeeper:${id}:status`, k);
  return v ? (JSON.parse(v) as StoredStatus) : undefined;
}

const ready = async (k: string) =>
  (await status(k))?.conditions.find((c) => c.type === 'Ready')?.status === 'True';

/** The service runs with REV=rev and its Ready status was written for that desired state. */
async function converged(stack: string, rev: number, notHash?: string): Promise<true | undefined> {
  const spec = await serviceSpec(`${stack}_web`);
  if (!spec?.env.includes(`REV=${rev}`)) return undefined;
  const st = await status(key(stack));
  if (notHash !== undefined && st?.desiredHash === notHash) return undefined;
  return (await ready(key(stack))) ? true : undefined;
}

/**
 * One service per stack, and per stack as many config versions as contents were written (the
 * retention keeps two old versions): a reconcile run twice across the failover made nothing twice.
 */
async function expectObjects(configsPerStack: Record<string, number>): Promise<void> {
  const label = { label: [`${LABEL_INSTANCE}=${id}`] };
  const services = await engine().listServices({ filters: label });
  expect(services.map((x) => x.Spec?.Name).sort()).toEqual(STACKS.map((x) => `${x}_web`).sort());
  const configs = await engine().listConfigs({ filters: label });
  const count = (stack: string) => configs.filter((c) => c.Spec?.Name?.startsWith(`${stack}_`)).length;
  expect(Object.fromEntries(STACKS.map((s) => [s, count(s)]))).toEqual(configsPerStack);
}

describe('swarmkeeper run on Redis Sentinel: the primary killed mid-reconcile', () => {
  beforeAll(async () => {
    set = await startSentinelSet({ downAfterMs: 1000, failoverTimeoutMs: 3000 });
    const { dockerHost } = labVars();
    proxy = await startSlowProxy(
      dockerHost.slice('unix://'.length),
      /^POST \/services\/[^/]+\/update$/,
      1500,
    );
    for (const s of STACKS) writeStack(s, 1);
    redis = createRedis(parseRedisUrl(set.url), { maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: set.url,
      logLevel: 'debug',
      args: ['--lease-ttl', '3s'],
      env: { DOCKER_HOST: `unix://${proxy.socketPath}` },
      label: 'sentinel',
    });
    await ctl.waitReady(60_000);
    for (const s of STACKS)
      await waitFor(`Ready=True on ${key(s)}\n${ctl.tail()}`, 90_000, async () => converged(s, 1), 250);
  });

  afterAll(async () => {
    if (process.env['SK_SENTINEL_LOG'] && ctl)
      writeFileSync(process.env['SK_SENTINEL_LOG'], ctl.logs.map((l) => JSON.stringify(l)).join('\n'));
    await killAll();
    await proxy?.close();
    await cleanupSwarm(id).catch(() => undefined);
    redis?.disconnect();
    await set?.stop();
    src.remove();
  });

  it('carries on against the promoted replica: no lost reconcile, no duplicate, no stuck lock', async () => {
    const s = set!;
    expect(await s.masterPort()).toBe(s.primary.port);
    const before = (await status(key(A)))?.desiredHash;
    expect(before).toBeDefined();

    // A change, and the primary killed while its reconcile runs.
    const changedAt = Date.now();
    writeStack(A, 2);
    // The reconcile of the change has planned its update and is applying it (the proxy holds it).
    await waitFor(`${key(A)} planned its update\n${ctl.tail()}`, 30_000, () =>
      ctl
        .find('planned', { key: key(A) }, changedAt)
        .some((l) => ((l['summary'] as { update?: number } | undefined)?.update ?? 0) > 0)
        ? true
        : undefined,
    );
    await s.primary.kill9();
    const killedAt = Date.now();
    const inFlight = ctl.find('applied', { key: key(A) }, changedAt).length === 0;

    const newMaster = await waitFor('the sentinels promote the replica', 30_000, async () =>
      (await s.masterPort()) === s.replica.port ? true : undefined,
    );
    const promotedMs = Date.now() - killedAt;
    expect(newMaster).toBe(true);

    // The change converges on the new master (status written there, for the new desired state).
    await waitFor(
      `${A} converged at REV=2 after the failover\n${ctl.tail(40)}`,
      90_000,
      () => converged(A, 2, before),
      100,
    );
    const convergedMs = Date.now() - killedAt;
    expect(ctl.alive).toBe(true);
    // The controller saw the connection come back and resynced (async replication may lose jobs).
    const restored = ctl.find('redis connection restored: resyncing every key', {}, killedAt)[0];
    expect(restored).toBeDefined();
    // Recovery: kill -> the next reconcile that ended (its job, lock and status on the new master).
    const next = ctl.logs.find(
      (l) => l.msg === 'reconcile end' && l.time >= restored!.time && l['outcome'] !== 'busy',
    );
    expect(next).toBeDefined();
    console.log(
      `[redis-sentinel] primary SIGKILLed ${killedAt - changedAt} ms after the change was written ` +
        `(its reconcile ${inFlight ? 'in flight' : 'already applied'}); sentinels promoted the replica ` +
        `${promotedMs} ms after the kill; controller on the new master +${restored!.time - killedAt} ms; ` +
        `RECOVERY (kill -> next reconcile ended) ${next!.time - killedAt} ms; the change converged ` +
        `(service rolled, Ready=True written on the new master) ${convergedMs} ms after the kill; ` +
        `slow proxy ${JSON.stringify(proxy?.stats())}`,
    );

    // No duplicate Docker object: one service per stack, one config version per content written.
    await expectObjects({ [A]: 2, [B]: 1, [C]: 1 });

    // No stuck lock: a later change to A and one to B converge too.
    const [hashA, hashB] = [(await status(key(A)))?.desiredHash, (await status(key(B)))?.desiredHash];
    const later = Date.now();
    writeStack(A, 3);
    writeStack(B, 2);
    await waitFor(`${A} at REV=3 and ${B} at REV=2\n${ctl.tail(40)}`, 60_000, async () =>
      (await converged(A, 3, hashA)) && (await converged(B, 2, hashB)) ? true : undefined,
    );
    console.log(
      `[redis-sentinel] a later change (2 stacks, no failover) converged in ${Date.now() - later} ms`,
    );
    await expectObjects({ [A]: 3, [B]: 2, [C]: 1 });

    // Status readable through the CLI, over the sentinels.
    const r = await swarmkeeper({ instanceId: id }, ['status', '--redis-url', s.url, '-o', 'json']);
    expect(r.code, show(r)).toBe(0);
    const rows = (JSON.parse(r.stdout) as { resources: { resource: string; ready?: string }[] }).resources;
    expect(rows.filter((x) => STACKS.map(key).includes(x.resource)).map((x) => x.ready)).toEqual([
      'True',
      'True',
      'True',
    ]);

    // The password is in no log line (JSON or raw), plain or percent-encoded.
    const all = [...ctl.logs.map((l) => JSON.stringify(l)), ...ctl.raw, r.stdout, r.stderr].join('\n');
    expect(all).not.toContain(s.password);
    expect(all).not.toContain(encodeURIComponent(s.password));
    expect(ctl.find('swarmkeeper controller starting')[0]?.['redis']).toMatch(
      /^redis\+sentinel:\/\/:\*\*\*@127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\/skm$/,
    );
  });
});
