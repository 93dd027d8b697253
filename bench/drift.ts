/**
 * Drift-correction latency of `swarmkeeper run` (a real child process): a stack with one service
 * is applied by the controller; then N times, the bench changes the service's replicas out of
 * band through the Docker API and measures from the moment that update call returned until
 * `GET /services/{id}` shows the desired Spec again (polled every DRIFT_POLL_MS).
 *
 * The service has an unsatisfiable placement constraint, so a drifted replica stays a pending
 * task: no container starts or stops, and the figure is the controller's latency, not dockerd's.
 *
 *   npx tsx bench/drift.ts            (DRIFT_N=40 DRIFT_POLL_MS=10 DRIFT_GAP_MS=250)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchEnv,
  deleteRedisKeys,
  dockerFor,
  figure,
  info,
  ms,
  percentile,
  pollUntil,
  printHeader,
  removeOwned,
  runId,
  tempDir,
  inspectService,
  updateService,
} from './lib/common.js';
import { ControllerChild } from './lib/controller-child.js';

const N = Number(process.env['DRIFT_N'] ?? 40);
const WARMUP = 3;
const POLL_MS = Number(process.env['DRIFT_POLL_MS'] ?? 10);
const GAP_MS = Number(process.env['DRIFT_GAP_MS'] ?? 250);
const DESIRED = 0;

function composeFile(stack: string): string {
  return [
    `name: ${stack}`,
    'services:',
    '  app:',
    '    image: local/busybox:1',
    '    command: ["sleep", "1000000"]',
    '    deploy:',
    `      replicas: ${DESIRED}`,
    '      endpoint_mode: dnsrr',
    '      placement:',
    '        constraints: ["node.labels.skbench == never"]',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const env = benchEnv();
  const docker = dockerFor(env.socketPath);
  await printHeader('drift-correction latency (bench/drift.ts)', docker);
  const id = runId('skbd');
  const dir = tempDir('skbench-drift');
  const src = join(dir.path, 'stacks');
  mkdirSync(src);
  writeFileSync(join(src, `${id}.yml`), composeFile(id));
  const logFile = join(dir.path, 'controller.log');
  let child: ControllerChild | undefined;
  let ok = false;
  try {
    child = await ControllerChild.start({
      instanceId: id,
      sourceDir: src,
      redisUrl: env.redisUrl,
      dockerHost: env.dockerHost,
      logFile,
    });
    info(`controller: ${child.command} (pid ${child.pid})`);
    const name = `${id}_app`;
    const inspect = () => inspectService(docker, name);
    await pollUntil(
      'the controller to create the service',
      () =>
        inspect().then(
          () => true,
          () => undefined,
        ),
      {
        timeoutMs: 60_000,
        everyMs: 100,
      },
    );
    await pollUntil('the first reconcile', async () => ((await child!.successes()) >= 1 ? true : undefined), {
      timeoutMs: 60_000,
    });
    const samples: number[] = [];
    let timeouts = 0;
    for (let i = 0; i < N + WARMUP; i++) {
      const { returned: t0 } = await updateService(docker, name, (spec) => {
        spec.Mode = { Replicated: { Replicas: DESIRED + 1 + (i % 3) } };
      });
      const back = await pollUntil(
        'the desired replicas',
        async () =>
          (await inspect()).Spec.Mode?.Replicated?.Replicas === DESIRED ? performance.now() : undefined,
        { timeoutMs: 30_000, everyMs: POLL_MS },
      ).catch(() => undefined);
      if (back === undefined) timeouts++;
      else if (i >= WARMUP) samples.push(back - t0);
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    samples.sort((a, b) => a - b);
    const m = await child.metrics();
    const corrections = [...m].filter(([k]) => k.startsWith('swarmkeeper_drift_corrections_total'));
    info(
      `drift corrections counted by the controller: ${corrections.map(([, v]) => v).reduce((a, b) => a + b, 0)}`,
    );
    info(`min ${ms(samples[0]!)}, max ${ms(samples[samples.length - 1]!)}, timeouts ${timeouts} (30 s each)`);
    figure(
      `drift p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))} (n=${samples.length}, poll ${POLL_MS} ms)`,
    );
    ok = true;
  } finally {
    if (child) info(`controller stopped (exit ${String(await child.stop())})`);
    await removeOwned(docker, id).catch((e: unknown) => info(`cleanup failed: ${(e as Error).message}`));
    await deleteRedisKeys(env.redisUrl, `swarmkeeper:${id}:*`);
    if (ok) dir.remove();
    else info(`kept ${dir.path} (controller log: ${logFile})`);
  }
}

await main();
