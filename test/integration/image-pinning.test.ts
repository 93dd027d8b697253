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
import { labRegistry } from '../lab/lab.js';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.js';
import { ControllerProcess, killAll, metricSum, waitFor } from './helpers/controller-process.js';
import {
  StatusReader,
  cleanupSwarm,
  labVars,
  serviceSpec,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';
import { dockerSocketPath } from './helpers/run.js';
import { digestWarning, ensureRegistry, pushImage } from './helpers/registry.js';
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
const warningFor = digestWarning;

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

const push = (label: string) => pushImage(IMAGE, label);

let digest1 = '';

beforeAll(async () => {
  const registry = await ensureRegistry(lab);
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

// The controller path (`swarmkeeper run`, a SwarmStack with the default resolveImage always): in this
// file, after the registry is back, so no other file stops the registry under it. Docker API calls
// go through a counting proxy: resyncs must make no distribution call.
const id = uniq('skpinctl');
const name = uniq('pc');
const key = `SwarmStack/default/${name}`;
const src = tempSource('sk-pinctl');
const status = new StatusReader(id);
let ctl: ControllerProcess;
let image = '';
let digest = '';
let proxy: CountingProxy;

const stackCR = (mode: string): string => `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmStack
metadata:
  name: ${name}
spec:
  compose:
    services:
      app:
        image: ${image}
        command: ["sleep", "100000"]
        environment: [MODE=${mode}]
        deploy: {replicas: 0, endpoint_mode: dnsrr}
      local:
        image: local/busybox:1
        command: ["sleep", "100000"]
        deploy: {replicas: 0, endpoint_mode: dnsrr}
`;

const distributionCalls = () =>
  Object.entries(proxy.counts())
    .filter(([k]) => k.startsWith('GET /distribution/'))
    .reduce((n, [, v]) => n + v, 0);
const snapshots = async () => metricSum(await ctl.metrics(), 'swarmkeeper_swarm_snapshot_total', {});
const warnings = async () => ((await status.get(key))?.['warnings'] as string[] | undefined) ?? [];

describe('swarmkeeper run: image pinning', () => {
  beforeAll(async () => {
    image = IMAGE.replace(/:1$/, ':ctl');
    digest = await pushImage(image, name);
    proxy = await startCountingProxy(dockerSocketPath());
    writeFileSync(src.path(`${name}.yaml`), stackCR('one'));
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: labVars().redisUrl,
      label: 'pin',
      args: ['--resync', '2s'],
      env: { DOCKER_HOST: `unix://${proxy.socketPath}` },
    });
    await waitFor(`${key} Ready\n${ctl.tail()}`, 90_000, async () =>
      (await status.condition(key, 'Ready'))?.status === 'True' ? true : undefined,
    );
  }, 150_000);

  afterAll(async () => {
    await killAll();
    await cleanupSwarm(id);
    await status.purge();
    status.close();
    await proxy?.close();
    await docker(['image', 'rm', '-f', image], true);
    src.remove();
  }, 120_000);

  it('pins the new stack to the digest and reports the image no registry serves', async () => {
    expect((await serviceSpec(`${name}_app`))?.image).toBe(`${image}@${digest}`);
    expect((await serviceSpec(`${name}_local`))?.image).toBe('local/busybox:1');
    expect(await warnings()).toContain(digestWarning('local/busybox:1'));
  });

  it('resyncs ask no registry, change nothing and keep the warning', async () => {
    const before = await serviceSpec(`${name}_app`);
    const calls = distributionCalls();
    const snaps = await snapshots();
    await waitFor(`3 resyncs\n${ctl.tail()}`, 60_000, async () =>
      (await snapshots()) - snaps >= 3 ? true : undefined,
    );
    expect(distributionCalls()).toBe(calls);
    expect((await serviceSpec(`${name}_app`))?.version).toBe(before?.version);
    expect(await warnings()).toContain(digestWarning('local/busybox:1'));
  });

  it('a new desired state resolves again, once per image, and keeps the same digest', async () => {
    const calls = distributionCalls();
    writeFileSync(src.path(`${name}.yaml`), stackCR('two'));
    const after = await waitFor(`MODE=two applied\n${ctl.tail()}`, 60_000, async () => {
      const s = await serviceSpec(`${name}_app`);
      return s?.env.includes('MODE=two') ? s : undefined;
    });
    expect(after.image).toBe(`${image}@${digest}`);
    expect(distributionCalls() - calls).toBe(2);
  });
});
