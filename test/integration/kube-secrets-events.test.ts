// `swarmkeeper run --kube` against a real kube-apiserver (test/kube harness `skkse`, its own) and
// the real lab Swarm + Redis: stack secrets from Kubernetes Secrets (spec.secretRefs) converge and
// rotate with the Secret, a missing Secret waits and converges as soon as it appears (the Secret
// watch), and events.k8s.io/v1 Events tell what happened (Applied, Warnings, Pruned), with floods
// folded into one Event's series count. The secret values appear in no log line, Event, status or
// service spec. Every wait polls.
import {
  CoreV1Api,
  type EventsV1Event,
  EventsV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeEnv, kubeDown, kubectl, kubeUp, run } from '../kube/harness.js';
import { ControllerProcess, killAll, metricSum, REPO, waitFor } from './helpers/controller-process.js';
import { cleanupSwarm, engine, labVars, LABEL_INSTANCE, uniq } from './helpers/controller-swarm.js';
import { cond, type Cr, dbRef, secretNameOf, service } from './helpers/kube-stack-shapes.js';

const KUBE_NAME = 'skkse';
const id = uniq('skkse');
const NS = uniq('skse');
const VALUE1 = `s3cr3t-${Math.random().toString(36).slice(2, 12)}`;
const VALUE2 = `s3cr3t-${Math.random().toString(36).slice(2, 12)}`;
const VALUE3 = `s3cr3t-${Math.random().toString(36).slice(2, 12)}`;
const VALUES = [VALUE1, VALUE2, VALUE3];

let env: KubeEnv;
let ctl: ControllerProcess;
let core: CoreV1Api;
let events: EventsV1Api;

function stack(
  name: string,
  opts: { secretRefs?: unknown[]; app?: Record<string, unknown>; compose?: Record<string, unknown> } = {},
): string {
  const app: Record<string, unknown> = {
    image: 'local/busybox:1',
    command: ['sh', '-c', 'exec sleep 100000'],
    stop_grace_period: '1s',
    deploy: { endpoint_mode: 'dnsrr' },
    ...(opts.secretRefs ? { secrets: ['db'] } : {}),
    ...opts.app,
  };
  return stringify({
    apiVersion: 'swarmkeeper.io/v1alpha1',
    kind: 'SwarmStack',
    metadata: { name, namespace: NS },
    spec: {
      compose: { services: { app }, ...(opts.secretRefs ? { secrets: { db: {} } } : {}), ...opts.compose },
      ...(opts.secretRefs ? { secretRefs: opts.secretRefs } : {}),
    },
  });
}

async function apply(manifest: string): Promise<void> {
  const r = await kubectl(env, ['apply', '-f', '-'], { input: manifest });
  if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
}

async function createSecret(name: string, data: Record<string, string>): Promise<void> {
  const args = Object.entries(data).map(([k, v]) => `--from-literal=${k}=${v}`);
  const r = await kubectl(env, ['-n', NS, 'create', 'secret', 'generic', name, ...args]);
  expect(r.code, r.stderr).toBe(0);
}

async function getCr(name: string): Promise<Cr | undefined> {
  const r = await kubectl(env, ['-n', NS, 'get', 'swarmstack', name, '-o', 'json']);
  if (r.code !== 0) {
    if (/NotFound/.test(r.stderr)) return undefined;
    throw new Error(r.stderr);
  }
  return JSON.parse(r.stdout) as Cr;
}

async function waitCondition(name: string, type: string, reason?: string, timeoutMs = 90_000): Promise<Cr> {
  return waitFor(
    `${name} ${type}=True${reason ? ` (${reason})` : ''}\n${ctl.tail()}`,
    timeoutMs,
    async () => {
      const cr = await getCr(name);
      const c = cond(cr, type);
      return cr &&
        c?.status === 'True' &&
        (!reason || c.reason === reason) &&
        cr.status?.observedGeneration === cr.metadata.generation
        ? cr
        : undefined;
    },
    200,
  );
}

/** Every events.k8s.io/v1 Event of the test namespace. */
async function nsEvents(): Promise<EventsV1Event[]> {
  return (await events.listNamespacedEvent({ namespace: NS })).items;
}

async function eventsAbout(name: string, reason?: string): Promise<EventsV1Event[]> {
  return (await nsEvents()).filter(
    (e) =>
      e.regarding?.name === name && e.regarding.kind === 'SwarmStack' && (!reason || e.reason === reason),
  );
}

function waitEvent(name: string, reason: string, timeoutMs = 30_000): Promise<EventsV1Event> {
  return waitFor(
    `an Event ${reason} about ${name}\n${ctl.tail()}`,
    timeoutMs,
    async () => (await eventsAbout(name, reason))[0],
  );
}

async function swarmSecretNames(): Promise<string[]> {
  const list = await engine().listSecrets({ filters: { label: [`${LABEL_INSTANCE}=${id}`] } });
  return list.map((s) => s.Spec?.Name ?? '').sort();
}

