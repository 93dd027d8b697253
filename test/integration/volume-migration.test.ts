// SwarmVolumeMigration on a real 2-node lab (own lab `skmig`, subnet 10.95.0: n1 manager, n2 worker,
// registry, the lab volume plugin `swlvol` installed on n2): 50 MB in 500 files move from a local
// volume on n1 to a plugin volume on n2 while the consumer service is scaled down; the service ends
// on the target with its replicas. Then the same with the controller SIGKILLed mid-copy (it resumes),
// and a failure at verify (rolled back: the service stays on the source with its replicas).
// Checksums are computed independently of swarmkeeper: `find | xargs sha256sum` in one-off
// containers on each node.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPromise } from 'xstate';
import { migrationKindReconciler } from '../../controllers/volume-migration/migration-kind.js';
import { labNodeEndpoints } from '../../controllers/machine-runner/node-endpoints.js';
import { dockerPluginOps } from '../../controllers/plugin/plugin-actors.js';
import { ResourceNodeEndpoints } from '../../controllers/machine-runner/resource-node-endpoints.js';
import { RedisSnapshotStore } from '../../controllers/machine-runner/snapshot-store.js';
import { listFleetNodes } from '../../controllers/machine-runner/swarm-nodes.js';
import type { KindStatus } from '../../controllers/ports.js';
import { noSecrets } from '../../controllers/sources/dir-secrets.js';
import { RedisStatusStore } from '../../controllers/redis/status-store.js';
import { StepError } from '../../machines/step-policy.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { labDown, labUp, socketPath, type LabEnv, type LabNode } from '../lab/lab.js';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import { pollUntil } from './helpers/poll.js';
import { tempDir } from './helpers/tmp.js';

const LAB = { name: 'skmig', subnet: '10.95.0' };
const IMAGE = 'local/busybox:1';
const FILES = 500;
const FILE_KB = 100; // 500 x 100 KiB = 48.8 MiB

let lab: LabEnv;
let A: LabNode;
let B: LabNode;
let manager: Docker;
let dockerA: Docker;
let dockerB: Docker;
let redis: Redis;
const run = `m${process.pid}`;
const tmp = tempDir('skmig-');

const engine = (dockerHost: string) => new Docker({ socketPath: socketPath(dockerHost) });

