// `swarmkeeper run --kube` against a real kube-apiserver (test/kube harness, its own --name) and the
// real lab Swarm + Redis: custom resources converge the Swarm, status goes to the /status
// subresource (and only when it changed), finalizers drive deletion, semantically invalid CRs stall
// without touching the Swarm, and informers survive an API server restart. Every wait polls.
import {
  CustomObjectsApi,
  KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeEnv, kubeDown, kubectl, kubeUp, restartApiserver, run } from '../kube/harness.js';
import { ControllerProcess, killAll, metricSum, REPO, waitFor } from './helpers/controller-process.js';
import { cleanupSwarm, labVars, serviceSpec, servicesOf, uniq } from './helpers/controller-swarm.js';

const KUBE_NAME = process.env.SK_KUBE_NAME_KUBE_TESTS ?? 'skkube';
const id = uniq('skkube');
const NS = uniq('skk');
const RESYNC_MS = 2000;

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}
interface Cr {
  metadata: { name: string; generation: number; resourceVersion: string; finalizers?: string[] };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    services?: { name: string; runningReplicas: number; desiredReplicas: number; image: string }[];
    lastPlanSummary?: Record<string, number>;
  };
}

const cond = (cr: Cr | undefined, type: string): Condition | undefined =>
  cr?.status?.conditions?.find((c) => c.type === type);

let env: KubeEnv;
let ctl: ControllerProcess;
const watched: { type: string; cr: Cr }[] = [];
let recorder: ListWatch<Cr & KubernetesObject> | undefined;
let recorderStopped = false;

/** A SwarmStack with one busybox service that stops fast (dnsrr: the lab kernel has no IPVS). */
function stack(
  name: string,
  opts: { env?: Record<string, string>; spec?: Record<string, unknown>; networks?: string[] } = {},
): string {
  const app: Record<string, unknown> = {
    image: 'local/busybox:1',
    command: ['sh', '-c', 'exec sleep 100000'],
    stop_grace_period: '1s',
    deploy: { endpoint_mode: 'dnsrr' },
    ...(opts.env ? { environment: opts.env } : {}),
    ...(opts.networks ? { networks: opts.networks } : {}),
  };
  return stringify({
    apiVersion: 'swarmkeeper.io/v1alpha1',
    kind: 'SwarmStack',
    metadata: { name, namespace: NS },
    spec: { compose: { services: { app } }, ...opts.spec },
  });
}

async function apply(manifest: string): Promise<void> {
  const r = await kubectl(env, ['apply', '-f', '-'], { input: manifest });
  if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
}

async function getCr(name: string): Promise<Cr | undefined> {
  const r = await kubectl(env, ['-n', NS, 'get', 'swarmstack', name, '-o', 'json']);
  if (r.code !== 0) {
    if (/NotFound/.test(r.stderr)) return undefined;
    throw new Error(r.stderr);
  }
  return JSON.parse(r.stdout) as Cr;
}

/** Polls until the CR's Ready condition is True for its current generation. */
async function waitReady(name: string, timeoutMs = 90_000): Promise<Cr> {
  return waitFor(
    `${name} Ready for its generation\n${ctl.tail()}`,
    timeoutMs,
    async () => {
      const cr = await getCr(name);
      const ready = cond(cr, 'Ready');
      return cr && ready?.status === 'True' && cr.status?.observedGeneration === cr.metadata.generation
        ? cr
        : undefined;
    },
    200,
  );
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricSum(await ctl.metrics(), name, labels);
}

const dockerWrites = async () =>
  (await metric('swarmkeeper_docker_api_calls_total', { method: 'POST' })) +
  (await metric('swarmkeeper_docker_api_calls_total', { method: 'DELETE' }));

beforeAll(async () => {
  const { redisUrl } = labVars();
  env = await kubeUp({ name: KUBE_NAME });
  const install = await run(process.execPath, [
    `${REPO}bin/swarmkeeper.js`,
    'crds',
    'install',
    '--kubeconfig',
    env.kubeconfig,
  ]);
  expect(install.code, install.stderr).toBe(0);
  expect(install.stdout).toContain('customresourcedefinition/swarmstacks.swarmkeeper.io established');
  const ns = await kubectl(env, ['create', 'namespace', NS]);
  expect(ns.code, ns.stderr).toBe(0);
  const kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  // an informer, not a bare watch: it relists and rewatches when the API server ends the stream
  const path = `/apis/swarmkeeper.io/v1alpha1/namespaces/${NS}/swarmstacks`;
  const api = kc.makeApiClient(CustomObjectsApi);
  recorder = new ListWatch<Cr & KubernetesObject>(
    path,
    new Watch(kc),
    async () =>
      (await api.listNamespacedCustomObject({
        group: 'swarmkeeper.io',
        version: 'v1alpha1',
        namespace: NS,
        plural: 'swarmstacks',
      })) as KubernetesListObject<Cr & KubernetesObject>,
    false,
  );
  recorder.on('add', (obj) => watched.push({ type: 'ADDED', cr: obj }));
  recorder.on('update', (obj) => watched.push({ type: 'MODIFIED', cr: obj }));
  recorder.on('error', () => {
    if (!recorderStopped) setTimeout(() => void recorder?.start(), 500);
  });
  await recorder.start();
  ctl = await ControllerProcess.start({
    instanceId: id,
    sources: [],
    redisUrl,
    label: 'kube',
    args: ['--kube', '--kubeconfig', env.kubeconfig, '--namespace', NS, '--resync', `${RESYNC_MS}ms`],
  });
  await ctl.waitReady(60_000);
}, 300_000);

