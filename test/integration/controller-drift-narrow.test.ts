// Drift is corrected from lists by name, not by label (reconciler/desired/observe-query.ts): at
// 10,000 services dockerd scans every service for a label filter. Walked on the real lab through a
// counting proxy that records every Docker call of `swarmkeeper run`, with a stack that uses
// everything the by-name lists must still find: a custom-named network and config, an external
// network, configs and a secret versioned by content, two services.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.js';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import {
  StatusReader,
  cleanupSwarm,
  docker,
  labVars,
  serviceSpec,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';

const id = uniq('sknarrow');
const p = uniq('n');
const src = tempSource('sk-narrow');
const status = new StatusReader(id);
const KEY = `SwarmStack/default/${p}`;
const EDGE = `${p}-edge`;
let proxy: CountingProxy;
let ctl: ControllerProcess;

const COMPOSE = `services:
  web:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    networks: [front, edge]
    configs: [site, { source: custom, target: /custom }]
    secrets: [token]
    deploy: { replicas: 1, endpoint_mode: dnsrr }
  side:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    deploy: { replicas: 1, endpoint_mode: dnsrr }
networks:
  front: { name: ${p}-front, driver: overlay }
  edge: { external: true, name: ${EDGE} }
configs:
  site: { file: ./site.txt }
  custom: { name: ${p}-custom, file: ./custom.txt }
secrets:
  token: { file: ./token.txt }
`;

function write(file: string, text: string): void {
  mkdirSync(src.path(p), { recursive: true });
  writeFileSync(src.path(p, file), text);
}

/** Swarm object ids of a kind whose names start with `prefix`, sorted. */
async function ids(kind: 'config' | 'secret' | 'network', prefix: string): Promise<string[]> {
  const out = await docker(kind, 'ls', '--format', '{{.ID}} {{.Name}}');
  return out
    .split('\n')
    .filter((l) => l.split(' ')[1]?.startsWith(prefix))
    .map((l) => l.split(' ')[0]!)
    .sort();
}

async function objectIds(): Promise<string[]> {
  const all = await Promise.all([
    ids('config', `${p}_site`),
    ids('config', `${p}-custom`),
    ids('secret', `${p}_token`),
    ids('network', `${p}-front`),
  ]);
  return all.flat();
}

const replicas = async (svc: string) => (await serviceSpec(`${p}_${svc}`))?.replicas;
const lists = (reqs: string[]) => reqs.filter((r) => /^GET \/(services|configs|secrets|networks)\?/.test(r));

/**
 * Makes `change`, then returns the controller's Docker calls until `done` holds and two
 * reconciles of the stack ended since (the one that put it back, and the one its own write's
 * event started, which confirms it).
 */
async function callsOf(
  what: string,
  change: () => Promise<unknown>,
  done: () => Promise<boolean>,
): Promise<string[]> {
  const from = ctl.logs.length;
  proxy.reset();
  await change();
  await waitFor(`${what}\n${ctl.tail()}`, 30_000, async () => ((await done()) ? true : undefined), 100);
  const ended = () =>
    ctl.logs
      .slice(from)
      .filter((l) => l.msg === 'reconcile end' && l['key'] === KEY && l['outcome'] !== 'busy').length;
  await waitFor(`two reconciles of ${what}\n${ctl.tail()}`, 30_000, () => (ended() >= 2 ? true : undefined));
  return proxy.requests();
}

describe('swarmkeeper run: drift observed by name', () => {
  beforeAll(async () => {
    const { redisUrl, dockerHost } = labVars();
    await docker('network', 'create', '--driver', 'overlay', '--attachable', EDGE);
    write('docker-compose.yml', COMPOSE);
    write('site.txt', 'site v1\n');
    write('custom.txt', 'custom v1\n');
    write('token.txt', 'token v1\n');
    proxy = await startCountingProxy(dockerHost.slice('unix://'.length));
    ctl = await ControllerProcess.start({
      instanceId: id,
      sources: [src.dir],
      redisUrl,
      label: 'narrow',
      logLevel: 'debug',
      env: { DOCKER_HOST: `unix://${proxy.socketPath}` },
    });
    await waitFor(`${KEY} Ready\n${ctl.tail()}`, 90_000, async () =>
      (await status.condition(KEY, 'Ready'))?.status === 'True' ? true : undefined,
    );
  });

  afterAll(async () => {
    await killAll();
    await cleanupSwarm(id, { networks: [EDGE] });
    for (const s of await ids('secret', `${p}_`)) await docker('secret', 'rm', s).catch(() => undefined);
    await status.purge();
    status.close();
    await proxy.close();
    rmSync(src.dir, { recursive: true, force: true });
  });

  it('a scaled service is put back with lists by name only, and nothing else is written', async () => {
    const before = await objectIds();
    expect(before).toHaveLength(4);
    const calls = await callsOf(
      'web back to 1 replica',
      () => docker('service', 'scale', '--detach', `${p}_web=3`),
      async () => (await replicas('web')) === 1,
    );
    expect(lists(calls).length).toBeGreaterThan(0);
    expect(lists(calls).filter((r) => r.includes('label'))).toStrictEqual([]);
    const writes = calls.filter((r) => !r.startsWith('GET ') && !r.startsWith('HEAD '));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((w) => /^POST \/services\/[^/]+\/update/.test(w))).toBe(true);
    expect(await objectIds()).toStrictEqual(before);
    expect((await status.condition(KEY, 'Ready'))?.status).toBe('True');
  });

  it('a removed service is created again, by name', async () => {
    const calls = await callsOf(
      'side created again',
      () => docker('service', 'rm', `${p}_side`),
      async () => (await replicas('side')) === 1,
    );
    expect(lists(calls).filter((r) => r.includes('label'))).toStrictEqual([]);
    expect(calls.filter((r) => r.startsWith('POST /services/create'))).toHaveLength(1);
  });

  it('a changed file is observed by label; the drift after it by name, keeping both config versions', async () => {
    const rotated = await callsOf(
      'the custom config rotated',
      async () => write('custom.txt', 'custom v2\n'),
      async () => (await ids('config', `${p}-custom`)).length === 2,
    );
    expect(lists(rotated).some((r) => r.includes('label'))).toBe(true);
    await waitFor(`${KEY} Ready after the rotation\n${ctl.tail()}`, 60_000, async () =>
      (await status.condition(KEY, 'Ready'))?.status === 'True' ? true : undefined,
    );
    const versions = await objectIds();
    const calls = await callsOf(
      'web back to 1 replica again',
      () => docker('service', 'scale', '--detach', `${p}_web=2`),
      async () => (await replicas('web')) === 1,
    );
    expect(lists(calls).filter((r) => r.includes('label'))).toStrictEqual([]);
    expect(calls.filter((r) => r.startsWith('DELETE '))).toStrictEqual([]);
    expect(await objectIds()).toStrictEqual(versions);
  });
});