/** A one-off container on a node with `volume` at /data; returns its output. */
async function oneOff(docker: Docker, volume: string, script: string, readOnly = false): Promise<string> {
  const c = await docker.createContainer({
    Image: IMAGE,
    Cmd: ['sh', '-c', script],
    Tty: true,
    HostConfig: {
      NetworkMode: 'none',
      Mounts: [{ Type: 'volume', Source: volume, Target: '/data', ReadOnly: readOnly }],
    },
  });
  try {
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    const out = ((await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer)
      .toString('utf8')
      .replace(/\r\n/g, '\n');
    if (StatusCode !== 0) throw new Error(`one-off container exited ${StatusCode}: ${out}`);
    return out;
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

/** 500 files of random data in 10 directories, and a symlink. */
async function fillVolume(docker: Docker, volume: string, files = FILES): Promise<void> {
  await docker.createVolume({ Name: volume });
  await oneOff(
    docker,
    volume,
    `i=0; while [ $i -lt ${files} ]; do d=/data/d$((i % 10)); mkdir -p $d; ` +
      `dd if=/dev/urandom of=$d/f$i bs=1024 count=${FILE_KB} 2>/dev/null || exit 1; i=$((i+1)); done; ` +
      'ln -s d1/f1 /data/latest',
  );
}

/** `sha256  ./path` lines, sorted: computed in a container on the node, not by swarmkeeper. */
async function checksums(docker: Docker, volume: string): Promise<string[]> {
  const out = await oneOff(docker, volume, 'cd /data && find . -type f | sort | xargs sha256sum', true);
  return out.split('\n').filter((l) => l.trim() !== '');
}

interface ServiceView {
  ID: string;
  Spec: {
    Mode: { Replicated: { Replicas: number } };
    TaskTemplate: {
      ContainerSpec: { Mounts: { Type: string; Source: string; Target: string }[] };
      Placement?: { Constraints?: string[] };
    };
  };
}
const inspectService = async (name: string) =>
  (await manager.getService(name).inspect()) as unknown as ServiceView;

async function createConsumer(name: string, volume: string, replicas = 1): Promise<void> {
  await manager.createService({
    Name: name,
    TaskTemplate: {
      ContainerSpec: {
        Image: IMAGE,
        Command: ['sleep', '100000'],
        Init: true,
        StopGracePeriod: 1_000_000_000,
        Mounts: [{ Type: 'volume', Source: volume, Target: '/data' }],
      },
      Placement: { Constraints: [`node.hostname==${A.hostname}`] },
    },
    Mode: { Replicated: { Replicas: replicas } },
    EndpointSpec: { Mode: 'dnsrr' },
  } as unknown as Docker.CreateServiceOptions);
  await runningOn(name, A, replicas);
}

/** Waits until `n` tasks of the service run, all on `node`. */
async function runningOn(service: string, node: LabNode, n: number): Promise<void> {
  const nodeId = (await listFleetNodes(manager)).find((x) => x.hostname === node.hostname)?.id;
  await pollUntil(`${n} running task(s) of ${service} on ${node.hostname}`, 120_000, async () => {
    const tasks = (await manager.listTasks({
      filters: { service: [service], 'desired-state': ['running'] },
    })) as { NodeID: string; Status: { State: string } }[];
    const running = tasks.filter((t) => t.Status.State === 'running');
    return running.length === n && running.every((t) => t.NodeID === nodeId) ? true : undefined;
  });
}

function migrationYaml(name: string, spec: string): string {
  return `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmVolumeMigration
metadata:
  name: ${name}
spec:
${spec}`;
}

function controller(instanceId: string, dir: string, env: NodeJS.ProcessEnv = {}, label = 'c') {
  return ControllerProcess.start({
    instanceId,
    sources: [dir],
    redisUrl: lab.redisUrl,
    label,
    args: [
      '--node-endpoint',
      `${A.hostname}=${A.dockerHost}`,
      '--node-endpoint',
      `${B.hostname}=${B.dockerHost}`,
    ],
    env: { DOCKER_HOST: lab.dockerHost, ...env },
  });
}

const statusOf = (instanceId: string, key: string) =>
  new RedisStatusStore(redis, `swarmkeeper:${instanceId}`).get(key) as Promise<KindStatus | undefined>;

/** Polls the status until the migration finished; fails at once on RolledBack/Failed. */
async function finished(c: ControllerProcess, instanceId: string, key: string): Promise<KindStatus> {
  return waitFor(
    `${key} Succeeded\n${c.tail()}`,
    240_000,
    async () => {
      if (!c.alive) throw new Error(`controller exited\n${c.tail()}`);
      const s = await statusOf(instanceId, key);
      const phase = s?.['phase'];
      if (phase === 'RolledBack' || phase === 'Failed')
        throw new Error(`migration ${phase}: ${JSON.stringify(s?.conditions)}`);
      return phase === 'Succeeded' ? s : undefined;
    },
    250,
  );
}

async function expectSwitched(service: string, target: string, replicas: number): Promise<void> {
  const svc = await inspectService(service);
  expect(svc.Spec.TaskTemplate.ContainerSpec.Mounts).toEqual([
    expect.objectContaining({ Type: 'volume', Source: target, Target: '/data' }),
  ]);
  expect(svc.Spec.TaskTemplate.Placement?.Constraints).toEqual([`node.hostname==${B.hostname}`]);
  expect(svc.Spec.Mode.Replicated.Replicas).toBe(replicas);
  await runningOn(service, B, replicas);
}

async function helpersLeft(key: string): Promise<number> {
  let n = 0;
  for (const d of [dockerA, dockerB])
    n += (await d.listContainers({ all: true, filters: { label: [`swarmkeeper.io/owner=${key}`] } })).length;
  return n;
}

describe('SwarmVolumeMigration on a 2-node lab', () => {
  beforeAll(async () => {
    lab = await labUp({ ...LAB, nodes: 2, registry: true, plugin: true });
    A = lab.nodes[0]!;
    B = lab.nodes[1]!;
    manager = engine(lab.dockerHost);
    dockerA = engine(A.dockerHost);
    dockerB = engine(B.dockerHost);
    redis = new Redis(lab.redisUrl);
    // the lab volume plugin on node B, through the Docker API (the plugin actors' own calls)
    const nodeB = (await listFleetNodes(manager)).find((n) => n.hostname === B.hostname);
    const ops = dockerPluginOps({ node: dockerB, manager, nodeId: nodeB!.id });
    const signal = AbortSignal.timeout(120_000);
    const remote = lab.pluginRef!;
    const privileges = await ops.privileges({ input: { remote }, signal });
    await ops.pull({ input: { name: 'swlvol', remote, privileges }, signal });
    await ops.enable({ input: { name: 'swlvol' }, signal });
    await pollUntil('swlvol listed in node B description', 60_000, async () =>
      (await ops.listed({ input: { name: 'swlvol' }, signal })) ? true : undefined,
    );
  }, 300_000);

  afterAll(async () => {
    await killAll();
    redis?.disconnect();
    tmp.remove();
    if (process.env.SK_LAB_KEEP !== '1') await labDown(LAB);
  }, 120_000);

  it('moves 50 MB in 500 files from a local volume on node A to a plugin volume on node B, consumer included', async () => {
    const src = `src1-${run}`;
    const dst = `dst1-${run}`;
    const svc = `web1-${run}`;
    await fillVolume(dockerA, src);
    const before = await checksums(dockerA, src);
    expect(before).toHaveLength(FILES);
    await createConsumer(svc, src);

    const id = `skmig1-${run}`;
    const key = 'SwarmVolumeMigration/default/move1';
    const dir = join(tmp.dir, 'one');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'move1.yaml'),
      migrationYaml(
        'move1',
        `  source: { volume: ${src}, node: ${A.hostname} }
  target: { node: ${B.hostname}, spec: { name: ${dst}, driver: swlvol } }
`,
      ),
    );
    const c = await controller(id, dir);
    const status = await finished(c, id, key);

    expect(status).toMatchObject({
      phase: 'Succeeded',
      bytesCopied: FILES * FILE_KB * 1024,
      scaledDown: [{ service: svc, replicas: 1 }],
      progress: `48.8 MiB, ${FILES} files`,
    });
    expect(typeof status['completedAt']).toBe('string');
    expect(status.conditions.find((x) => x.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
    });
    expect(await checksums(dockerB, dst)).toEqual(before);
    const target = (await dockerB.getVolume(dst).inspect()) as {
      Driver: string;
      Labels: Record<string, string>;
    };
    expect(target.Driver).toMatch(/^swlvol/);
    expect(target.Labels['swarmkeeper.io/owner']).toBe(key);
    await expectSwitched(svc, dst, 1);
    // deleteSource is false: the source stays; the helper containers are gone
    expect(await checksums(dockerA, src)).toEqual(before);
    expect(await helpersLeft(key)).toBe(0);
    c.signal('SIGTERM');
    await c.exited;
  });

  it('resumes after the controller is SIGKILLed mid-copy, and ends with equal checksums', async () => {
    const src = `src2-${run}`;
    const dst = `dst2-${run}`;
    const svc = `web2-${run}`;
    await fillVolume(dockerA, src);
    const before = await checksums(dockerA, src);
    await createConsumer(svc, src);

    const id = `skmig2-${run}`;
    const key = 'SwarmVolumeMigration/default/move2';
    const dir = join(tmp.dir, 'two');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'move2.yaml'),
      migrationYaml(
        'move2',
        `  source: { volume: ${src}, node: ${A.hostname} }
  target: { node: ${B.hostname}, spec: { name: ${dst}, driver: swlvol } }
  consumers: [${svc}]
`,
      ),
    );
    // The first controller copies at 4 MiB/s (the copy lasts ~12 s), so "mid-copy" is reliably seen
    // by polling the status; no sleep decides when to kill.
    const first = await controller(id, dir, { SWARMKEEPER_MIGRATION_BANDWIDTH: '4MB' }, 'first');
    const mid = await waitFor(`${key} copying with bytes copied\n${first.tail()}`, 180_000, async () => {
      const s = await statusOf(id, key);
      const bytes = s?.['bytesCopied'];
      return s?.['phase'] === 'Copying' && typeof bytes === 'number' && bytes > 0 ? s : undefined;
    });
    await first.kill9();
    expect(mid['bytesCopied']).toBeLessThan(FILES * FILE_KB * 1024);
    const stored = JSON.parse((await redis.hget(`swarmkeeper:${id}:machines`, key)) ?? '{}') as {
      snapshot?: { value?: unknown };
    };
    expect(stored.snapshot?.value).toEqual({ copy: 'run' });

    // the second controller (no bandwidth limit) resumes at the copy once the dead one's lock lapses
    const second = await controller(id, dir, {}, 'second');
    const status = await finished(second, id, key);
    expect(second.find('volume migration: resumed from the stored snapshot')[0]?.['resumedFrom']).toEqual({
      copy: 'run',
    });
    expect(status).toMatchObject({ phase: 'Succeeded', bytesCopied: FILES * FILE_KB * 1024 });
    expect(await checksums(dockerB, dst)).toEqual(before);
    await expectSwitched(svc, dst, 1);
    expect(await helpersLeft(key)).toBe(0);
    expect(await redis.hexists(`swarmkeeper:${id}:machines`, key)).toBe(0);
    second.signal('SIGTERM');
    await second.exited;
  });

  it('a failure at verify rolls back: the service stays on the source with its original replicas', async () => {
    const src = `src3-${run}`;
    const dst = `dst3-${run}`;
    const svc = `web3-${run}`;
    await fillVolume(dockerA, src, 20);
    const before = await checksums(dockerA, src);
    await createConsumer(svc, src, 2);
    const original = await inspectService(svc);

    const id = `skmig3-${run}`;
    const res: DesiredResource = {
      key: 'SwarmVolumeMigration/default/move3',
      kind: 'SwarmVolumeMigration',
      namespace: 'default',
      name: 'move3',
      spec: {
        source: { volume: src, node: A.hostname },
        target: { node: B.hostname, spec: { name: dst, driver: 'swlvol' } },
      },
      origin: { file: 'move3.yaml' },
      baseDir: '.',
    };
    // In-process, with the real dockerode actors for every step but verify: a verify that finds a
    // difference cannot be caused deterministically on real data (the copy is faithful), so only
    // the verify actor is replaced, by one that fails the way a mismatch does (not retryable).
    const verifyCalls: unknown[] = [];
    const reconciler = migrationKindReconciler({
      manager,
      endpoints: new ResourceNodeEndpoints({
        secrets: noSecrets,
        staticEndpoints: labNodeEndpoints(lab.vars),
      }),
      store: new RedisSnapshotStore(redis, id),
      instanceId: id,
      policy: { baseBackoffMs: 200 },
      actors: () => ({
        verify: fromPromise(async ({ input }) => {
          verifyCalls.push(input);
          throw new StepError('1 difference: d1/f1: sha256 differs (injected)', { retryable: false });
        }),
      }),
    });
    const progress: KindStatus[] = [];
    const r = await reconciler.reconcile(res, {
      signal: AbortSignal.timeout(180_000),
      reconcileId: 'r3',
      prev: undefined,
      log: pino({ level: 'silent' }),
      root: '.',
      progress: async (s) => {
        progress.push(s);
      },
      resources: (kind) => (kind === res.kind ? [res] : []),
    });

    expect(verifyCalls).toHaveLength(1);
    expect(r.status).toMatchObject({ phase: 'RolledBack', scaledDown: [{ service: svc, replicas: 2 }] });
    expect(r.error).toMatchObject({ code: 'SK_ERR_MIGRATION_FAILED', policy: 'terminal' });
    expect(r.status.conditions.find((c) => c.type === 'Ready')?.message).toMatch(
      new RegExp(
        `^rolled back: verify the copy in volume ${dst} on node ${B.hostname} failed after 1 attempt: .*injected.*; ${svc} back on volume ${src}`,
      ),
    );
    expect(progress.map((s) => s['phase'])).toContain('Copying');
    // the service is as it was: same mounts, same placement, same replicas, running on A
    const after = await inspectService(svc);
    expect(after.Spec.TaskTemplate.ContainerSpec.Mounts).toEqual(
      original.Spec.TaskTemplate.ContainerSpec.Mounts,
    );
    expect(after.Spec.TaskTemplate.Placement).toEqual(original.Spec.TaskTemplate.Placement);
    expect(after.Spec.Mode.Replicated.Replicas).toBe(2);
    await runningOn(svc, A, 2);
    expect(await checksums(dockerA, src)).toEqual(before);
  });
});
