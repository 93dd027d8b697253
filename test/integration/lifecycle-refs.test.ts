/**
 * The lifecycle of stacks whose services use configs, secrets (file and external), networks
 * (including the external `host`), volumes, ports and healthchecks, on the real lab through the
 * CLI: every change applies (exit 0) and the plan right after is empty (exit 0); a missing external
 * object fails the plan by name and writes nothing; adopting what `docker stack deploy` made leaves
 * every task template byte-identical; `swarmkeeper run` puts back a `docker service scale` of a
 * service with a config and a secret; deleting leaves nothing owned.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker as dockerCli, pollUntil, run, swarmkeeper } from './fidelity/support/cli.js';
import { ControllerProcess, killAll, waitFor } from './helpers/controller-process.js';
import {
  LABEL_INSTANCE,
  LABEL_OWNER,
  StatusReader,
  cleanupSwarm,
  engine,
  labVars,
  serviceSpec,
  tempSource,
  uniq,
} from './helpers/controller-swarm.js';

const ID = uniq('sklr');
const P = uniq('lr');
const STACK_CLI = process.env['SK_STACK_CLI'] ?? '/usr/local/bin/docker';
const src = tempSource('sk-lifecycle');
const sk = (...args: string[]) => swarmkeeper(ID, args);

interface Knobs {
  replicas: number;
  env: string;
  image: string;
  port: number;
  mount: string;
}
const START: Knobs = { replicas: 1, env: 'a', image: 'local/busybox:1', port: 18180, mount: '/data' };

function compose(k: Knobs): string {
  return `services:
  web:
    image: ${k.image}
    command: ["httpd", "-f", "-p", "8080"]
    environment: {MODE: "${k.env}"}
    configs: [{source: app, target: /etc/app.conf}]
    secrets: [pw, {source: ext, target: ext}]
    volumes: ["data:${k.mount}"]
    ports: [{target: 8080, published: ${k.port}, mode: host}]
    healthcheck: {test: ["CMD", "true"], interval: 1s, timeout: 1s, retries: 3}
    stop_grace_period: 1s
    networks: [back]
    deploy: {endpoint_mode: dnsrr}
  probe:
    image: local/busybox:1
    command: ["sleep", "100000"]
    stop_grace_period: 1s
    networks: [hostnet]
    deploy: {replicas: ${k.replicas}, endpoint_mode: dnsrr}
networks:
  back: {}
  hostnet: {external: true, name: host}
volumes:
  data: {}
configs:
  app: {file: ./app.conf}
secrets:
  pw: {file: ./pw.txt}
  ext: {external: true, name: ${P}ext}
`;
}

function writeStack(dir: string, k: Knobs, files: { app: string; pw: string }): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/app.conf`, files.app);
  writeFileSync(`${dir}/pw.txt`, files.pw);
  const file = `${dir}/docker-compose.yml`;
  writeFileSync(file, compose(k));
  return file;
}

type Raw = {
  ID: string;
  Version: { Index: number };
  Spec: { Name: string; Labels?: Record<string, string>; TaskTemplate: unknown };
};

async function rawServices(ns: string): Promise<Map<string, Raw>> {
  const d = engine();
  const list = await d.listServices({ filters: { label: [`com.docker.stack.namespace=${ns}`] } });
  const out = new Map<string, Raw>();
  // GET /services/{id}: the spec as the Engine stores it
  for (const s of list) out.set(s.Spec!.Name!, (await d.getService(s.ID).inspect()) as Raw);
  return out;
}

async function applyThenEmptyPlan(file: string, ...extra: string[]): Promise<void> {
  const a = await sk('apply', '-f', file, ...extra);
  expect(a.code, `apply\n${a.stdout}\n${a.stderr}`).toBe(0);
  const p = await sk('plan', '-f', file);
  expect(p.code, `plan right after apply\n${p.stdout}\n${p.stderr}`).toBe(0);
}

beforeAll(async () => {
  labVars();
  await dockerCli(['tag', 'local/busybox:1', 'local/busybox:2']);
  const r = await run('sh', ['-c', `printf ext-value | ${STACK_CLI} secret create ${P}ext -`]);
  if (r.code !== 0) throw new Error(r.stderr);
});

afterAll(async () => {
  await killAll();
  await cleanupSwarm(ID);
  for (const ns of [`${P}d`]) {
    await run(STACK_CLI, ['stack', 'rm', ns]);
  }
  await pollUntil('adopted stack gone', 60_000, async () =>
    (await rawServices(`${P}d`)).size === 0 ? true : undefined,
  );
  await run(STACK_CLI, ['secret', 'rm', `${P}ext`]);
  await run('sh', [
    '-c',
    `${STACK_CLI} config ls -q --filter label=com.docker.stack.namespace=${P}d | xargs -r ${STACK_CLI} config rm`,
  ]);
  await run('sh', [
    '-c',
    `${STACK_CLI} secret ls -q --filter label=com.docker.stack.namespace=${P}d | xargs -r ${STACK_CLI} secret rm`,
  ]);
  src.remove();
});

describe('lifecycle through the CLI: every change applies, and the next plan is empty', () => {
  const stack = `${P}a`;
  const dir = src.path('cli', stack);
  const file = `${dir}/docker-compose.yml`;
  let k = { ...START };
  let files = { app: 'one\n', pw: 'secret-1' };
  const spec = () => serviceSpec(`${stack}_web`);

  it('creates (configs, secrets, external secret and host network, volume, port, healthcheck)', async () => {
    writeStack(dir, k, files);
    await applyThenEmptyPlan(file);
    const web = (await rawServices(stack)).get(`${stack}_web`)!;
    const cs = (web.Spec.TaskTemplate as { ContainerSpec: Record<string, { [k: string]: string }[]> })
      .ContainerSpec;
    expect(cs['Configs']!.every((r) => r['ConfigID'] !== '')).toBe(true);
    const secrets = cs['Secrets']!.map((r) => r['SecretName']);
    expect(secrets).toHaveLength(2);
    expect(secrets).toEqual(
      expect.arrayContaining([`${P}ext`, expect.stringMatching(new RegExp(`^${stack}_pw-`))]),
    );
  });

  // Grouped to keep the run time down (each CLI call starts node): every kind of field still changes.
  it.each<[string, (k: Knobs) => Knobs, () => { app: string; pw: string } | undefined]>([
    [
      'replicas, env and image',
      (x) => ({ ...x, replicas: 2, env: 'b', image: 'local/busybox:2' }),
      () => undefined,
    ],
    ['config content and a secret rotation', (x) => x, () => ({ app: 'two\n', pw: 'secret-2' })],
    ['a port and a mount', (x) => ({ ...x, port: 18181, mount: '/data2' }), () => undefined],
  ])('changes %s: apply exits 0, the plan after is empty', async (_what, knob, content) => {
    k = knob(k);
    files = content() ?? files;
    writeStack(dir, k, files);
    await applyThenEmptyPlan(file);
    const s = await spec();
    expect(s).toMatchObject({ image: k.image, env: [`MODE=${k.env}`] });
    expect((await serviceSpec(`${stack}_probe`))?.replicas).toBe(k.replicas);
  });

  it('a missing external object fails plan and apply by name, and nothing of the stack is written', async () => {
    const bad = `${P}x`;
    const badDir = src.path('bad', bad);
    writeStack(badDir, START, files);
    writeFileSync(`${badDir}/docker-compose.yml`, compose(START).replace(`name: ${P}ext`, `name: ${P}nope`));
    const p = await sk('plan', '-f', `${badDir}/docker-compose.yml`);
    expect(p.code).toBe(1);
    const msg = `secrets.ext: external secret "${P}nope" does not exist (used by service ${bad}_web)`;
    expect(p.stderr + p.stdout).toContain(msg);
    const a = await sk('apply', '-f', `${badDir}/docker-compose.yml`);
    expect(a.code).toBe(1);
    expect(a.stderr + a.stdout).toContain(msg);
    const d = engine();
    const ns = { label: [`com.docker.stack.namespace=${bad}`] };
    expect((await d.listServices({ filters: ns })).length).toBe(0);
    expect((await d.listNetworks({ filters: ns })).length).toBe(0);
    expect((await d.listConfigs({ filters: ns })).length).toBe(0);
    expect((await d.listSecrets({ filters: ns })).length).toBe(0);
  });
});

describe('switching a service between replicated and global mode', () => {
  const name = `${P}m`;
  const cr = (mode: string, policy: string) => `apiVersion: swarmkeeper.io/v1alpha1
kind: SwarmStack
metadata: {name: ${name}}
spec:
  recreatePolicy: ${policy}
  compose:
    services:
      web:
        image: local/busybox:1
        command: ["sleep", "100000"]
        stop_grace_period: 1s
        deploy: {mode: ${mode}, endpoint_mode: dnsrr}
`;
  const file = src.path('mode', `${name}.yaml`);

  it('is blocked by name with recreatePolicy Never, and recreated (remove + create) with Always', async () => {
    mkdirSync(src.path('mode'), { recursive: true });
    writeFileSync(file, cr('replicated', 'Never'));
    await applyThenEmptyPlan(file);
    writeFileSync(file, cr('global', 'Never'));
    const blocked = await sk('plan', '-f', file);
    expect(blocked.stdout).toContain(
      `service ${name}_web must be removed and created again to change its mode from replicated to global`,
    );
    writeFileSync(file, cr('global', 'Always'));
    const p = await sk('plan', '-f', file);
    expect(p.stdout).toContain(`-/+ recreate service ${name}_web`);
    await applyThenEmptyPlan(file);
    const raw = (await rawServices(name)).get(`${name}_web`)!;
    expect((raw.Spec as { Mode?: unknown }).Mode).toEqual({ Global: {} });
  });
});

describe('adopting a stack docker stack deploy made', () => {
  const stack = `${P}d`;
  const dir = src.path('adopt', stack);
  const files = { app: 'adopt-me\n', pw: 'pw-adopt' };

  it('--adopt changes only labels: task templates byte-identical, config and secret adopted under their names', async () => {
    const file = writeStack(dir, { ...START, port: 18190 }, files);
    const dep = await run(STACK_CLI, ['stack', 'deploy', '--resolve-image', 'never', '-c', file, stack], {
      cwd: dir,
    });
    expect(dep.code, dep.stderr).toBe(0);
    const before = await rawServices(stack);
    expect(before.size).toBe(2);
    const d = engine();
    const cfgBefore = await d.listConfigs({ filters: { name: [`${stack}_app`] } });
    expect(cfgBefore.map((c) => c.Spec?.Name)).toEqual([`${stack}_app`]);

    await applyThenEmptyPlan(file, '--adopt');

    const after = await rawServices(stack);
    for (const [name, b] of before) {
      const a = after.get(name)!;
      expect(a.ID).toBe(b.ID);
      expect(JSON.stringify(a.Spec.TaskTemplate), `${name} task template`).toBe(
        JSON.stringify(b.Spec.TaskTemplate),
      );
      expect(a.Spec.Labels?.[LABEL_OWNER]).toBe(`SwarmStack/default/${stack}`);
    }
    const cfgAfter = await d.listConfigs({ filters: { name: [`${stack}_app`] } });
    expect(cfgAfter.map((c) => [c.ID, c.Spec?.Labels?.[LABEL_INSTANCE]])).toEqual([[cfgBefore[0]!.ID, ID]]);
    const sec = await d.listSecrets({ filters: { name: [`${stack}_pw`] } });
    expect(sec.map((s) => s.Spec?.Labels?.[LABEL_OWNER])).toEqual([`SwarmStack/default/${stack}`]);
  });

  it('the first content change rotates the adopted config to a hashed name', async () => {
    await applyThenEmptyPlan(writeStack(dir, { ...START, port: 18190 }, { ...files, app: 'changed\n' }));
    const web = (await rawServices(stack)).get(`${stack}_web`)!;
    expect(JSON.stringify(web.Spec.TaskTemplate)).toMatch(
      new RegExp(`"ConfigName":"${stack}_app-[0-9a-f]{10}"`),
    );
  });
});

describe('swarmkeeper run puts back drift on a service with a config and a secret', () => {
  const stack = `${P}r`;
  let ctl: ControllerProcess;
  const status = new StatusReader(ID);

  beforeAll(async () => {
    writeStack(src.path('run', stack), { ...START, port: 18200 }, { app: 'run\n', pw: 'run-pw' });
    ctl = await ControllerProcess.start({
      instanceId: ID,
      sources: [src.path('run')],
      redisUrl: labVars().redisUrl,
      label: 'lifecycle',
    });
    await waitFor(`${stack} Ready\n${ctl.tail()}`, 90_000, async () =>
      (await status.condition(`SwarmStack/default/${stack}`, 'Ready'))?.status === 'True' ? true : undefined,
    );
  });

  afterAll(async () => {
    await killAll();
    await status.purge();
    status.close();
  });

  it('docker service scale is put back', async () => {
    await dockerCli(['service', 'scale', '--detach', `${stack}_web=3`]);
    await waitFor(`${stack}_web scaled back to 1\n${ctl.tail()}`, 30_000, async () => {
      const s = await serviceSpec(`${stack}_web`);
      return s !== undefined && s.replicas === 1 && s.version > 0 ? true : undefined;
    });
    await dockerCli(['service', 'update', '--detach', '--env-add', 'X=1', `${stack}_web`]);
    await waitFor(`${stack}_web env put back\n${ctl.tail()}`, 30_000, async () => {
      const s = await serviceSpec(`${stack}_web`);
      return s !== undefined && JSON.stringify(s.env) === JSON.stringify(['MODE=a']) ? true : undefined;
    });
    expect(ctl.logs.filter((l) => JSON.stringify(l['err'] ?? '').includes('malformed'))).toEqual([]);
  });
});

describe('delete', () => {
  it('apply --prune of an empty directory leaves nothing this instance owns', async () => {
    await killAll();
    const empty = src.path('empty');
    mkdirSync(empty, { recursive: true });
    const a = await sk('apply', '-f', empty, '--prune', '--allow-empty');
    expect(a.code, `${a.stdout}\n${a.stderr}`).toBe(0);
    const d = engine();
    const label = { label: [`${LABEL_INSTANCE}=${ID}`] };
    await pollUntil('nothing owned left', 60_000, async () => {
      const left = [
        ...(await d.listServices({ filters: label })).map((s) => s.Spec?.Name),
        ...(await d.listNetworks({ filters: label })).map((n) => n.Name),
        ...(await d.listConfigs({ filters: label })).map((c) => c.Spec?.Name),
        ...(await d.listSecrets({ filters: label })).map((s) => s.Spec?.Name),
      ];
      return left.length === 0 ? true : undefined;
    });
  });
});
