/**
 * Acceptance of `swarmkeeper apply` / `plan` / `status` on a real swarm, driven through the CLI:
 * examples/ (copied with run-unique names) is applied, re-applied without a single Docker write,
 * changed one field at a time, pruned service by service and stack by stack, while objects made by
 * hand in the same stack namespace are never touched. The tests run in order and share the swarm state.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExamples, editYaml, type ExampleCopy } from './helpers/examples.js';
import { pollUntil } from './helpers/poll.js';
import { type CountingProxy, startDockerProxy, writeCalls } from './helpers/proxy.js';
import { assertBuilt, docker, show, swarmkeeper } from './helpers/run.js';
import {
  LABEL_INSTANCE,
  LABEL_NAMESPACE,
  LABEL_OWNER,
  cleanup,
  exists,
  networkLabels,
  objectVersion,
  replicaCounts,
  service,
  versions,
} from './helpers/swarm.js';
import { tempDir } from './helpers/tmp.js';

const RUN = randomBytes(2).toString('hex');
const INSTANCE = `cli-apply-${RUN}`;
const tmp = tempDir('sk-cli-apply-');
const cli = { instanceId: INSTANCE };
let ex: ExampleCopy;
let proxy: CountingProxy;
/** The CLI talking through the counting proxy. */
const counted = {
  instanceId: INSTANCE,
  get socketPath(): string {
    return proxy.socketPath;
  },
};

/** Objects created by hand with the web stack's namespace label but no swarmkeeper labels. */
const manual = (): { service: string; network: string; volume: string } => ({
  service: `${ex.webStack}_manual`,
  network: `${ex.webStack}_manualnet`,
  volume: `${ex.webStack}_manualvol`,
});
const manualVersions: Record<string, string | undefined> = {};

async function manualState(): Promise<Record<string, string | undefined>> {
  const m = manual();
  return {
    service: String((await service(m.service))?.version),
    network: await objectVersion('network', m.network),
    volume: await objectVersion('volume', m.volume),
  };
}

beforeAll(async () => {
  assertBuilt();
  ex = copyExamples(join(tmp.dir, 'src'), `ca${RUN}`, 18_000 + (parseInt(RUN, 16) % 1000));
  proxy = await startDockerProxy();
});

afterAll(async () => {
  await cleanup({ instanceId: INSTANCE, namespaces: [ex.webStack, ex.apiStack] });
  await proxy.close();
  tmp.remove();
});

