// SwarmPlugin machines on a real 3-node lab (own lab `skplug`: 1 manager + 2 workers, registry, plugin):
// install on every node, adopt, refuse privileges, failing upgrade rolled back, upgrade, a 4th node
// that joins later, and resume after a crash from the snapshot persisted in Redis.
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMachine } from '../../controllers/machine-runner/machine-runner.js';
import { labNodeEndpoints } from '../../controllers/machine-runner/node-endpoints.js';
import { dockerPluginOps, pluginActorsFrom, type PluginOps } from '../../controllers/plugin/plugin-actors.js';
import {
  pluginMachineKey,
  reconcilePlugin,
  type PluginReconcileDeps,
} from '../../controllers/plugin/reconcile-plugin.js';
import { RedisSnapshotStore } from '../../controllers/machine-runner/snapshot-store.js';
import { listFleetNodes } from '../../controllers/machine-runner/swarm-nodes.js';
import { installInput } from '../../machines/plugin-fleet.js';
import { pluginInstallMachine } from '../../machines/plugin-install.machine.js';
import type { PluginInstallActors } from '../../machines/plugin-install.setup.js';
import { API_VERSION } from '../../reconciler/api/common.js';
import type { SwarmPlugin } from '../../reconciler/api/resource.js';
import { swarmPluginSpecSchema, type SwarmPluginSpecInput } from '../../reconciler/api/swarm-plugin.js';
import { labAddNode, labDown, labUp, readLabEnv, socketPath, type LabEnv } from '../lab/lab.js';
import { broken, privileged, pushPluginVariants, v2 } from '../controllers/plugin/lab-plugin-variants.js';
import { pollUntil } from './helpers/poll.js';

const LAB = { name: 'skplug' };
const POLICY = { maxAttempts: 2, baseBackoffMs: 200, verifyTimeoutMs: 45_000, verifyIntervalMs: 250 };
const NET_NONE = [{ name: 'network', value: ['none'] }];

let lab: LabEnv;
let refs: Record<string, string>;
let manager: Docker;
let redis: Redis;
let store: RedisSnapshotStore;
const instance = `skplug-${process.pid}`;

const engine = (dockerHost: string) => new Docker({ socketPath: socketPath(dockerHost) });
const resource = (name: string, spec: SwarmPluginSpecInput): SwarmPlugin => ({
  apiVersion: API_VERSION,
  kind: 'SwarmPlugin',
  metadata: { name, namespace: 'default' },
  spec: swarmPluginSpecSchema.parse(spec),
});
const deps = (): PluginReconcileDeps => ({
  manager,
  endpoints: labNodeEndpoints(lab.vars),
  store,
  policy: POLICY,
  nodeDeadlineMs: 120_000,
});

interface Inspected {
  PluginReference: string;
  Enabled: boolean;
  Settings: { Env: string[] };
}
async function inspectOn(dockerHost: string, name: string): Promise<Inspected | undefined> {
  try {
    return (await engine(dockerHost).getPlugin(name, undefined).inspect()) as unknown as Inspected;
  } catch {
    return undefined;
  }
}

