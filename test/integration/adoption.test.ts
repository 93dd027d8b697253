/**
 * ADOPTION: a stack created by `docker stack deploy` is taken over by `swarmkeeper apply --adopt`
 * without a task restart. Without --adopt, plan reports blocked ownership conflicts and apply writes nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_INSTANCE, LABEL_OWNER } from '../../reconciler/model/ownership.js';
import { docker, dockerJSON, idsByLabel, pollUntil, swarmkeeper } from './fidelity/support/cli.js';
import { removeStacks } from './fidelity/support/stack.js';

const RUN = randomBytes(3).toString('hex');
const INSTANCE = `adoption-${RUN}`;
const STACK = `adopt${RUN}`;
const TMP = mkdtempSync(join(tmpdir(), 'sk-adoption-'));
const DIR = join(TMP, STACK);
const FILE = join(DIR, 'docker-compose.yml');

const COMPOSE = `version: "3.8"
services:
  web:
    image: local/busybox:1
    command: ["httpd", "-f", "-p", "8080"]
    environment: {MODE: adopt-me}
    networks:
      default: {}
      backend:
        aliases: [frontend]
    stop_grace_period: 1s
    deploy:
      replicas: 2
      endpoint_mode: dnsrr
      labels: {com.example.tier: web}
  worker:
    image: local/busybox:1
    command: ["sh", "-c", "exec sleep 100000"]
    networks: [backend]
    stop_signal: SIGKILL
    deploy:
      endpoint_mode: dnsrr
networks:
  backend:
    attachable: true
`;

type Obj = Record<string, unknown>;
interface Service {
  ID: string;
  Version: { Index: number };
  Spec: { Name: string; Labels?: Record<string, string>; Mode: { Replicated?: { Replicas: number } } };
  UpdateStatus?: { State?: string };
}
interface Task {
  ID: string;
  DesiredState: string;
  Status: { State: string; ContainerStatus?: { ContainerID?: string } };
}

async function services(): Promise<Service[]> {
  const ids = await idsByLabel('service', `com.docker.stack.namespace=${STACK}`);
  return ids.length === 0 ? [] : dockerJSON<Service[]>(['service', 'inspect', ...ids]);
}

async function tasks(): Promise<Task[]> {
  const ids = (await docker(['stack', 'ps', '-q', '--no-trunc', STACK])).stdout.split('\n').filter(Boolean);
  return dockerJSON<Task[]>(['inspect', '--type', 'task', ...ids]);
}

/** Task ID -> container ID, for every task of the stack (history included). */
async function taskContainers(): Promise<Map<string, string>> {
  return new Map((await tasks()).map((t) => [t.ID, t.Status.ContainerStatus?.ContainerID ?? '']));
}

const versions = async (): Promise<Map<string, number>> =>
  new Map((await services()).map((s) => [s.Spec.Name, s.Version.Index]));

const sk = (...args: string[]) => swarmkeeper(INSTANCE, args);

beforeAll(async () => {
  if (!process.env.DOCKER_HOST)
    throw new Error('DOCKER_HOST is not set (the integration globalSetup sets it)');
  mkdirSync(DIR);
  writeFileSync(FILE, COMPOSE);
  await docker(['stack', 'deploy', '--resolve-image', 'never', '-c', FILE, STACK]);
  // Every replica running (3 tasks), so that the task set is stable before we compare it.
  await pollUntil('3 running tasks', 60_000, async () => {
    const running = (await tasks()).filter(
      (t) => t.DesiredState === 'running' && t.Status.State === 'running',
    );
    return running.length === 3 ? true : undefined;
  });
});

afterAll(async () => {
  await removeStacks([STACK]);
  rmSync(TMP, { recursive: true, force: true });
});

describe('adopting a docker stack deploy stack', () => {
  it('without --adopt: plan shows blocked ownership conflicts (exit 2) and apply writes nothing', async () => {
    const before = await versions();
    const plan = await sk('plan', '-f', FILE, '-o', 'json');
    expect(plan.code, plan.stderr).toBe(2);
    const out = JSON.parse(plan.stdout) as {
      pending: boolean;
      resources: { plan: { actions: Obj[]; blocked: Obj[] } }[];
    };
    expect(out.pending).toBe(true);
    const blocked = out.resources.flatMap((r) => r.plan.blocked);
    expect(blocked.map((b) => b['name']).sort()).toEqual(
      expect.arrayContaining([`${STACK}_web`, `${STACK}_worker`]),
    );
    // Nothing may be written to objects that docker stack deploy owns.
    expect(out.resources.flatMap((r) => r.plan.actions).filter((a) => a['op'] !== 'create')).toEqual([]);

    const text = await sk('plan', '-f', FILE);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/blocked service .*_web/);

    // apply reports the conflicts, exits 1 (the stack is not converged) and writes nothing.
    const apply = await sk('apply', '-f', FILE);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(new RegExp(`service ${STACK}_web exists and is not owned`));
    expect(await versions()).toEqual(before);
    for (const s of await services()) expect(s.Spec.Labels?.[LABEL_OWNER]).toBeUndefined();
  });

  it('with --adopt: the plan changes only labels, and apply restarts no task', async () => {
    const plan = await sk('plan', '-f', FILE, '--adopt', '-o', 'json');
    expect(plan.code, plan.stderr).toBe(2);
    const out = JSON.parse(plan.stdout) as { resources: { plan: { actions: Obj[]; blocked: Obj[] } }[] };
    const actions = out.resources.flatMap((r) => r.plan.actions);
    expect(out.resources.flatMap((r) => r.plan.blocked)).toEqual([]);
    const updates = actions.filter((a) => a['op'] === 'update');
    expect(updates.map((a) => a['name']).sort()).toEqual([`${STACK}_web`, `${STACK}_worker`]);
    for (const a of updates) {
      expect(a['labelsOnly'], `${String(a['name'])} labelsOnly`).toBe(true);
      const paths = (a['changes'] as { path: string }[]).map((c) => c.path);
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) expect(p, `${String(a['name'])} change`).toMatch(/^Labels(\.|\[|$)/);
    }
    expect(actions.filter((a) => a['op'] !== 'update')).toEqual([]);

    const before = await taskContainers();
    const apply = await sk('apply', '-f', FILE, '--adopt');
    expect(apply.code, `${apply.stdout}\n${apply.stderr}`).toBe(0);

    const after = await services();
    for (const s of after) {
      expect(s.Spec.Labels?.[LABEL_OWNER], s.Spec.Name).toBe(`SwarmStack/default/${STACK}`);
      expect(s.Spec.Labels?.[LABEL_INSTANCE], s.Spec.Name).toBe(INSTANCE);
      expect(s.UpdateStatus?.State ?? 'none', `${s.Spec.Name} rolling update`).toBe('none');
    }
    expect(await taskContainers()).toEqual(before);

    // Networks cannot be relabelled, so they stay unowned; being the same stack's and equal, they are
    // used as they are. Once adopted, a plain plan has nothing left to do.
    const again = await sk('plan', '-f', FILE);
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(await taskContainers()).toEqual(before);
  });
});