afterAll(async () => {
  recorderStopped = true;
  await recorder?.stop();
  await killAll();
  if (env) {
    // finalizers of a stopped controller would block the namespace deletion
    const list = await kubectl(env, ['-n', NS, 'get', 'swarmstacks', '-o', 'name']);
    for (const obj of list.stdout.split('\n').filter(Boolean))
      await kubectl(env, ['-n', NS, 'patch', obj, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await kubectl(env, ['delete', 'namespace', NS, '--wait=false']);
  }
  await cleanupSwarm(id);
  // Each file owns its harness: no state (a namespace stuck Terminating: there is no namespace
  // controller here) leaks into the next file or the next run.
  if (process.env.SK_KUBE_KEEP !== '1') await kubeDown({ name: KUBE_NAME });
}, 120_000);

describe('swarmkeeper run --kube', () => {
  it('converges a SwarmStack CR; kubectl shows Ready=True; observedGeneration follows generation', async () => {
    await apply(stack('web'));
    const cr = await waitReady('web');
    expect(cr.metadata.finalizers).toContain('swarmkeeper.io/cleanup');
    expect(cr.status?.observedGeneration).toBe(cr.metadata.generation);
    expect(cr.status?.services).toEqual([
      expect.objectContaining({ name: 'web_app', image: 'local/busybox:1', desiredReplicas: 1 }),
    ]);
    expect(cr.status?.lastPlanSummary).toBeDefined();
    const svc = await serviceSpec('web_app');
    expect(svc?.labels['swarmkeeper.io/owner']).toBe(`SwarmStack/${NS}/web`);
    const table = await kubectl(env, ['-n', NS, 'get', 'sst', 'web']);
    expect(table.stdout).toMatch(/^NAME\s+SERVICES\s+READY\s+REASON\s+AGE\n/);
    expect(table.stdout).toMatch(/\nweb\s+1\s+True\s+ReconciliationSucceeded\s+/);
  });

  it('kubectl apply -f of the example CRs (examples/network.yaml, examples/api/stack.yaml) converges', async () => {
    const r = await kubectl(env, [
      '-n',
      NS,
      'apply',
      '-f',
      `${REPO}examples/network.yaml`,
      '-f',
      `${REPO}examples/api/stack.yaml`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const cr = await waitReady('api');
    expect(cr.status?.services).toEqual([
      expect.objectContaining({ name: 'api_api', desiredReplicas: 2, runningReplicas: 2 }),
    ]);
    const net = await waitFor(`network shared Ready\n${ctl.tail()}`, 60_000, async () => {
      const n = await kubectl(env, ['-n', NS, 'get', 'swarmnetwork', 'shared', '-o', 'json']);
      const c = n.code === 0 ? (JSON.parse(n.stdout) as Cr) : undefined;
      return cond(c, 'Ready')?.status === 'True' ? c : undefined;
    });
    expect(net.status?.observedGeneration).toBe(net.metadata.generation);
    const del = await kubectl(env, ['-n', NS, 'delete', 'sst', 'api', '--wait=true', '--timeout=60s']);
    expect(del.code, del.stderr).toBe(0);
    expect(await serviceSpec('api_api')).toBeUndefined();
    const delNet = await kubectl(env, [
      '-n',
      NS,
      'delete',
      'swarmnetwork',
      'shared',
      '--wait=true',
      '--timeout=60s',
    ]);
    expect(delNet.code, delNet.stderr).toBe(0);
  });

  it('a spec edit goes Reconciling -> Ready; a converged resource gets no status write on resync', async () => {
    const before = await getCr('web');
    const from = watched.length;
    await apply(stack('web', { env: { EDITED: '1' } }));
    const done = await waitReady('web');
    expect(done.metadata.generation).toBe(before!.metadata.generation + 1);
    await waitFor('EDITED in the service env', 30_000, async () =>
      (await serviceSpec('web_app'))?.env.includes('EDITED=1') ? true : undefined,
    );
    const seen = watched
      .slice(from)
      .map((e) => e.cr)
      .filter((c) => c.metadata.name === 'web');
    const gen = done.metadata.generation;
    const reconciling = seen.findIndex(
      (c) => cond(c, 'Reconciling')?.status === 'True' && cond(c, 'Reconciling')?.observedGeneration === gen,
    );
    const ready = seen.findIndex(
      (c, i) =>
        i > reconciling && cond(c, 'Ready')?.status === 'True' && c.status?.observedGeneration === gen,
    );
    expect(reconciling, JSON.stringify(seen.map((c) => c.status?.conditions))).toBeGreaterThanOrEqual(0);
    expect(ready).toBeGreaterThan(reconciling);

    // three resync periods: every resource is reconciled again, none of them writes its status
    const rv = (await getCr('web'))!.metadata.resourceVersion;
    const writes = await metric('swarmkeeper_kube_status_writes_total');
    const reconciles = await metric('swarmkeeper_reconcile_total', { result: 'success' });
    await waitFor('3 resync reconciles', 8 * RESYNC_MS, async () =>
      (await metric('swarmkeeper_reconcile_total', { result: 'success' })) >= reconciles + 3
        ? true
        : undefined,
    );
    expect((await getCr('web'))!.metadata.resourceVersion).toBe(rv);
    expect(await metric('swarmkeeper_kube_status_writes_total')).toBe(writes);
  });

  it('kubectl delete removes the Swarm objects through the finalizer; deletionPolicy Orphan leaves them', async () => {
    await apply(stack('keep', { spec: { deletionPolicy: 'Orphan' } }));
    await waitReady('keep');
    expect(await serviceSpec('keep_app')).toBeDefined();

    const del = await kubectl(env, ['-n', NS, 'delete', 'sst', 'web', '--wait=false']);
    expect(del.code, del.stderr).toBe(0);
    await waitFor(`web CR gone\n${ctl.tail()}`, 60_000, async () =>
      (await getCr('web')) ? undefined : true,
    );
    expect(await serviceSpec('web_app')).toBeUndefined();

    const since = Date.now();
    await kubectl(env, ['-n', NS, 'delete', 'sst', 'keep', '--wait=false']);
    await waitFor(`keep CR gone\n${ctl.tail()}`, 60_000, async () =>
      (await getCr('keep')) ? undefined : true,
    );
    await ctl.waitForLog(
      'resource removed with deletionPolicy Orphan: its objects are left in the Swarm',
      { key: `SwarmStack/${NS}/keep` },
      30_000,
      since,
    );
    const left = await serviceSpec('keep_app');
    expect(left?.labels['swarmkeeper.io/owner']).toBe(`SwarmStack/${NS}/keep`);
  });

  it('a CR referencing an undeclared network is Stalled with a precise message and writes nothing to the Swarm', async () => {
    const writes = await dockerWrites();
    await apply(stack('badnet', { networks: ['backend'] }));
    const cr = await waitFor(`badnet Stalled\n${ctl.tail()}`, 60_000, async () => {
      const c = await getCr('badnet');
      return cond(c, 'Stalled')?.status === 'True' ? c : undefined;
    });
    expect(cond(cr, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidReference' });
    expect(cond(cr, 'Stalled')?.message).toContain(`k8s:SwarmStack/${NS}/badnet`);
    expect(cond(cr, 'Stalled')?.message).toContain('undefined network "backend"');
    expect(cr.status?.observedGeneration).toBe(cr.metadata.generation);
    expect(await dockerWrites()).toBe(writes);
    expect((await servicesOf(id)).filter((s) => s.name.startsWith('badnet'))).toEqual([]);
  });

  it('a composeFile CR is Stalled: custom resources have no source directory', async () => {
    await apply(
      stringify({
        apiVersion: 'swarmkeeper.io/v1alpha1',
        kind: 'SwarmStack',
        metadata: { name: 'fromfile', namespace: NS },
        spec: { composeFile: 'compose.yaml' },
      }),
    );
    const cr = await waitFor(`fromfile Stalled\n${ctl.tail()}`, 60_000, async () => {
      const c = await getCr('fromfile');
      return cond(c, 'Stalled')?.status === 'True' ? c : undefined;
    });
    expect(cond(cr, 'Stalled')?.message).toContain(
      'spec.composeFile: not supported for Kubernetes custom resources',
    );
    expect(cr.metadata.finalizers ?? []).not.toContain('swarmkeeper.io/cleanup');
  });

  it('informers recover from a kube-apiserver restart; a change made right after converges', async () => {
    await apply(stack('again'));
    await waitReady('again');
    const since = Date.now();
    await restartApiserver({ name: KUBE_NAME });
    await apply(stack('again', { env: { AFTER_RESTART: '1' } }));
    const cr = await waitReady('again', 120_000);
    expect(cr.metadata.generation).toBe(2);
    await waitFor('AFTER_RESTART in the service env', 30_000, async () =>
      (await serviceSpec('again_app'))?.env.includes('AFTER_RESTART=1') ? true : undefined,
    );
    // Restarted with backoff, or (the API was away past the Lease's renew deadline, so the replica
    // stepped down) started again when it takes its Lease back. A replica that stepped down serves
    // the change as a follower (GET by key), so the Lease may come back only after it converged.
    await waitFor(`informers restarted after the API server restart\n${ctl.tail()}`, 60_000, () =>
      ctl.find('informer recovered', {}, since).length +
        ctl.find('leading: starting the informers', {}, since).length >
      0
        ? true
        : undefined,
    );
    expect(ctl.alive).toBe(true);
  });
});