/** The value, in plain text and base64, is nowhere in `text`. */
function expectNoValues(what: string, text: string): void {
  for (const v of VALUES)
    for (const form of [v, Buffer.from(v).toString('base64')])
      expect(text.includes(form), `${what} contains a secret value`).toBe(false);
}

beforeAll(async () => {
  const { redisUrl } = labVars();
  // This file owns its harness: start from a fresh cluster, whatever an earlier run left.
  await kubeDown({ name: KUBE_NAME });
  env = await kubeUp({ name: KUBE_NAME });
  const install = await run(process.execPath, [
    `${REPO}bin/swarmkeeper.js`,
    'crds',
    'install',
    '--kubeconfig',
    env.kubeconfig,
  ]);
  expect(install.code, install.stderr).toBe(0);
  const ns = await kubectl(env, ['create', 'namespace', NS]);
  expect(ns.code, ns.stderr).toBe(0);
  const kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  events = kc.makeApiClient(EventsV1Api);
  await createSecret('db-creds', { password: VALUE1 });
  ctl = await ControllerProcess.start({
    instanceId: id,
    sources: [],
    redisUrl,
    label: 'kube',
    // debug: the value must not appear even in debug logs
    logLevel: 'debug',
    args: ['--kube', '--kubeconfig', env.kubeconfig, '--namespace', NS, '--backoff-max', '2s'],
  });
  await ctl.waitReady(60_000);
}, 300_000);

