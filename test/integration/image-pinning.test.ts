/**
 * IMAGE PINNING against the lab registry (added to the shared lab when it has none): `swarmkeeper apply` pins a tag to its
 * digest exactly as `docker stack deploy` (default --resolve-image always) does; re-applying plans
 * nothing; adopting a stack docker pinned restarts nothing; a registry that is down changes nothing
 * and is reported with docker's warning; a new digest behind the tag is an image update.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labRegistry, labUp } from '../lab/lab.js';
import {
  docker,
  dockerJSON,
  idsByLabel,
  pollUntil,
  stackDeploy,
  swarmkeeper,
} from './fidelity/support/cli.js';
import { compareStacks } from './fidelity/support/compare.js';
import { removeStacks, snapshot } from './fidelity/support/stack.js';

const lab = inject('lab');
const RUN = randomBytes(3).toString('hex');
const INSTANCE = `pinning-${RUN}`;
const TMP = mkdtempSync(join(tmpdir(), 'sk-pinning-'));
let IMAGE = '';
const DOCKER_STACK = `pind${RUN}`;
const SK_STACK = `pins${RUN}`;

const compose = (env = 'one'): string => `services:
  app:
    image: ${IMAGE}
    command: ["sh", "-c", "exec sleep 100000"]
    environment: {MODE: ${env}}
    stop_signal: SIGKILL
    deploy: {endpoint_mode: dnsrr}
  local:
    image: local/busybox:1
    command: ["sh", "-c", "exec sleep 100000"]
    stop_signal: SIGKILL
    deploy: {endpoint_mode: dnsrr}
`;

const fileOf = (stack: string) => join(TMP, stack, 'docker-compose.yml');
const warningFor = (image: string) =>
  `image ${image} could not be accessed on a registry to record\nits digest. Each node will access ${image} independently,\npossibly leading to different nodes running different\nversions of the image.`;

interface Service {
  ID: string;
  Version: { Index: number };
  Spec: { Name: string; TaskTemplate: { ContainerSpec: { Image: string } } };
}

async function services(stack: string): Promise<Service[]> {
  const ids = await idsByLabel('service', `com.docker.stack.namespace=${stack}`);
  return ids.length === 0 ? [] : dockerJSON<Service[]>(['service', 'inspect', ...ids]);
}
const imageOf = async (stack: string, svc: string) =>
  (await services(stack)).find((s) => s.Spec.Name === `${stack}_${svc}`)?.Spec.TaskTemplate.ContainerSpec
    .Image;
const versions = async (stack: string) =>
  Object.fromEntries((await services(stack)).map((s) => [s.Spec.Name, s.Version.Index]));

/** Running task id -> container id of a stack, once every service runs one task. */
async function runningTasks(stack: string): Promise<Record<string, string>> {
  return pollUntil(`running tasks of ${stack}`, 60_000, async () => {
    const ids = (await docker(['stack', 'ps', '-q', '--no-trunc', stack])).stdout.split('\n').filter(Boolean);
    const tasks = await dockerJSON<
      {
        ID: string;
        DesiredState: string;
        Status: { State: string; ContainerStatus?: { ContainerID?: string } };
      }[]
    >(['inspect', '--type', 'task', ...ids]);
    const running = tasks.filter((t) => t.DesiredState === 'running' && t.Status.State === 'running');
    return running.length === 2
      ? Object.fromEntries(running.map((t) => [t.ID, t.Status.ContainerStatus?.ContainerID ?? '']))
      : undefined;
  });
}

/** Pushes a new image under IMAGE; returns its digest. */
async function push(label: string): Promise<string> {
  const ctx = join(TMP, `build-${label}`);
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), `FROM local/busybox:1\nLABEL pin.test=${label}\n`);
  await docker(['build', '-q', '-t', IMAGE, ctx]);
  const out = (await docker(['push', IMAGE])).stdout;
  const m = /digest: (sha256:[0-9a-f]{64})/.exec(out);
  if (!m?.[1]) throw new Error(`no digest in docker push output:\n${out}`);
  return m[1];
}

let digest1 = '';

beforeAll(async () => {
  // `lab up` of the same shape only adds what is missing: here the registry
  const registry =
    lab.registry ??
    (
      await labUp({
        name: lab.name,
        nodes: lab.nodes.filter((n) => n.role !== 'none').length,
        managers: lab.nodes.filter((n) => n.role === 'manager').length,
        registry: true,
      })
    ).registry;
  if (!registry) throw new Error('lab up --registry gave no REGISTRY');
  IMAGE = `${registry}/pin${RUN}/app:1`;
  for (const s of [DOCKER_STACK, SK_STACK]) {
    mkdirSync(join(TMP, s));
    writeFileSync(fileOf(s), compose());
  }
  digest1 = await push('one');
}, 120_000);

