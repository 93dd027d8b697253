/**
 * Commit-to-converged latency of a git source (`swarmkeeper run --source git=...`, a real child
 * process on the compiled dist/) for a one-service change: the bench commits a new environment
 * value to a real git repository (file://) and measures from the end of `git push` until
 * `GET /services/{name}` shows the new value in the Spec (polled every 20 ms).
 *
 * - webhook path: interval 10m, and a GitHub-signed push webhook sent right after the push
 *   (the latency includes the webhook request). Target: < 3 s.
 *   Then, with the controller stopped, Swarm's own time for the same change: the Env changed
 *   through the Engine API (`docker service update --env-add`) until the Spec shows it.
 * - poll path: no webhook, interval GITOPS_POLL_INTERVAL (default 5s); each commit is made at a random
 *   phase of the poll cycle, so expect about half the interval (at most the interval) plus the apply.
 *
 *   npm run build && npx tsx bench/gitops-latency.ts     (GITOPS_N=5 GITOPS_POLL_INTERVAL=5s GITOPS_PATHS=webhook,poll)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDurationMs } from '../reconciler/units/duration.js';
import { GitFixture, githubPushPayload, githubSignature } from '../test/support/git-fixture.js';
import {
  benchEnv,
  deleteRedisKeys,
  dockerFor,
  figure,
  info,
  inspectService,
  ms,
  pollUntil,
  printHeader,
  removeOwned,
  runId,
  tempDir,
  updateService,
} from './lib/common.js';

/** The part of a service's Spec this bench edits. */
type EnvSpec = { TaskTemplate: { ContainerSpec: { Env?: string[] } } };
import { freePort } from './lib/controller-child.js';

const N = Number(process.env['GITOPS_N'] ?? 5);
const POLL_INTERVAL = process.env['GITOPS_POLL_INTERVAL'] ?? '5s';
/** Which paths to measure (comma-separated): webhook, poll. */
const PATHS = (process.env['GITOPS_PATHS'] ?? 'webhook,poll').split(',');
const SECRET = `bench-${Math.random().toString(36).slice(2)}`;

