/**
 * The kube harness (test/kube/kube): a real etcd + kube-apiserver on 127.0.0.1.
 * Standalone (no Swarm lab):  npx vitest run --config test/kube/vitest.kube.config.ts
 * Against an outside cluster: SK_KUBE_REUSE=1 KUBECONFIG=... KUBECTL=... (restart test skipped).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  kubeDown,
  kubectl,
  kubeStatus,
  kubeUp,
  pollUntil,
  readyz,
  restartApiserver,
  reusedKubeEnv,
  type KubeEnv,
} from '../kube/harness.js';

const REUSE = process.env.SK_KUBE_REUSE === '1';
const CRD_DIR = fileURLToPath(new URL('../../crds/', import.meta.url));
const NS = `sk-kube-harness-${process.pid}`;

let env: KubeEnv;

function swarmStack(name: string, spec: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'swarmkeeper.io/v1alpha1',
    kind: 'SwarmStack',
    metadata: { name, namespace: NS },
    spec,
  });
}

const compose = { services: { web: { image: 'local/busybox:1', command: ['httpd', '-f', '-p', '8080'] } } };

function applyStrict(manifest: string) {
  return kubectl(env, ['apply', '--server-side', '--validate=strict', '-f', '-'], { input: manifest });
}

async function established(crd: string): Promise<true | undefined> {
  const res = await kubectl(env, [
    'get',
    'crd',
    crd,
    '-o',
    'jsonpath={.status.conditions[?(@.type=="Established")].status}',
  ]);
  return res.code === 0 && res.stdout.trim() === 'True' ? true : undefined;
}

beforeAll(async () => {
  env = REUSE ? reusedKubeEnv() : await kubeUp();
  const res = await kubectl(env, ['create', 'namespace', NS]);
  expect(res.stderr).toBe('');
}, 45 * 60_000);

afterAll(async () => {
  if (!env) return;
  if (REUSE) {
    await kubectl(env, ['delete', 'namespace', NS, '--wait=false']);
  } else {
    await kubeDown();
    expect((await kubeStatus()).ready).toBe(false);
  }
}, 120_000);

describe('kube harness', () => {
  it('serves /readyz', async () => {
    expect(await readyz(env)).toBe('ok');
  });

  it('answers kubectl version with a v1 server', async () => {
    const res = await kubectl(env, ['version', '-o', 'json']);
    expect(res.code, res.stderr).toBe(0);
    const v = JSON.parse(res.stdout) as { serverVersion: { gitVersion: string; major: string } };
    expect(v.serverVersion.major).toBe('1');
    expect(v.serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    if (env.version) expect(v.serverVersion.gitVersion).toBe(env.version);
  });

  it('applies the generated CRDs server-side and lists them', async () => {
    // Both ways a user applies a directory of CRDs work: -f (its Kustomization has no .yaml
    // extension, so -f does not send it as an object) and -k.
    const plain = await kubectl(env, ['apply', '-f', CRD_DIR]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(
      'customresourcedefinition.apiextensions.k8s.io/swarmstacks.swarmkeeper.io',
    );
    const res = await kubectl(env, ['apply', '--server-side', '--force-conflicts', '-k', CRD_DIR]);
    expect(res.code, res.stderr).toBe(0);
    const expected = readdirSync(CRD_DIR)
      .filter((f) => f.endsWith('.swarmkeeper.io.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''));
    expect(expected).toContain('swarmstacks.swarmkeeper.io');
    for (const crd of expected) await pollUntil(`CRD ${crd} Established`, () => established(crd));
    const list = await kubectl(env, ['get', 'crd', '-o', 'name']);
    expect(list.code, list.stderr).toBe(0);
    const names = list.stdout.trim().split('\n');
    for (const crd of expected)
      expect(names).toContain(`customresourcedefinition.apiextensions.k8s.io/${crd}`);
  });

  it.each([
    {
      name: 'negative-retention',
      spec: { compose, configRetention: -1 },
      error: /configRetention.*(greater than or equal to 0|should be greater)/s,
    },
    { name: 'unknown-field', spec: { compose, bogusField: true }, error: /bogusField/ },
    {
      name: 'bad-drift-policy',
      spec: { compose, driftPolicy: 'sideways' },
      error: /driftPolicy.*Unsupported value: "sideways"/s,
    },
    {
      name: 'no-compose',
      spec: { prune: true },
      error: /one of compose, composeFile or composeFiles is required/,
    },
    {
      name: 'two-compose-sources',
      spec: { composeFile: 'a.yml', composeFiles: ['a.yml', 'b.yml'] },
      error: /set only one of compose, composeFile or composeFiles/,
    },
    {
      name: 'env-file-outside',
      spec: { composeFiles: ['a.yml'], envFiles: ['../prod.env'] },
      error: /envFiles\[0\].*must be a relative path inside the source/s,
    },
  ])('the API server rejects an invalid SwarmStack: $name', async ({ name, spec, error }) => {
    const res = await applyStrict(swarmStack(`bad-${name}`, spec));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(error);
    const get = await kubectl(env, ['get', 'swarmstack', `bad-${name}`, '-n', NS]);
    expect(get.code).not.toBe(0);
    expect(get.stderr).toMatch(/NotFound|not found/);
  });

  it('accepts a valid SwarmStack and fills schema defaults', async () => {
    const res = await applyStrict(swarmStack('web', { compose }));
    expect(res.code, res.stderr).toBe(0);
    const get = await kubectl(env, ['get', 'swarmstack', 'web', '-n', NS, '-o', 'json']);
    expect(get.code, get.stderr).toBe(0);
    const obj = JSON.parse(get.stdout) as { spec: Record<string, unknown> };
    expect(obj.spec).toMatchObject({ compose, configRetention: 2, driftPolicy: 'correct', prune: true });
  });

  it.skipIf(REUSE)('restarts kube-apiserver alone, keeping URL, etcd and stored objects', async () => {
    const before = env;
    const after = await restartApiserver();
    expect(after.apiserverUrl).toBe(before.apiserverUrl);
    expect(after.etcdPid).toBe(before.etcdPid);
    expect(after.apiserverPid).toBeDefined();
    expect(after.apiserverPid).not.toBe(before.apiserverPid);
    env = after;
    expect(await pollUntil('/readyz ok', async () => ((await readyz(env)) === 'ok' ? true : undefined))).toBe(
      true,
    );
    const get = await kubectl(env, [
      'get',
      'swarmstack',
      'web',
      '-n',
      NS,
      '-o',
      'jsonpath={.spec.driftPolicy}',
    ]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toBe('correct');
  });
});