afterAll(async () => {
  await labRegistry('start', { name: lab.name }).catch(() => undefined);
  await removeStacks([DOCKER_STACK, SK_STACK]);
  await docker(['image', 'rm', '-f', IMAGE], true);
  rmSync(TMP, { recursive: true, force: true });
});

describe('image digest pinning', () => {
  it('pins the tag to its digest exactly as docker stack deploy (default resolve-image) does', async () => {
    await stackDeploy(fileOf(DOCKER_STACK), DOCKER_STACK, 'always');
    const r = await swarmkeeper(INSTANCE, ['apply', '-f', fileOf(SK_STACK)]);
    expect(r.code, r.stderr).toBe(0);
    expect(await imageOf(SK_STACK, 'app')).toBe(`${IMAGE}@${digest1}`);
    // local/busybox:1 is no registry's: docker keeps the tag, swarmkeeper too, with docker's warning
    expect(await imageOf(SK_STACK, 'local')).toBe('local/busybox:1');
    expect(r.stderr).toContain(`warning: ${warningFor('local/busybox:1')}`);
    const [d, s] = await Promise.all([
      snapshot(DOCKER_STACK, join(TMP, DOCKER_STACK)),
      snapshot(SK_STACK, join(TMP, SK_STACK)),
    ]);
    expect(compareStacks(d, s, new Set())).toEqual([]);
  });

  it('applying again resolves the same digest and changes nothing', async () => {
    const before = await versions(SK_STACK);
    const r = await swarmkeeper(INSTANCE, ['apply', '-f', fileOf(SK_STACK)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('unchanged');
    expect(await versions(SK_STACK)).toEqual(before);
  });

  it('adopting the stack docker pinned changes labels only and restarts no task', async () => {
    const tasks = await runningTasks(DOCKER_STACK);
    const plan = await swarmkeeper(INSTANCE, ['plan', '--adopt', '-o', 'json', '-f', fileOf(DOCKER_STACK)]);
    const actions = (
      JSON.parse(plan.stdout) as { resources: { plan: { actions: Record<string, unknown>[] } }[] }
    ).resources.flatMap((x) => x.plan.actions);
    const updates = actions.filter((a) => a['kind'] === 'service');
    expect(updates.map((a) => `${String(a['op'])} ${String(a['labelsOnly'])}`)).toEqual([
      'update true',
      'update true',
    ]);
    const r = await swarmkeeper(INSTANCE, ['apply', '--adopt', '-f', fileOf(DOCKER_STACK)]);
    expect(r.code, r.stderr).toBe(0);
    expect(await imageOf(DOCKER_STACK, 'app')).toBe(`${IMAGE}@${digest1}`);
    expect(await runningTasks(DOCKER_STACK)).toEqual(tasks);
  });

  it('with the registry down, nothing changes and docker’s warning is reported', async () => {
    const before = await versions(SK_STACK);
    await labRegistry('stop', { name: lab.name });
    try {
      const r = await swarmkeeper(INSTANCE, ['apply', '-f', fileOf(SK_STACK)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('unchanged');
      expect(r.stderr).toContain(`warning: ${warningFor(IMAGE)}`);
      expect(await versions(SK_STACK)).toEqual(before);
      // another change while it is down keeps the pin
      writeFileSync(fileOf(SK_STACK), compose('two'));
      const changed = await swarmkeeper(INSTANCE, ['apply', '-f', fileOf(SK_STACK)]);
      expect(changed.code, changed.stderr).toBe(0);
      expect(await imageOf(SK_STACK, 'app')).toBe(`${IMAGE}@${digest1}`);
    } finally {
      await labRegistry('start', { name: lab.name });
    }
  });

  it('a new digest behind the tag is an image update; never and changed keep the pin', async () => {
    const digest2 = await push('two');
    expect(digest2).not.toBe(digest1);
    for (const mode of ['never', 'changed']) {
      const r = await swarmkeeper(INSTANCE, ['apply', '--resolve-image', mode, '-f', fileOf(SK_STACK)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('unchanged');
    }
    const r = await swarmkeeper(INSTANCE, ['apply', '-f', fileOf(SK_STACK)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`service ${SK_STACK}_app: updated`);
    expect(await imageOf(SK_STACK, 'app')).toBe(`${IMAGE}@${digest2}`);
  });
});