function compose(v: number): string {
  return `services:
  app:
    image: local/busybox:1
    command: [sh, -c, 'exec sleep 100000']
    stop_grace_period: 1s
    environment:
      V: "${v}"
    deploy:
      endpoint_mode: dnsrr
`;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Controller {
  proc: ChildProcess;
  port: number;
}

async function startController(
  id: string,
  source: string,
  secretFile: string,
  workDir: string,
  logFile: string,
): Promise<Controller> {
  const env = benchEnv();
  const port = await freePort();
  const fd = openSync(logFile, 'a');
  const proc = spawn(
    process.execPath,
    [
      'bin/swarmkeeper.js',
      '--instance-id',
      id,
      '--log-level',
      'info',
      'run',
      '--source',
      source,
      '--redis-url',
      env.redisUrl,
      '--listen',
      `127.0.0.1:${port}`,
      '--webhook-secret-file',
      secretFile,
      '--work-dir',
      workDir,
    ],
    { env: { ...process.env, DOCKER_HOST: env.dockerHost }, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  await pollUntil(
    'the controller /readyz',
    async () => {
      if (proc.exitCode !== null) throw new Error(`controller exited with ${proc.exitCode}; see ${logFile}`);
      const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      return r?.status === 200 ? true : undefined;
    },
    { timeoutMs: 60_000, everyMs: 100 },
  );
  return { proc, port };
}

async function stop(c: Controller): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.pid === undefined) return;
  const exited = new Promise((r) => c.proc.once('exit', r));
  process.kill(c.proc.pid, 'SIGTERM');
  await exited;
}

async function measure(path: 'webhook' | 'poll'): Promise<{ samples: number[]; swarm: number[] }> {
  const env = benchEnv();
  const docker = dockerFor(env.socketPath);
  const id = runId('skbg');
  const dir = tempDir(`skbench-gitops-${path}`);
  const repo = new GitFixture('bench');
  const secretFile = join(dir.path, 'secret');
  writeFileSync(secretFile, SECRET, { mode: 0o600 });
  const logFile = join(dir.path, 'controller.log');
  const interval = path === 'webhook' ? '10m' : POLL_INTERVAL;
  const name = `${id}_app`;
  const envOf = async () =>
    (await inspectService<EnvSpec>(docker, name).catch(() => undefined))?.Spec.TaskTemplate.ContainerSpec
      .Env ?? [];
  let ctl: Controller | undefined;
  let ok = false;
  const samples: number[] = [];
  const swarm: number[] = [];
  try {
    repo.commit({ [`${id}/docker-compose.yml`]: compose(0) });
    repo.push();
    ctl = await startController(
      id,
      `git=${repo.fileUrl},branch=main,interval=${interval},name=bench`,
      secretFile,
      join(dir.path, 'git'),
      logFile,
    );
    await pollUntil('the first deploy', async () => ((await envOf()).includes('V=0') ? true : undefined), {
      timeoutMs: 60_000,
      everyMs: 100,
    });
    const intervalMs = parseDurationMs(interval);
    for (let i = 1; i <= N; i++) {
      // Poll path: commit at a random phase of the poll cycle (else every commit lands just after a poll).
      if (path === 'poll') await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
      const sha = repo.commit({ [`${id}/docker-compose.yml`]: compose(i) });
      repo.push();
      const t0 = performance.now();
      if (path === 'webhook') {
        const body = githubPushPayload(repo.fileUrl, sha);
        const r = await fetch(`http://127.0.0.1:${ctl.port}/hooks/git`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'push',
            'x-hub-signature-256': githubSignature(SECRET, body),
          },
          body,
        });
        if (r.status !== 202) throw new Error(`webhook answered ${r.status}`);
      }
      const t1 = await pollUntil(
        `V=${i}`,
        async () => ((await envOf()).includes(`V=${i}`) ? performance.now() : undefined),
        { timeoutMs: 120_000, everyMs: 20 },
      );
      samples.push(t1 - t0);
      info(`${path} run ${i}: ${ms(t1 - t0)}`);
    }
    if (path === 'webhook') {
      // Swarm's own time for the same change: the controller stopped (it would put the value back),
      // the Env changed through the Engine API (`docker service update --env-add`), until the Spec shows it.
      await stop(ctl);
      for (let i = 1; i <= N; i++) {
        // the rollout of the previous update bumps the version too: read it again when it moved
        let t0 = 0;
        for (let attempt = 0; ; attempt++) {
          const sent = await updateService<EnvSpec>(docker, name, (spec) => {
            const c = spec.TaskTemplate.ContainerSpec;
            c.Env = [...(c.Env ?? []).filter((e) => !e.startsWith('V=')), `V=swarm${i}`];
          }).then(
            (t) => t.sent,
            (e: unknown) => {
              if (attempt < 10 && /out of sequence/.test(String((e as Error).message))) return undefined;
              throw e;
            },
          );
          if (sent !== undefined) {
            t0 = sent;
            break;
          }
        }
        const t1 = await pollUntil(
          `V=swarm${i}`,
          async () => ((await envOf()).includes(`V=swarm${i}`) ? performance.now() : undefined),
          { timeoutMs: 60_000, everyMs: 20 },
        );
        swarm.push(t1 - t0);
        info(`swarm's own update ${i}: ${ms(t1 - t0)}`);
      }
    }
    ok = true;
  } finally {
    if (ctl) await stop(ctl);
    await removeOwned(docker, id).catch((e: unknown) => info(`cleanup failed: ${(e as Error).message}`));
    await deleteRedisKeys(env.redisUrl, `swarmkeeper:${id}:*`);
    repo.remove();
    if (ok) dir.remove();
    else info(`kept ${dir.path} (controller log: ${logFile})`);
  }
  return { samples, swarm };
}

async function main(): Promise<void> {
  const env = benchEnv();
  await printHeader(
    'git source commit-to-converged latency (bench/gitops-latency.ts)',
    dockerFor(env.socketPath),
  );
  if (PATHS.includes('webhook')) {
    const { samples: webhook, swarm } = await measure('webhook');
    figure(
      `gitops webhook path: median ${ms(median(webhook))} (n=${webhook.length}, max ${ms(Math.max(...webhook))}; target < 3 s)`,
    );
    figure(
      `swarm's own update to Spec (POST /services/{id}/update, then the same 20 ms poll): median ${ms(median(swarm))} (n=${swarm.length}); added by swarmkeeper: ${ms(median(webhook) - median(swarm))}`,
    );
  }
  if (PATHS.includes('poll')) {
    const { samples: poll } = await measure('poll');
    figure(
      `gitops poll path (interval ${POLL_INTERVAL}): median ${ms(median(poll))} (n=${poll.length}, max ${ms(Math.max(...poll))})`,
    );
  }
}

await main();