describe('SwarmPlugin machines on a 3-node lab', () => {
  beforeAll(async () => {
    lab = await labUp({ ...LAB, nodes: 3, plugin: true });
    refs = await pushPluginVariants(lab, { '2': v2, broken, priv: privileged });
    manager = engine(lab.dockerHost);
    // a lab kept from an earlier run may have our plugins installed
    for (const n of lab.nodes) {
      for (const name of ['swlvol', 'swlpriv', 'swlresume']) {
        await engine(n.dockerHost)
          .getPlugin(name, undefined)
          .remove({ force: true })
          .catch(() => undefined);
      }
    }
    redis = new Redis(lab.redisUrl);
    store = new RedisSnapshotStore(redis, instance);
  }, 240_000);

  afterAll(async () => {
    await redis?.del(store?.hash ?? '');
    redis?.disconnect();
    if (process.env.SK_LAB_KEEP !== '1') await labDown(LAB);
  }, 120_000);

  const swlvol = (remote: string, extra: Partial<SwarmPluginSpecInput> = {}) =>
    resource('swlvol', { remote, alias: 'swlvol', allowedPrivileges: NET_NONE, ...extra });

  it('installs and enables the plugin on every node, workers included', async () => {
    const status = await reconcilePlugin(swlvol(lab.pluginRef ?? ''), deps());
    expect(status).toMatchObject({ phase: 'Ready', progress: '3/3 nodes', readyNodes: 3, desiredNodes: 3 });
    expect(status.nodes.map((n) => [n.node, n.state])).toEqual(
      lab.nodes.map((n) => [n.hostname, 'Installed']),
    );
    for (const n of lab.nodes) {
      expect(await inspectOn(n.dockerHost, 'swlvol')).toMatchObject({
        PluginReference: lab.pluginRef,
        Enabled: true,
      });
    }
    // the manager lists it in every node's description (verify waited for that)
    const described = (await manager.listNodes()) as {
      Description: { Engine: { Plugins: { Name: string }[] } };
    }[];
    for (const d of described)
      expect(d.Description.Engine.Plugins.map((p) => p.Name)).toContain('swlvol:latest');
  });

  it('adopts what is already installed without pulling again', async () => {
    const status = await reconcilePlugin(swlvol(lab.pluginRef ?? ''), deps());
    expect(status.phase).toBe('Ready');
    expect(status.nodes.every((n) => n.message?.endsWith('(already installed)'))).toBe(true);
  });

  it('refuses a plugin that asks for privileges not allowed, naming the difference', async () => {
    const status = await reconcilePlugin(
      resource('swlpriv', { remote: refs.priv ?? '', alias: 'swlpriv', allowedPrivileges: NET_NONE }),
      deps(),
    );
    expect(status.phase).toBe('Refused');
    expect(status.message).toBe(
      `plugin ${refs.priv} asks for privileges not allowed: mount=[/var/lib], capabilities=[CAP_SYS_ADMIN] (node ${lab.nodes[0]?.hostname})`,
    );
    expect(status.nodes.map((n) => n.state)).toEqual(['Refused', 'Refused', 'Refused']);
    for (const n of lab.nodes) expect(await inspectOn(n.dockerHost, 'swlpriv')).toBeUndefined();
  });

  it('rolls a failing upgrade back to :1, enabled', async () => {
    const status = await reconcilePlugin(swlvol(refs.broken ?? ''), deps());
    expect(status.phase).toBe('Failed');
    expect(status.nodes.map((n) => n.state)).toEqual(['RolledBack', 'RolledBack', 'RolledBack']);
    expect(status.nodes[0]?.message).toMatch(
      new RegExp(
        `^rolled back to ${lab.pluginRef} on node ${lab.nodes[0]?.hostname}: enable plugin swlvol .* failed`,
      ),
    );
    for (const n of lab.nodes) {
      expect(await inspectOn(n.dockerHost, 'swlvol')).toMatchObject({
        PluginReference: lab.pluginRef,
        Enabled: true,
      });
    }
  });

  it('upgrades to :2 with settings', async () => {
    const status = await reconcilePlugin(swlvol(refs['2'] ?? '', { settings: { env: ['DEBUG=1'] } }), deps());
    expect(status).toMatchObject({ phase: 'Ready', progress: '3/3 nodes' });
    for (const n of lab.nodes) {
      const p = await inspectOn(n.dockerHost, 'swlvol');
      expect(p).toMatchObject({ PluginReference: refs['2'], Enabled: true });
      expect(p?.Settings.Env).toContain('DEBUG=1');
    }
  });

  it('installs on a node that joined the swarm since the last reconcile', async () => {
    const added = await labAddNode(LAB);
    const swarm = (await manager.swarmInspect()) as { JoinTokens: { Worker: string } };
    await engine(added.dockerHost).swarmJoin({
      ListenAddr: `${added.addr}:2377`,
      AdvertiseAddr: added.addr,
      RemoteAddrs: [`${lab.nodes[0]?.addr}:2377`],
      JoinToken: swarm.JoinTokens.Worker,
    });
    await pollUntil('the 4th node Ready', 60_000, async () =>
      (await listFleetNodes(manager)).find((n) => n.hostname === added.hostname && n.state === 'ready'),
    );
    lab = (await readLabEnv(LAB)) ?? lab;
    const status = await reconcilePlugin(swlvol(refs['2'] ?? '', { settings: { env: ['DEBUG=1'] } }), deps());
    expect(status).toMatchObject({ phase: 'Ready', progress: '4/4 nodes' });
    expect(await inspectOn(added.dockerHost, 'swlvol')).toMatchObject({
      PluginReference: refs['2'],
      Enabled: true,
    });
  });

  it('resumes from the snapshot persisted in Redis after a crash, without repeating completed steps', async () => {
    const node = lab.nodes[1];
    if (node === undefined) throw new Error('no node 2');
    const fleetNode = (await listFleetNodes(manager)).find((n) => n.hostname === node.hostname);
    if (fleetNode === undefined) throw new Error(`node ${node.hostname} not in the swarm`);
    const res = resource('swlresume', {
      remote: lab.pluginRef ?? '',
      alias: 'swlresume',
      allowedPrivileges: NET_NONE,
    });
    const key = pluginMachineKey(res, fleetNode.id);
    const input = installInput(res.spec, fleetNode, POLICY);
    const real = dockerPluginOps({ node: engine(node.dockerHost), manager, nodeId: fleetNode.id });
    const calls: string[] = [];
    const counting = (over: Partial<PluginOps> = {}): PluginInstallActors => {
      const ops = { ...real, ...over };
      const out = {} as Record<string, unknown>;
      for (const [k, op] of Object.entries(ops)) {
        out[k] = (args: { input: never; signal: AbortSignal }) => {
          calls.push(k);
          return (op as (a: typeof args) => Promise<unknown>)(args);
        };
      }
      return pluginActorsFrom(out as unknown as PluginOps);
    };
    // first run: enable never answers; the deadline stands in for the crash
    const hang: PluginOps['enable'] = ({ signal }) =>
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    await expect(
      runMachine({
        machine: pluginInstallMachine.provide({ actors: counting({ enable: hang }) }),
        input,
        key,
        store,
        deadlineMs: 8_000,
      }),
    ).rejects.toThrow(/did not finish/);
    expect(calls).toEqual(['inspect', 'privileges', 'pull', 'enable']);
    expect(JSON.parse((await redis.hget(store.hash, key)) ?? '{}')).toMatchObject({
      snapshot: { value: { enable: 'run' } },
    });
    expect(await inspectOn(node.dockerHost, 'swlresume')).toMatchObject({ Enabled: false });

    calls.length = 0;
    const result = await runMachine({
      machine: pluginInstallMachine.provide({ actors: counting() }),
      input,
      key,
      store,
    });
    expect(result.resumedFrom).toEqual({ enable: 'run' });
    expect(result.output.outcome).toBe('Installed');
    expect(calls[0]).toBe('enable');
    expect(calls).not.toContain('pull');
    expect(calls).not.toContain('privileges');
    expect(await inspectOn(node.dockerHost, 'swlresume')).toMatchObject({ Enabled: true });
    expect(await redis.hexists(store.hash, key)).toBe(0);
  });
});
