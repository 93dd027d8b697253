/**
 * Recovery of `swarmkeeper run` from a Redis primary failure under Redis Sentinel, side by side with
 * the sentinels' own failover time. Each round: a fresh primary, replica and three sentinels on
 * loopback (test/support/redis-sentinel.ts: quorum 2, down-after 1 s, failover-timeout 3 s), a
 * controller on `--redis-url redis+sentinel://…` with a dir source of 3 one-service stacks (replicas 0,
 * so no container starts: the figure is Redis's and the controller's, not dockerd's). A change is
 * written to one stack and the primary is SIGKILLed at once; measured from the kill:
 *   - promotion: a sentinel reports the replica as master (Redis's own share);
 *   - recovery: the change is in the service's spec AND its Ready status for the new desired state
 *     is on the new master (the controller's next reconcile after the failover completed).
 *
 *   DOCKER_HOST=unix://… npx tsx bench/redis-failover.ts      (FAILOVER_ROUNDS=3)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRedis } from '../controllers/redis/redis-client.js';
import { parseRedisUrl } from '../controllers/redis/redis-url.js';
import { startSentinelSet } from '../test/support/redis-sentinel.js';
import {
  dockerFor,
  figure,
  info,
  ms,
  pollUntil,
  printHeader,
  removeOwned,
  runId,
  tempDir,
} from './lib/common.js';
import { ControllerChild } from './lib/controller-child.js';

const ROUNDS = Number(process.env['FAILOVER_ROUNDS'] ?? 3);
const STACKS = 3;

function compose(stack: string, rev: number): string {
  return [
    `name: ${stack}`,
    'services:',
    '  app:',
    '    image: local/busybox:1',
    '    command: ["sleep", "1000000"]',
    '    environment:',
    `      REV: "${rev}"`,
    '    deploy:',
    '      replicas: 0',
    '      endpoint_mode: dnsrr',
    '',
  ].join('\n');
}

interface Round {
  promotionMs: number;
  recoveryMs: number;
}

async function round(i: number, dockerHost: string): Promise<Round> {
  const docker = dockerFor(dockerHost.slice('unix://'.length));
  const id = runId('skf');
  const src = tempDir('sk-failover');
  const stacks = Array.from({ length: STACKS }, (_, k) => `${id}s${k}`);
  const write = (stack: string, rev: number) => {
    mkdirSync(join(src.path, stack), { recursive: true });
    writeFileSync(join(src.path, stack, 'docker-compose.yml'), compose(stack, rev));
  };
  for (const s of stacks) write(s, 1);
  const logs = tempDir('sk-failover-log');
  let ok = false;
  const set = await startSentinelSet();
  const redis = createRedis(parseRedisUrl(set.url), { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  let ctl: ControllerChild | undefined;
  try {
    ctl = await ControllerChild.start({
      instanceId: id,
      sourceDir: src.path,
      redisUrl: set.url,
      dockerHost,
      logFile: join(logs.path, 'controller.log'),
    });
    const status = async (stack: string) => {
      const v = await redis.hget(`swarmkeeper:${id}:status`, `SwarmStack/default/${stack}`);
      return v
        ? (JSON.parse(v) as { desiredHash?: string; conditions: { type: string; status: string }[] })
        : undefined;
    };
    const ready = async (stack: string) =>
      (await status(stack))?.conditions.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    for (const s of stacks)
      await pollUntil(`${s} Ready`, async () => ((await ready(s)) ? true : undefined), { timeoutMs: 60_000 });
    const target = stacks[0]!;
    const before = (await status(target))?.desiredHash;
    write(target, 2);
    await set.primary.kill9();
    const killedAt = Date.now();
    const promoted = pollUntil(
      'the replica promoted',
      async () => ((await set.masterPort()) === set.replica.port ? Date.now() - killedAt : undefined),
      { timeoutMs: 60_000, everyMs: 20 },
    );
    const recovered = pollUntil(
      `${target} converged on the new master`,
      async () => {
        const [svc] = await docker.listServices({ filters: { name: [`${target}_app`] } });
        const env = (svc?.Spec?.TaskTemplate as { ContainerSpec?: { Env?: string[] } } | undefined)
          ?.ContainerSpec?.Env;
        if (!env?.includes('REV=2')) return undefined;
        const st = await status(target);
        if (!st || st.desiredHash === before) return undefined;
        return (await ready(target)) ? Date.now() - killedAt : undefined;
      },
      { timeoutMs: 90_000, everyMs: 20 },
    );
    const r = { promotionMs: await promoted, recoveryMs: await recovered };
    info(`round ${i}: promotion ${ms(r.promotionMs)}, recovery ${ms(r.recoveryMs)}`);
    ok = true;
    return r;
  } finally {
    await ctl?.stop();
    redis.disconnect();
    await set.stop();
    await removeOwned(docker, id);
    src.remove();
    if (ok) logs.remove();
    else info(`kept the controller log: ${join(logs.path, 'controller.log')}`);
  }
}

async function main(): Promise<void> {
  const dockerHost = process.env['DOCKER_HOST'] ?? '';
  if (!dockerHost.startsWith('unix://')) {
    process.stderr.write('bench: set DOCKER_HOST=unix:///path/docker.sock (e.g. from `test/lab/lab up`)\n');
    process.exit(2);
  }
  await printHeader(
    'Redis Sentinel failover: primary SIGKILLed right after a change',
    dockerFor(dockerHost.slice(7)),
  );
  const rounds: Round[] = [];
  for (let i = 1; i <= ROUNDS; i += 1) rounds.push(await round(i, dockerHost));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const rec = rounds.map((r) => r.recoveryMs);
  const pro = rounds.map((r) => r.promotionMs);
  figure(
    `redis failover: kill -> change converged on the new master, median ${ms(median(rec))} ` +
      `(min ${ms(Math.min(...rec))}, max ${ms(Math.max(...rec))}, n=${rounds.length}) vs the sentinels' ` +
      `promotion alone median ${ms(median(pro))} (min ${ms(Math.min(...pro))}, max ${ms(Math.max(...pro))})`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