afterAll(async () => {
  await killAll();
  if (env) {
    // finalizers of a stopped controller would block the namespace deletion
    const list = await kubectl(env, ['-n', NS, 'get', 'swarmstacks', '-o', 'name']);
    for (const obj of list.stdout.split('\n').filter(Boolean))
      await kubectl(env, ['-n', NS, 'patch', obj, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  }
  await cleanupSwarm(id).catch(() => undefined);
  const d = engine();
  for (const s of await d.listSecrets({ filters: { label: [`${LABEL_INSTANCE}=${id}`] } }))
    await d
      .getSecret(s.ID)
      .remove()
      .catch(() => undefined);
  await kubeDown({ name: KUBE_NAME });
}, 180_000);

describe('swarmkeeper run --kube: stack secrets from Kubernetes Secrets, and Kubernetes Events', () => {
  let firstSecret: string;

  it('a SwarmStack with a secretRef converges; the service uses the Swarm secret; an Applied Event regards the CR', async () => {
    await apply(stack('vault', { secretRefs: dbRef('db-creds') }));
    const cr = await waitCondition('vault', 'Ready');
    const svc = await waitFor('vault_app with its secret', 30_000, async () => service('vault_app'));
    firstSecret = secretNameOf(svc)!;
    expect(firstSecret).toMatch(/^vault_db-[0-9a-f]{10}$/);
    expect(await swarmSecretNames()).toContain(firstSecret);

    const ev = await waitEvent('vault', 'Applied');
    expect(ev).toMatchObject({
      type: 'Normal',
      action: 'Reconcile',
      reportingController: 'swarmkeeper.io/controller',
      regarding: {
        apiVersion: 'swarmkeeper.io/v1alpha1',
        kind: 'SwarmStack',
        namespace: NS,
        uid: cr.metadata.uid,
      },
    });
    expect(ev.reportingInstance).toMatch(/\/\d+$/);
    expect(ev.note).toContain(`create secret ${firstSecret}`);
  });

  it('kubectl patching the Secret rotates the Swarm secret and the service follows', async () => {
    const patch = JSON.stringify({ stringData: { password: VALUE2 } });
    const r = await kubectl(env, ['-n', NS, 'patch', 'secret', 'db-creds', '--type=merge', '-p', patch]);
    expect(r.code, r.stderr).toBe(0);
    // no resync is near (default 10 min): the Secret watch triggers the reconcile
    const rotated = await waitFor(`vault_app uses a new secret\n${ctl.tail()}`, 60_000, async () => {
      const name = secretNameOf(await service('vault_app'));
      return name && name !== firstSecret ? name : undefined;
    });
    expect(rotated).toMatch(/^vault_db-[0-9a-f]{10}$/);
    expect(await swarmSecretNames()).toContain(rotated);
    await waitCondition('vault', 'Ready');
  });

  it('a reference to a missing Secret waits, and converges as soon as the Secret is created', async () => {
    await apply(stack('late', { secretRefs: dbRef('late-creds') }));
    const cr = await waitFor(`late waits for its Secret\n${ctl.tail()}`, 60_000, async () => {
      const c = await getCr('late');
      return cond(c, 'Ready')?.reason === 'DependencyNotReady' ? c : undefined;
    });
    expect(cond(cr, 'Ready')?.message).toContain(
      `k8s:SwarmStack/${NS}/late: spec.secretRefs[0]: secret ${NS}/late-creds not found`,
    );
    const started = Date.now();
    await createSecret('late-creds', { password: VALUE3 });
    await waitCondition('late', 'Ready');
    // the requeue of a missing Secret is 30 s: converging sooner is the watch's doing
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(secretNameOf(await service('late_app'))).toMatch(/^late_db-[0-9a-f]{10}$/);
  });

  it('bad CRs are Stalled with precise messages and yield Warning Events', async () => {
    // a key the Secret does not have: terminal, naming the field
    await createSecret('flood-creds', { other: 'x' });
    await apply(stack('nokey', { secretRefs: dbRef('flood-creds') }));
    const nokey = await waitCondition('nokey', 'Stalled');
    expect(cond(nokey, 'Stalled')?.message).toContain(
      `spec.secretRefs[0]: secret ${NS}/flood-creds has no key "password"`,
    );
    expect((await waitEvent('nokey', 'InvalidSpec')).type).toBe('Warning');

    // a composeFile: custom resources have no source directory
    await apply(
      stringify({
        apiVersion: 'swarmkeeper.io/v1alpha1',
        kind: 'SwarmStack',
        metadata: { name: 'fromfile', namespace: NS },
        spec: { composeFile: 'missing/compose.yaml' },
      }),
    );
    const ff = await waitEvent('fromfile', 'InvalidSpec');
    expect(ff.type).toBe('Warning');
    expect(ff.note).toContain('spec.composeFile: not supported for Kubernetes custom resources');

    // inline compose naming an env_file: nothing to read, said precisely
    await apply(stack('envfile', { app: { env_file: 'app.env' } }));
    const ef = await waitCondition('envfile', 'Stalled');
    expect(cond(ef, 'Stalled')).toMatchObject({ reason: 'FileUnreadable' });
    expect(cond(ef, 'Stalled')?.message).toContain(
      `k8s:SwarmStack/${NS}/envfile: spec.compose.services.app.env_file: inline compose from the Kubernetes API has no files to read`,
    );
    expect((await waitEvent('envfile', 'FileUnreadable')).type).toBe('Warning');

    // a network reference that does not exist
    await apply(stack('badnet', { app: { networks: ['backend'] } }));
    const bn = await waitEvent('badnet', 'InvalidReference');
    expect(bn.type).toBe('Warning');
    expect(bn.note).toContain('undefined network "backend"');
  });

  it('the same error 50 times makes one Event whose series counts the repeats', async () => {
    const errors = () =>
      ctl.metrics().then((m) => metricSum(m, 'swarmkeeper_reconcile_errors_total', { kind: 'SwarmStack' }));
    for (let i = 0; i < 50; i++) {
      const before = await errors();
      // any change of the referenced Secret reconciles nokey again: the same terminal error
      await core.patchNamespacedSecret(
        { namespace: NS, name: 'flood-creds', body: { metadata: { annotations: { flood: String(i) } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await waitFor(`reconcile ${i} of nokey\n${ctl.tail()}`, 15_000, async () =>
        (await errors()) > before ? true : undefined,
      );
    }
    // the series count is patched at most every 10 s
    const ev = await waitFor(`series count of nokey\n${ctl.tail()}`, 45_000, async () => {
      const list = await eventsAbout('nokey', 'InvalidSpec');
      return list.find((e) => (e.series?.count ?? 0) >= 50);
    });
    expect(ev.type).toBe('Warning');
    expect(await eventsAbout('nokey', 'InvalidSpec')).toHaveLength(1);
    expect((await eventsAbout('nokey')).length).toBeLessThanOrEqual(3);
    expect((await nsEvents()).length).toBeLessThan(40);
  });

  it('deleting a CR yields a Pruned Event; its Swarm secrets are removed', async () => {
    const del = await kubectl(env, ['-n', NS, 'delete', 'sst', 'vault', '--wait=false']);
    expect(del.code, del.stderr).toBe(0);
    await waitFor(`vault CR gone\n${ctl.tail()}`, 60_000, async () =>
      (await getCr('vault')) ? undefined : true,
    );
    const ev = await waitEvent('vault', 'Pruned');
    expect(ev).toMatchObject({ type: 'Normal', action: 'Delete' });
    expect(await service('vault_app')).toBeUndefined();
    expect((await swarmSecretNames()).filter((n) => n.startsWith('vault_'))).toEqual([]);
  });

  it('no secret value in the logs, the Events, the CR statuses or the Swarm service specs', async () => {
    expect(ctl.logs.length).toBeGreaterThan(0);
    expectNoValues('controller log', [...ctl.logs.map((l) => JSON.stringify(l)), ...ctl.raw].join('\n'));
    const evs = await nsEvents();
    expect(evs.length).toBeGreaterThan(0);
    expectNoValues('events', JSON.stringify(evs));
    const crs = await kubectl(env, ['-n', NS, 'get', 'swarmstacks', '-o', 'json']);
    expect(crs.stdout).toContain('"conditions"');
    expectNoValues('CR statuses', crs.stdout);
    const services = await engine().listServices({ filters: { label: [`${LABEL_INSTANCE}=${id}`] } });
    expect(services.length).toBeGreaterThan(0);
    const inspected = await Promise.all(services.map((s) => engine().getService(s.ID).inspect()));
    expectNoValues('service specs', JSON.stringify(inspected));
    // (the Swarm secret's data is the value itself: Swarm never returns it, so it is not read)
  });
});
