// SwarmPlugin and SwarmVolume through the real controller process (`swarmkeeper run`) on its own
// 3-node lab `skpv` (1 manager + 2 workers, registry, the lab volume plugin swlvol): the plugin on
// every node; a plugin asking for more privileges is refused with the difference; a plugin it did
// not install is neither changed nor removed; a stack that depends on the volume waits, then runs
// with it mounted; the volume on the plugin driver on every node; a 4th node that joins later gets
// both (node events); a nodeSelector that drops a node removes the volume and then the plugin there;
// a preset volume gets its credentials from a Secret (--secrets-dir) without showing them; a driver
// option change is blocked naming the service; deletion is refused while in use (naming the volume,
// the container) and completes once nothing uses it. Real dockerds, Redis and registry; polls with
// deadlines. SKPV_LOG=FILE keeps the controller's debug log.
import { execFile } from 'node:child_process';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerRequest } from '../../controllers/docker/request.js';
import { labAddNode, labDown, labUp, readLabEnv, socketPath, type LabEnv } from '../lab/lab.js';
import { privileged, pushPluginVariants } from '../controllers/plugin/lab-plugin-variants.js';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import { DOCKER_CLI, StatusReader, tempSource, uniq, type StoredStatus } from './helpers/controller-swarm.js';

const LAB = { name: 'skpv', subnet: '10.92.0' };
const id = uniq('skpv');
const src = tempSource('skpv');
const secretsDir = tempSource('skpv-secrets');
const PLUGIN = 'swlvol';
const PRIV = 'swlpriv';
const PRE = 'swlpre';
const VOLUME = 'pvdata';
const STACK = 'pvapp';
const SERVICE = `${STACK}_web`;
const K = {
  plugin: `SwarmPlugin/default/${PLUGIN}`,
  priv: `SwarmPlugin/default/${PRIV}`,
  pre: `SwarmPlugin/default/${PRE}`,
  volume: `SwarmVolume/default/${VOLUME}`,
  stack: `SwarmStack/default/${STACK}`,
};

let lab: LabEnv;
let refs: Record<string, string>;
let status: StatusReader;
let ctl: ControllerProcess;
/** The node `lab add-node` will make: its endpoint is given to the controller at start. */
let n4: { hostname: string; dockerHost: string };

const engine = (dockerHost: string) => new Docker({ socketPath: socketPath(dockerHost) });
const manager = () => engine(lab.dockerHost);
const hosts = () => lab.nodes.map((n) => n.dockerHost);
/** The nodes labelled pv=on (the first three) once the nodeSelector test ran. */
const selected = () => lab.nodes.slice(0, 3).map((n) => n.hostname);

const SELECTOR = '  nodeSelector:\n    pv: "on"\n';

function plugin(name: string, remote: string, selected = false): string {
  return `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmPlugin
metadata:
  name: ${name}
spec:
  remote: ${remote}
  alias: ${name}
  allowedPrivileges:
    - name: network
      value: [none]
${selected ? SELECTOR : ''}`;
}

function volume(size: string, selected = false): string {
  return `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmVolume
metadata:
  name: ${VOLUME}
spec:
  driver: ${PLUGIN}
  driverOpts:
    size: "${size}"
  labels:
    app: pv
${selected ? SELECTOR : ''}`;
}

/** A preset volume on the lab plugin installed under the alias the s3fs preset uses. */
const S3 = {
  plugin: 's3fs',
  volume: 's3data',
  secret: 's3cred',
  id: 'AKIASKPVTESTID',
  key: 'skpv-s3cret-value',
};
const s3Volume = `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmVolume
metadata:
  name: ${S3.volume}
spec:
  preset:
    type: s3fs
    bucket: backups
    path: nightly
    endpoint: http://minio.invalid:9000
    credentialsSecretRef:
      name: ${S3.secret}
`;

const stack = `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmStack
metadata:
  name: ${STACK}
spec:
  dependsOn:
    - kind: SwarmVolume
      name: ${VOLUME}
  compose:
    services:
      web:
        image: local/busybox:1
        command: ["sleep", "100000"]
        stop_grace_period: 1s
        volumes:
          - ${VOLUME}:/data
        deploy:
          endpoint_mode: dnsrr
    volumes:
      ${VOLUME}:
        external: true
        name: ${VOLUME}
`;