describe('swarmkeeper apply -f examples/', () => {
  it('creates every resource, owned by this instance, and --wait returns once all replicas run', async () => {
    const r = await swarmkeeper(cli, ['apply', '-f', ex.dir, '--wait', '--timeout', '2m']);
    expect(r.code, show(r)).toBe(0);

    const counts = await replicaCounts(`${LABEL_INSTANCE}=${INSTANCE}`);
    expect(Object.fromEntries(counts)).toEqual({
      [ex.services.api]: { running: 2, desired: 2 },
      [ex.services.frontend]: { running: 1, desired: 1 },
      [ex.services.worker]: { running: 2, desired: 2 },
    });
    for (const [name, owner] of [
      [ex.services.api, ex.owners.api],
      [ex.services.frontend, ex.owners.web],
      [ex.services.worker, ex.owners.web],
    ] as const) {
      const s = await service(name);
      expect(s?.labels[LABEL_OWNER], name).toBe(owner);
      expect(s?.labels[LABEL_INSTANCE], name).toBe(INSTANCE);
    }
    expect(await networkLabels(ex.network)).toMatchObject({
      [LABEL_OWNER]: ex.owners.network,
      [LABEL_INSTANCE]: INSTANCE,
    });
    expect(await networkLabels(`${ex.webStack}_default`)).toMatchObject({
      [LABEL_OWNER]: ex.owners.web,
      [LABEL_NAMESPACE]: ex.webStack,
    });
  });

  it('a second apply makes zero Docker writes, and plan then exits 0', async () => {
    proxy.reset();
    const r = await swarmkeeper(counted, ['apply', '-f', ex.dir]);
    expect(r.code, show(r)).toBe(0);
    expect(proxy.total(), 'the CLI went through the proxy').toBeGreaterThan(0);
    expect(writeCalls(proxy), show(r)).toEqual({});
    expect(proxy.writes()).toBe(0);
    expect(r.stdout.match(/^ {2}unchanged$/gm)).toHaveLength(3);

    const p = await swarmkeeper(cli, ['plan', '-f', ex.dir]);
    expect(p.code, show(p)).toBe(0);
  });

  it('status -o json lists the managed resources with their health and sync state', async () => {
    const r = await swarmkeeper(cli, ['status', '-o', 'json']);
    expect(r.code, show(r)).toBe(0);
    const rows = (JSON.parse(r.stdout) as { resources: Record<string, unknown>[] }).resources;
    expect(rows).toEqual([
      { resource: ex.owners.network, sync: '-', health: '-', services: '-', objects: 1 },
      {
        resource: ex.owners.api,
        sync: '-',
        health: 'Healthy',
        services: `${ex.services.api} 2/2`,
        objects: 1,
      },
      {
        resource: ex.owners.web,
        sync: '-',
        health: 'Healthy',
        services: `${ex.services.frontend} 1/1, ${ex.services.worker} 2/2`,
        objects: 4, // 2 services, the default network, the index config
      },
    ]);

    const s = await swarmkeeper(cli, ['status', '-f', ex.dir, '-o', 'json']);
    expect(s.code, show(s)).toBe(0);
    const sync = (JSON.parse(s.stdout) as { resources: { resource: string; sync: string }[] }).resources;
    expect(sync.map((x) => [x.resource, x.sync])).toEqual([
      [ex.owners.network, 'InSync'],
      [ex.owners.api, 'InSync'],
      [ex.owners.web, 'InSync'],
    ]);
  });

  it('changing one field updates exactly that one service', async () => {
    editYaml(ex.webFile, (d) => {
      d['services'].worker.environment.WORKER_NAME = 'worker-2';
    });
    const all = [ex.services.api, ex.services.frontend, ex.services.worker];
    const before = await versions(all);

    const p = await swarmkeeper(cli, ['plan', '-f', ex.dir]);
    expect(p.code, show(p)).toBe(2);
    expect(p.stdout).toContain(`~ update service ${ex.services.worker}\n`);
    expect(p.stdout).toContain('"WORKER_NAME=worker" -> "WORKER_NAME=worker-2"');
    expect(p.stdout).not.toContain(ex.services.frontend);
    expect(p.stdout).not.toContain(ex.services.api);
    expect(p.stdout.match(/^Plan: /gm)).toHaveLength(1);

    proxy.reset();
    const r = await swarmkeeper(counted, ['apply', '-f', ex.dir]);
    expect(r.code, show(r)).toBe(0);
    const worker = await service(ex.services.worker);
    expect(writeCalls(proxy)).toEqual({ [`POST /services/${worker!.id}/update`]: 1 });
    expect(worker!.env).toEqual(['WORKER_NAME=worker-2']);

    const after = await versions(all);
    expect(after[ex.services.api]).toBe(before[ex.services.api]);
    expect(after[ex.services.frontend]).toBe(before[ex.services.frontend]);
    expect(after[ex.services.worker]).toBeGreaterThan(before[ex.services.worker]!);
  });

  it('a service removed from the file stays without --prune and is removed with --prune; hand-made objects are untouched', async () => {
    const m = manual();
    const ns = `${LABEL_NAMESPACE}=${ex.webStack}`;
    await docker(['network', 'create', '--driver', 'overlay', '--label', ns, m.network]);
    await docker(['volume', 'create', '--label', ns, m.volume]);
    await docker([
      'service',
      'create',
      '--detach',
      '--name',
      m.service,
      '--label',
      ns,
      '--container-label',
      ns,
      '--stop-grace-period',
      '1s',
      '--endpoint-mode',
      'dnsrr',
      'local/busybox:1',
      'sleep',
      '100000',
    ]);
    Object.assign(manualVersions, await manualState());
    expect(Object.values(manualVersions)).not.toContain(undefined);
    expect(manualVersions['service']).not.toBe('undefined');

    editYaml(ex.webFile, (d) => {
      delete d['services'].worker;
    });
    const frontendBefore = (await service(ex.services.frontend))!.version;

    const plan = await swarmkeeper(cli, ['plan', '-f', ex.dir]);
    expect(plan.code, show(plan)).toBe(0);
    const keep = await swarmkeeper(cli, ['apply', '-f', ex.dir]);
    expect(keep.code, show(keep)).toBe(0);
    expect(await exists('service', ex.services.worker)).toBe(true);

    const planPrune = await swarmkeeper(cli, ['plan', '-f', ex.dir, '--prune']);
    expect(planPrune.code, show(planPrune)).toBe(2);
    expect(planPrune.stdout).toContain(`- remove service ${ex.services.worker}`);
    expect(planPrune.stdout).not.toContain('manual');
    expect(planPrune.stdout.match(/^- remove /gm)).toHaveLength(1);

    const prune = await swarmkeeper(cli, ['apply', '-f', ex.dir, '--prune']);
    expect(prune.code, show(prune)).toBe(0);
    expect(await exists('service', ex.services.worker)).toBe(false);
    expect((await service(ex.services.frontend))!.version).toBe(frontendBefore);
    expect(await manualState()).toEqual(manualVersions);
    expect((await service(m.service))!.labels).toEqual({ [LABEL_NAMESPACE]: ex.webStack });

    const again = await swarmkeeper(cli, ['plan', '-f', ex.dir, '--prune']);
    expect(again.code, show(again)).toBe(0);
  });

  it('deleting a stack folder + apply --prune removes that stack, and only its owned objects', async () => {
    rmSync(join(ex.dir, ex.webStack), { recursive: true });
    const apiBefore = (await service(ex.services.api))!.version;

    const r = await swarmkeeper(cli, ['apply', '-f', ex.dir, '--prune']);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toContain(`${ex.owners.web} (removed from source)`);
    expect(await exists('service', ex.services.frontend)).toBe(false);
    const owned = `${LABEL_OWNER}=${ex.owners.web}`;
    await pollUntil(`objects of ${ex.owners.web} gone`, 60_000, async () => {
      for (const t of ['service', 'network', 'config'] as const)
        if ((await docker([t, 'ls', '-q', '--filter', `label=${owned}`])).stdout.trim() !== '')
          return undefined;
      return true;
    });
    expect((await service(ex.services.api))!.version).toBe(apiBefore);
    expect(await exists('network', ex.network)).toBe(true);
    expect(await manualState()).toEqual(manualVersions);
  });

  it('an empty directory + apply --prune is refused and removes nothing', async () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    proxy.reset();
    const r = await swarmkeeper(counted, ['apply', '-f', empty, '--prune']);
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toBe(
      'error: the directory holds no resources; refusing to prune everything without --allow-empty\n',
    );
    expect(writeCalls(proxy)).toEqual({});
    expect(await exists('service', ex.services.api)).toBe(true);
    expect(await exists('network', ex.network)).toBe(true);

    // ... and with --allow-empty every owned resource goes (stacks before the network they use).
    const all = await swarmkeeper(cli, ['apply', '-f', empty, '--prune', '--allow-empty']);
    expect(all.code, show(all)).toBe(0);
    expect(all.stdout.indexOf(ex.owners.api)).toBeLessThan(all.stdout.indexOf(ex.owners.network));
    expect(await exists('service', ex.services.api)).toBe(false);
    await pollUntil(`network ${ex.network} gone`, 60_000, async () =>
      (await exists('network', ex.network)) ? undefined : true,
    );
    expect(await manualState()).toEqual(manualVersions);
  });
});
