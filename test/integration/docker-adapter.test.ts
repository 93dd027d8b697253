/**
 * DockerSwarmAdapter against a real swarm (DOCKER_HOST, default the dev swarm socket), through a
 * counting proxy so that the number of Docker API calls can be asserted.
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dockerFromEnv } from '../../controllers/docker/connection.js';
import { DockerSwarmAdapter } from '../../controllers/docker/swarm-adapter.js';
import type { ServiceSpec } from '../../reconciler/model/engine-types.js';
import type { DesiredObject, ObservedObject } from '../../reconciler/model/objects.js';
import { ownerLabels } from '../../reconciler/model/ownership.js';
import { Sensitive } from '../../reconciler/model/sensitive.js';
import type { Action, Plan } from '../../reconciler/plan/types.js';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.js';

const DOCKER_HOST = process.env.DOCKER_HOST ?? 'unix:///var/lib/sk-dev/multi/n1/docker.sock';
const SOCKET = DOCKER_HOST.replace(/^unix:\/\//, '');
const P = `skda${randomBytes(3).toString('hex')}`;
const INSTANCE = `${P}-inst`;
const OWNER = { kind: 'SwarmStack', namespace: 'it', name: P };
const labels = ownerLabels(OWNER, INSTANCE);

let proxy: CountingProxy;
let adapter: DockerSwarmAdapter;
let direct: Docker;
const hookCalls: string[] = [];

const net: DesiredObject = {
  kind: 'network',
  name: `${P}_net`,
  spec: { Name: `${P}_net`, Driver: 'overlay', Attachable: true, Labels: labels },
};
const cfg: DesiredObject = {
  kind: 'config',
  name: `${P}_cfg-1`,
  logicalName: `${P}_cfg`,
  hash: '1',
  spec: { Name: `${P}_cfg-1`, Labels: labels, Data: Buffer.from('hello config').toString('base64') },
};
const secretValue = Buffer.from(`s3cr3t-${P}`).toString('base64');
const sec: DesiredObject = {
  kind: 'secret',
  name: `${P}_sec-1`,
  logicalName: `${P}_sec`,
  hash: '1',
  spec: { Name: `${P}_sec-1`, Labels: labels, Data: new Sensitive(secretValue) },
};
function serviceSpec(env: string[]): ServiceSpec {
  return {
    Name: `${P}_web`,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: 'local/busybox:1',
        Args: ['sleep', '3600'],
        Env: env,
        Configs: [
          { ConfigName: `${P}_cfg-1`, File: { Name: '/etc/app.conf', UID: '0', GID: '0', Mode: 0o444 } },
        ],
        Secrets: [
          { SecretName: `${P}_sec-1`, File: { Name: 'app-secret', UID: '0', GID: '0', Mode: 0o400 } },
        ],
      },
      Networks: [{ Target: `${P}_net`, Aliases: ['web'] }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: 'dnsrr' },
  };
}
const svc: DesiredObject = { kind: 'service', name: `${P}_web`, spec: serviceSpec(['A=1']) };

const plan = (actions: Action[]): Plan => ({ owner: 'SwarmStack/it/x', actions, blocked: [] });
const create = (o: DesiredObject): Action => ({ op: 'create', kind: o.kind, name: o.name, desired: o });
const byName = (objects: ObservedObject[], name: string): ObservedObject | undefined =>
  objects.find((o) => o.name === name);

async function cleanup(): Promise<void> {
  const mine = <T extends { Spec?: { Name?: string }; Name?: string }>(xs: T[]): T[] =>
    xs.filter((x) => (x.Spec?.Name ?? x.Name ?? '').startsWith(P));
  for (const s of mine(await direct.listServices()))
    await direct
      .getService(s.ID)
      .remove()
      .catch(() => undefined);
  for (const c of mine((await direct.listConfigs()) as { ID: string; Spec: { Name: string } }[]))
    await direct
      .getConfig(c.ID)
      .remove()
      .catch(() => undefined);
  for (const c of mine((await direct.listSecrets()) as { ID: string; Spec: { Name: string } }[]))
    await direct
      .getSecret(c.ID)
      .remove()
      .catch(() => undefined);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const nets = mine(await direct.listNetworks());
    if (nets.length === 0 || Date.now() > deadline) break;
    for (const n of nets)
      await direct
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 250)); // polling the network's release by its tasks, with a deadline
  }
}

beforeAll(async () => {
  proxy = await startCountingProxy(SOCKET);
  direct = dockerFromEnv({ DOCKER_HOST }).docker;
  adapter = DockerSwarmAdapter.fromEnv(
    { DOCKER_HOST: `unix://${proxy.socketPath}` },
    { onApiCall: (m, route) => hookCalls.push(`${m} ${route}`), registryAuth: { auths: {} } },
  ).adapter;
});

afterAll(async () => {
  if (direct) await cleanup();
  await proxy?.close();
});

describe('DockerSwarmAdapter on a real swarm', () => {
  let serviceId = '';
  let networkId = '';

  it('creates a network, config, secret and service from a hand-made plan', async () => {
    const events: string[] = [];
    const results = await adapter.apply(plan([create(svc), create(net), create(cfg), create(sec)]), {
      onProgress: (e) => events.push(`${e.phase}:${e.action.kind}`),
    });
    expect(results.map((r) => [r.action.kind, r.ok, r.error?.message])).toEqual([
      ['service', true, undefined],
      ['network', true, undefined],
      ['config', true, undefined],
      ['secret', true, undefined],
    ]);
    serviceId = results[0]!.id!;
    networkId = results[1]!.id!;
    expect(events.indexOf('done:service')).toBeGreaterThan(events.indexOf('done:secret'));
    const inspected = (await direct.getService(serviceId).inspect()) as { Spec: ServiceSpec };
    const secretId = results[3]!.id!;
    expect(inspected.Spec.TaskTemplate.ContainerSpec.Secrets![0]!.SecretID).toBe(secretId);
    expect(inspected.Spec.TaskTemplate.ContainerSpec.Configs![0]!.ConfigID).toBe(results[2]!.id);
    expect(inspected.Spec.TaskTemplate.Networks![0]!.Target).toBe(networkId);
    // the secret's data went only into the create body: no request path carried it
    expect(Object.keys(proxy.counts()).join()).not.toContain(secretValue);
  });

  it('observes them as owned, with network targets normalised to names', async () => {
    const state = await adapter.observe({ instanceId: INSTANCE });
    const service = byName(state.objects, `${P}_web`)!;
    expect(service).toMatchObject({ kind: 'service', id: serviceId, labels });
    expect(service.version).toBeGreaterThan(0);
    expect((service.spec as ServiceSpec).TaskTemplate.Networks).toEqual([
      { Target: `${P}_net`, Aliases: ['web'] },
    ]);
    expect(byName(state.objects, `${P}_net`)).toMatchObject({
      kind: 'network',
      id: networkId,
      spec: { Name: `${P}_net`, Driver: 'overlay', Scope: 'swarm', Attachable: true, Labels: labels },
    });
    expect(byName(state.objects, `${P}_cfg-1`)!.spec).toEqual({
      Name: `${P}_cfg-1`,
      Labels: labels,
      Data: cfg.spec.Data,
    });
    expect(byName(state.objects, `${P}_sec-1`)!.spec).toEqual({ Name: `${P}_sec-1`, Labels: labels });
    expect(state.objects.every((o) => o.labels['swarmkeeper.io/instance'] === INSTANCE)).toBe(true);
  });

  it('observe makes a constant number of Docker calls, independent of the number of objects', async () => {
    const query = {
      instanceId: INSTANCE,
      names: { service: [`${P}_web`], config: [`${P}_x`] },
      stackNamespaces: [P],
    };
    proxy.reset();
    hookCalls.length = 0;
    await adapter.observe(query);
    const before = proxy.counts();
    expect(hookCalls).toHaveLength(proxy.total()); // the onApiCall hook sees every request
    const extra = Array.from({ length: 6 }, (_, i): DesiredObject => ({
      kind: 'config',
      name: `${P}_extra${i}`,
      logicalName: `${P}_extra${i}`,
      hash: 'h',
      spec: { Name: `${P}_extra${i}`, Labels: labels, Data: 'eA==' },
    }));
    expect((await adapter.apply(plan(extra.map(create)))).every((r) => r.ok)).toBe(true);
    proxy.reset();
    const state = await adapter.observe(query);
    expect(state.objects.filter((o) => o.name.startsWith(`${P}_extra`))).toHaveLength(6);
    expect(proxy.counts()).toEqual(before);
    expect(proxy.writes()).toBe(0);
    const removes = state.objects
      .filter((o) => o.name.startsWith(`${P}_extra`))
      .map((o): Action => ({ op: 'remove', kind: 'config', name: o.name, id: o.id, why: 'pruned' }));
    expect((await adapter.apply(plan(removes))).every((r) => r.ok)).toBe(true);
  });

  it('retries an update sent with a stale version and succeeds', async () => {
    const observed = byName((await adapter.observe({ instanceId: INSTANCE })).objects, `${P}_web`)!;
    // out-of-band change between observe and apply: the observed version is now stale
    const current = (await direct.getService(serviceId).inspect()) as {
      Version: { Index: number };
      Spec: ServiceSpec;
    };
    await direct.getService(serviceId).update({
      version: current.Version.Index,
      ...current.Spec,
      Labels: { ...current.Spec.Labels, oob: '1' },
    });
    proxy.reset();
    const desired: DesiredObject = { kind: 'service', name: `${P}_web`, spec: serviceSpec(['A=2']) };
    const [res] = await adapter.apply(
      plan([
        {
          op: 'update',
          kind: 'service',
          name: desired.name,
          id: serviceId,
          version: observed.version,
          desired,
          changes: [],
          labelsOnly: false,
        },
      ]),
    );
    expect(res!.error?.message).toBeUndefined();
    expect(res!.ok).toBe(true);
    expect(proxy.counts()['POST /services/{id}/update'.replace('{id}', serviceId)]).toBe(2);
    expect(proxy.counts()[`GET /services/${serviceId}`]).toBe(1);
    const after = (await direct.getService(serviceId).inspect()) as { Spec: ServiceSpec };
    expect(after.Spec.TaskTemplate.ContainerSpec.Env).toEqual(['A=2']);
    expect(after.Spec.Labels).not.toHaveProperty('oob');
  });

  it('recreates a network: detaches the service, replaces the network, re-attaches by name', async () => {
    const desired: DesiredObject = {
      kind: 'network',
      name: `${P}_net`,
      spec: { Name: `${P}_net`, Driver: 'overlay', Attachable: true, Labels: { ...labels, generation: '2' } },
    };
    const [res] = await adapter.apply(
      plan([
        {
          op: 'recreate',
          kind: 'network',
          name: `${P}_net`,
          id: networkId,
          desired,
          changes: [],
          affectedServices: [`${P}_web`],
        },
      ]),
    );
    expect(res!.error?.message).toBeUndefined();
    expect(res!.id).not.toBe(networkId);
    const state = await adapter.observe({ instanceId: INSTANCE });
    expect(byName(state.objects, `${P}_net`)).toMatchObject({ id: res!.id, labels: { generation: '2' } });
    const service = byName(state.objects, `${P}_web`)!;
    expect((service.spec as ServiceSpec).TaskTemplate.Networks).toEqual([
      { Target: `${P}_net`, Aliases: ['web'] },
    ]);
    networkId = res!.id!;
  });

  it('removes services first, then the rest; removing again succeeds (404)', async () => {
    const state = await adapter.observe({ instanceId: INSTANCE });
    const removes = state.objects.map((o): Action => ({
      op: 'remove',
      kind: o.kind,
      name: o.name,
      id: o.id,
      why: 'pruned',
    }));
    expect(removes.map((a) => a.kind).sort()).toEqual(['config', 'network', 'secret', 'service']);
    const results = await adapter.apply(plan(removes));
    expect(results.map((r) => r.error?.message)).toEqual([undefined, undefined, undefined, undefined]);
    // the node keeps its local copy of the overlay network until the old task's container is gone
    await vi.waitFor(
      async () => expect((await adapter.observe({ instanceId: INSTANCE })).objects).toEqual([]),
      {
        timeout: 60_000,
        interval: 250,
      },
    );
    const again = await adapter.apply(plan(removes));
    expect(again.every((r) => r.ok)).toBe(true);
  });

  it('the counting proxy passes streaming responses through (events)', async () => {
    const viaProxy = dockerFromEnv({ DOCKER_HOST: `unix://${proxy.socketPath}` }).docker;
    const stream = (await viaProxy.getEvents({ filters: { type: ['config'] } })) as NodeJS.ReadableStream & {
      destroy(): void;
    };
    const seen = new Promise<string>((resolve) => {
      let buf = '';
      stream.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        if (buf.includes(`${P}_evt`)) resolve(buf);
      });
    });
    const cfgId = (await direct.createConfig({ Name: `${P}_evt`, Data: 'eA==' })).id;
    expect(await seen).toContain('"Action":"create"');
    stream.destroy();
    await direct.getConfig(cfgId).remove();
    expect(proxy.counts()['GET /events']).toBe(1);
  });
});