interface PluginInspect {
  PluginReference: string;
  Enabled: boolean;
}
async function pluginOn(dockerHost: string, name: string): Promise<PluginInspect | undefined> {
  try {
    return (await engine(dockerHost).getPlugin(name, undefined).inspect()) as unknown as PluginInspect;
  } catch {
    return undefined;
  }
}
interface VolumeInspect {
  Driver: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
}
async function volumeOn(dockerHost: string, name: string): Promise<VolumeInspect | undefined> {
  try {
    return (await engine(dockerHost).getVolume(name).inspect()) as unknown as VolumeInspect;
  } catch {
    return undefined;
  }
}

const execFileP = promisify(execFile);
/** `docker -H HOST ARGS` (the CLI, as an operator would). */
async function dockerCli(dockerHost: string, ...args: string[]): Promise<void> {
  await execFileP(DOCKER_CLI, ['-H', dockerHost, ...args]);
}

/** Leftovers of an earlier run on a kept lab: the service, the volumes, the plugins. */
async function cleanNodes(): Promise<void> {
  await manager()
    .getService(SERVICE)
    .remove()
    .catch(() => undefined);
  for (const h of hosts()) {
    await waitFor(`no container using ${VOLUME} on ${h}`, 60_000, async () => {
      const list = await engine(h).listContainers({ all: true, filters: { volume: [VOLUME] } });
      for (const c of list)
        await engine(h)
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined);
      return list.length === 0 ? true : undefined;
    });
    await engine(h)
      .getVolume(VOLUME)
      .remove({ force: true })
      .catch(() => undefined);
    await engine(h)
      .getVolume(S3.volume)
      .remove({ force: true })
      .catch(() => undefined);
    for (const p of [PLUGIN, PRIV, PRE, S3.plugin])
      await engine(h)
        .getPlugin(p, undefined)
        .remove({ force: true })
        .catch(() => undefined);
  }
}

async function statusWhere(
  key: string,
  what: string,
  ok: (s: StoredStatus) => boolean,
  timeoutMs = 90_000,
): Promise<StoredStatus> {
  let last: StoredStatus | undefined;
  return waitFor(
    `${key}: ${what}`,
    timeoutMs,
    async () => {
      last = await status.get(key);
      if (!ctl.alive) throw new Error(`controller exited\n${ctl.tail()}`);
      return last && ok(last) ? last : undefined;
    },
    250,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\nlast status: ${JSON.stringify(last)}\n${ctl.tail(40)}`);
  });
}

const cond = (s: StoredStatus, type: string) => s.conditions.find((c) => c.type === type);
const isReady = (s: StoredStatus) => cond(s, 'Ready')?.status === 'True';
const nodeStates = (s: StoredStatus) =>
  ((s['nodes'] ?? []) as { node: string; state: string }[]).map((n) => [n.node, n.state]);

describe('swarmkeeper run: SwarmPlugin and SwarmVolume on a 3-node lab', () => {
  beforeAll(async () => {
    // a kept lab from an earlier run has the 4th node: start from the 3-node shape
    const kept = await readLabEnv(LAB);
    if (kept !== undefined && kept.nodes.length !== 3) await labDown(LAB);
    lab = await labUp({ ...LAB, nodes: 3, registry: true, plugin: true });
    refs = await pushPluginVariants(lab, { priv: privileged });
    await cleanNodes();
    n4 = { hostname: `${LAB.name}-n4`, dockerHost: `unix://${lab.state}/n4/docker.sock` };
    status = new StatusReader(id, lab.redisUrl);
    mkdirSync(secretsDir.path('default', S3.secret), { recursive: true });
    writeFileSync(secretsDir.path('default', S3.secret, 'accessKeyId'), `${S3.id}\n`);
    writeFileSync(secretsDir.path('default', S3.secret, 'secretAccessKey'), S3.key);
    const endpoints = [...lab.nodes, n4].flatMap((n) => ['--node-endpoint', `${n.hostname}=${n.dockerHost}`]);
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl: lab.redisUrl,
      label: 'skpv',
      ...(process.env.SKPV_LOG ? { logLevel: 'debug' as const } : {}),
      // the source is emptied at the end on purpose (every resource deleted)
      args: ['--allow-empty', '--backoff-max', '5s', '--secrets-dir', secretsDir.dir, ...endpoints],
      env: { DOCKER_HOST: lab.dockerHost, REDIS_URL: lab.redisUrl },
    });
    await ctl.waitReady();
  }, 300_000);

  afterAll(async () => {
    await killAll();
    // SKPV_LOG=FILE keeps the controller's log lines for a look after the run
    if (process.env.SKPV_LOG && ctl)
      writeFileSync(process.env.SKPV_LOG, ctl.logs.map((l) => JSON.stringify(l)).join('\n'));
    if (lab !== undefined) {
      lab = (await readLabEnv(LAB)) ?? lab;
      await cleanNodes().catch(() => undefined);
    }
    await status?.purge();
    status?.close();
    src.remove();
    secretsDir.remove();
    if (process.env.SK_LAB_KEEP !== '1') await labDown(LAB);
  }, 180_000);

  it('installs and enables the plugin on all 3 nodes, and records where it installed it', async () => {
    writeFileSync(src.path('plugin.yaml'), plugin(PLUGIN, lab.pluginRef ?? ''));
    const s = await statusWhere(K.plugin, 'Ready', isReady);
    expect(s).toMatchObject({ phase: 'Ready', progress: '3/3 nodes', readyNodes: 3, desiredNodes: 3 });
    expect(nodeStates(s)).toEqual(lab.nodes.map((n) => [n.hostname, 'Installed']));
    expect(cond(s, 'Ready')).toMatchObject({ reason: 'Installed', message: 'installed on 3/3 nodes' });
    for (const h of hosts())
      expect(await pluginOn(h, PLUGIN)).toMatchObject({ PluginReference: lab.pluginRef, Enabled: true });
    const owned = await status.redis.hgetall(`swarmkeeper:${id}:owned:${K.plugin}`);
    expect(
      Object.values(owned)
        .map((v) => (JSON.parse(v) as { hostname: string }).hostname)
        .sort(),
    ).toEqual(lab.nodes.map((n) => n.hostname));
  });

  it('refuses a plugin that asks for privileges not allowed, naming the difference, and installs nothing', async () => {
    writeFileSync(src.path('priv.yaml'), plugin(PRIV, refs.priv ?? ''));
    const s = await statusWhere(K.priv, 'Stalled', (x) => cond(x, 'Stalled')?.status === 'True');
    expect(s['phase']).toBe('Refused');
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PrivilegesRefused',
      message: `plugin ${refs.priv} asks for privileges not allowed: mount=[/var/lib], capabilities=[CAP_SYS_ADMIN] (node ${lab.nodes[0]?.hostname})`,
    });
    expect(nodeStates(s).map(([, st]) => st)).toEqual(['Refused', 'Refused', 'Refused']);
    for (const h of hosts()) expect(await pluginOn(h, PRIV)).toBeUndefined();
    expect(await status.redis.exists(`swarmkeeper:${id}:owned:${K.priv}`)).toBe(0);
    unlinkSync(src.path('priv.yaml'));
    await waitFor(`${K.priv} pruned\n${ctl.tail()}`, 30_000, async () =>
      (await status.get(K.priv)) === undefined ? true : undefined,
    );
  });

  it('never changes or removes a plugin it did not install: a conflict, then left in place on deletion', async () => {
    const n1 = lab.nodes[0]!;
    await dockerCli(
      n1.dockerHost,
      'plugin',
      'install',
      '--grant-all-permissions',
      '--disable',
      '--alias',
      PRE,
      lab.pluginRef ?? '',
    );
    writeFileSync(src.path('pre.yaml'), plugin(PRE, lab.pluginRef ?? ''));
    const s = await statusWhere(K.pre, 'Stalled', (x) => cond(x, 'Stalled')?.status === 'True');
    expect(cond(s, 'Ready')).toMatchObject({
      reason: 'OwnershipConflict',
      message: `${n1.hostname}: Conflict (plugin ${PRE} on node ${n1.hostname} was not installed by swarmkeeper (${lab.pluginRef}, disabled); set spec.adopt: true to manage it)`,
    });
    expect(nodeStates(s)).toEqual([
      [n1.hostname, 'Conflict'],
      [lab.nodes[1]?.hostname, 'Installed'],
      [lab.nodes[2]?.hostname, 'Installed'],
    ]);
    expect(await pluginOn(n1.dockerHost, PRE)).toMatchObject({ Enabled: false });
    // made as desired out of band: nothing to change there, and still not swarmkeeper's
    await dockerCli(n1.dockerHost, 'plugin', 'enable', PRE);
    writeFileSync(
      src.path('pre.yaml'),
      plugin(PRE, lab.pluginRef ?? '').replace('spec:\n', 'spec:\n  suspend: false\n'),
    );
    await statusWhere(K.pre, 'Ready', isReady);
    unlinkSync(src.path('pre.yaml'));
    await waitFor(`${K.pre} removed\n${ctl.tail()}`, 60_000, async () =>
      (await status.get(K.pre)) === undefined ? true : undefined,
    );
    expect(await pluginOn(n1.dockerHost, PRE)).toMatchObject({ Enabled: true });
    for (const n of lab.nodes.slice(1)) expect(await pluginOn(n.dockerHost, PRE)).toBeUndefined();
  });

  it('a stack that depends on the volume waits for it and creates nothing', async () => {
    writeFileSync(src.path('stack.yaml'), stack);
    const s = await statusWhere(
      K.stack,
      'DependencyNotReady',
      (x) => cond(x, 'Ready')?.reason === 'DependencyNotReady',
    );
    expect(cond(s, 'Ready')?.message).toBe(`waiting for ${K.volume} to be Ready`);
    expect(await manager().listServices({ filters: { name: [SERVICE] } })).toEqual([]);
  });

  it('creates the volume on the plugin driver on every node, with owner labels', async () => {
    writeFileSync(src.path('volume.yaml'), volume('1'));
    const s = await statusWhere(K.volume, 'Ready', isReady);
    expect(s).toMatchObject({ phase: 'Ready', progress: '3/3 nodes' });
    expect(nodeStates(s)).toEqual(lab.nodes.map((n) => [n.hostname, 'Ready']));
    for (const h of hosts()) {
      const v = await volumeOn(h, VOLUME);
      expect(v?.Driver.replace(/:latest$/, '')).toBe(PLUGIN);
      expect(v?.Options).toEqual({ size: '1' });
      expect(v?.Labels).toEqual({
        app: 'pv',
        'swarmkeeper.io/owner': K.volume,
        'swarmkeeper.io/instance': id,
      });
    }
  });

  it('then the stack runs, its task mounting the plugin volume', async () => {
    await statusWhere(K.stack, 'Ready', isReady);
    const task = await waitFor(`a running task of ${SERVICE}`, 60_000, async () => {
      const tasks = (await manager().listTasks({
        filters: { service: [SERVICE], 'desired-state': ['running'] },
      })) as { NodeID: string; Status: { State: string; ContainerStatus?: { ContainerID?: string } } }[];
      return tasks.find((t) => t.Status.State === 'running' && t.Status.ContainerStatus?.ContainerID);
    });
    const node = (await manager().getNode(task.NodeID).inspect()) as { Description: { Hostname: string } };
    const host = lab.nodes.find((n) => n.hostname === node.Description.Hostname)?.dockerHost ?? '';
    const c = (await engine(host)
      .getContainer(task.Status.ContainerStatus?.ContainerID ?? '')
      .inspect()) as { Mounts: { Type: string; Name?: string; Driver?: string; Destination: string }[] };
    const m = c.Mounts.find((x) => x.Destination === '/data');
    expect(m).toMatchObject({ Type: 'volume', Name: VOLUME });
    expect(m?.Driver?.replace(/:latest$/, '')).toBe(PLUGIN);
  });

  it('a node that joins later gets the plugin and the volume (node event)', async () => {
    const added = await labAddNode(LAB);
    expect({ hostname: added.hostname, dockerHost: added.dockerHost }).toEqual(n4);
    const swarm = (await manager().swarmInspect()) as { JoinTokens: { Worker: string } };
    await engine(added.dockerHost).swarmJoin({
      ListenAddr: `${added.addr}:2377`,
      AdvertiseAddr: added.addr,
      RemoteAddrs: [`${lab.nodes[0]?.addr}:2377`],
      JoinToken: swarm.JoinTokens.Worker,
    });
    lab = (await readLabEnv(LAB)) ?? lab;
    // the plugin was Ready with nothing requeued and the resync is 10 min away: only the node
    // events (create, then update when it is ready) can bring it to the new node in time
    const p = await statusWhere(
      K.plugin,
      '4/4 nodes',
      (x) => isReady(x) && x['progress'] === '4/4 nodes',
      120_000,
    );
    expect(nodeStates(p)).toContainEqual([n4.hostname, 'Installed']);
    expect(await pluginOn(n4.dockerHost, PLUGIN)).toMatchObject({ Enabled: true });
    await statusWhere(K.volume, '4/4 nodes', (x) => isReady(x) && x['progress'] === '4/4 nodes', 120_000);
    expect((await volumeOn(n4.dockerHost, VOLUME))?.Labels?.['swarmkeeper.io/owner']).toBe(K.volume);
  });

  it('a nodeSelector that leaves a node out: the volume is removed there, then the plugin (kept while the volume is)', async () => {
    for (const n of lab.nodes.slice(0, 3)) {
      const node = (await manager().getNode(n.hostname).inspect()) as {
        ID: string;
        Version: { Index: number };
        Spec: Record<string, unknown>;
      };
      await dockerRequest(manager(), {
        method: 'POST',
        path: `/nodes/${node.ID}/update`,
        query: { version: node.Version.Index },
        body: { ...node.Spec, Labels: { pv: 'on' } },
      });
    }
    writeFileSync(src.path('plugin.yaml'), plugin(PLUGIN, lab.pluginRef ?? '', true));
    const blocked = await statusWhere(K.plugin, 'not uninstalled from n4', (x) =>
      (cond(x, 'Ready')?.message ?? '').includes('not uninstalled'),
    );
    expect(blocked).toMatchObject({ progress: '3/3 nodes' });
    expect(cond(blocked, 'Ready')).toMatchObject({
      status: 'True',
      message: `installed on 3/3 nodes; not uninstalled from nodes no longer selected: plugin ${PLUGIN} is still used by volume(s) ${VOLUME} on node(s) ${n4.hostname}`,
    });
    expect(await pluginOn(n4.dockerHost, PLUGIN)).toMatchObject({ Enabled: true });

    writeFileSync(src.path('volume.yaml'), volume('1', true));
    await statusWhere(K.volume, '3/3 nodes', (x) => isReady(x) && x['progress'] === '3/3 nodes');
    expect(await volumeOn(n4.dockerHost, VOLUME)).toBeUndefined();
    // the plugin looks again (retry) and can go now
    const done = await statusWhere(
      K.plugin,
      'uninstalled from n4',
      (x) => cond(x, 'Ready')?.message === 'installed on 3/3 nodes',
    );
    expect(nodeStates(done).map(([n]) => n)).toEqual(lab.nodes.slice(0, 3).map((n) => n.hostname));
    expect(await pluginOn(n4.dockerHost, PLUGIN)).toBeUndefined();
    const owned = await status.redis.hgetall(`swarmkeeper:${id}:owned:${K.plugin}`);
    expect(Object.keys(owned)).toHaveLength(3);
  });

  it('a preset volume takes its credentials from a Secret and never shows them', async () => {
    writeFileSync(src.path('s3-plugin.yaml'), plugin(S3.plugin, lab.pluginRef ?? '', true));
    writeFileSync(
      src.path('s3-volume.yaml'),
      s3Volume.replace('spec:\n', `spec:\n  nodeSelector:\n    pv: "on"\n`),
    );
    await statusWhere(`SwarmPlugin/default/${S3.plugin}`, 'Ready', isReady);
    const s = await statusWhere(`SwarmVolume/default/${S3.volume}`, 'Ready', isReady, 120_000);
    expect(s).toMatchObject({ progress: '3/3 nodes' });
    // the plugin's interface: driver options, as `docker volume inspect` shows them
    expect((await volumeOn(lab.nodes[0]?.dockerHost ?? '', S3.volume))?.Options).toEqual({
      bucket: 'backups:/nightly',
      url: 'http://minio.invalid:9000',
      use_path_request_style: '',
      AWSACCESSKEYID: S3.id,
      AWSSECRETACCESSKEY: S3.key,
    });
    const statuses = await status.redis.hgetall(`swarmkeeper:${id}:status`);
    const everything = JSON.stringify([statuses, ctl.logs, ctl.raw]);
    expect(everything).not.toContain(S3.id);
    expect(everything).not.toContain(S3.key);
    unlinkSync(src.path('s3-volume.yaml'));
    unlinkSync(src.path('s3-plugin.yaml'));
    await waitFor(`s3 volume and plugin removed\n${ctl.tail()}`, 90_000, async () =>
      (await status.get(`SwarmVolume/default/${S3.volume}`)) === undefined &&
      (await status.get(`SwarmPlugin/default/${S3.plugin}`)) === undefined
        ? true
        : undefined,
    );
    for (const h of hosts()) {
      expect(await volumeOn(h, S3.volume)).toBeUndefined();
      expect(await pluginOn(h, S3.plugin)).toBeUndefined();
    }
  });

  it('a driver option change needs recreation: blocked with recreatePolicy Never, naming the service', async () => {
    writeFileSync(src.path('volume.yaml'), volume('2', true));
    const s = await statusWhere(
      K.volume,
      'RecreateBlocked',
      (x) => cond(x, 'Ready')?.reason === 'RecreateBlocked',
    );
    expect(cond(s, 'Stalled')?.status).toBe('True');
    expect(cond(s, 'Ready')?.message).toBe(
      `volume ${VOLUME} on node(s) ${selected().join(', ')} differs in driverOpts.size: ` +
        `volumes are immutable and recreating one deletes its data; set recreatePolicy: Always to recreate it; mounted by service(s) ${SERVICE}`,
    );
    for (const n of lab.nodes.slice(0, 3))
      expect((await volumeOn(n.dockerHost, VOLUME))?.Options).toEqual({ size: '1' });
    writeFileSync(src.path('volume.yaml'), volume('1', true));
    await statusWhere(K.volume, 'Ready again', isReady);
  });

  it('deleting the plugin while the volume exists is refused, naming the volume', async () => {
    unlinkSync(src.path('plugin.yaml'));
    const s = await statusWhere(K.plugin, 'InUse', (x) => cond(x, 'Ready')?.reason === 'InUse');
    expect(cond(s, 'Ready')?.message).toBe(
      `not removed yet: plugin ${PLUGIN} is still used by volume(s) ${VOLUME} on node(s) ${selected().join(', ')}`,
    );
    for (const n of lab.nodes.slice(0, 3))
      expect(await pluginOn(n.dockerHost, PLUGIN)).toMatchObject({ Enabled: true });
  });

  it('deleting the volume while the stack uses it is refused, naming the container and the service', async () => {
    unlinkSync(src.path('volume.yaml'));
    const s = await statusWhere(K.volume, 'InUse', (x) => cond(x, 'Ready')?.reason === 'InUse');
    expect(cond(s, 'Ready')?.message).toMatch(
      new RegExp(
        `volume ${VOLUME} on node \\S+ is in use by container\\(s\\) ${SERVICE}\\.1\\.\\w+ \\(service\\(s\\) ${SERVICE}\\)`,
      ),
    );
  });

  it('once the stack is gone, the volume and then the plugin are removed from every node', async () => {
    unlinkSync(src.path('stack.yaml'));
    await waitFor(`${K.volume} removed\n${ctl.tail()}`, 120_000, async () =>
      (await status.get(K.volume)) === undefined ? true : undefined,
    );
    for (const h of hosts()) expect(await volumeOn(h, VOLUME)).toBeUndefined();
    await waitFor(`${K.plugin} removed\n${ctl.tail()}`, 120_000, async () =>
      (await status.get(K.plugin)) === undefined ? true : undefined,
    );
    for (const h of hosts()) expect(await pluginOn(h, PLUGIN)).toBeUndefined();
    expect(await status.redis.exists(`swarmkeeper:${id}:owned:${K.plugin}`)).toBe(0);
    expect(await status.redis.exists(`swarmkeeper:${id}:owned:${K.volume}`)).toBe(0);
  });
});
