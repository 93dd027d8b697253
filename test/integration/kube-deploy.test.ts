// deploy/kubernetes: parsed (least-privilege RBAC, TLS Docker endpoint, probes, non-root) and
// accepted by a real kube-apiserver with `kubectl apply --dry-run=server -k` (the Deployment
// never runs there: the harness has no nodes).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeEnv, kubeDown, kubectl, kubeUp } from '../kube/harness.js';
import { KIND_LIST } from '../../reconciler/api/kinds.js';

const KUBE_NAME = process.env.SK_KUBE_NAME_KUBE_TESTS ?? 'skkube';
const DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));
const NS = 'swarmkeeper-system';
const read = <T>(file: string): T => parse(readFileSync(`${DIR}${file}`, 'utf8')) as T;

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface Container {
  args: string[];
  env: { name: string; value?: string }[];
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Deployment {
  spec: {
    template: {
      spec: {
        serviceAccountName: string;
        securityContext: { runAsNonRoot: boolean };
        containers: Container[];
        volumes: { name: string; secret?: { secretName: string; items: { key: string }[] } }[];
      };
    };
  };
}

let env: KubeEnv;
let createdNs = false;

beforeAll(async () => {
  // a harness left up by an interrupted run may hold a namespace stuck Terminating: start fresh
  await kubeDown({ name: KUBE_NAME });
  env = await kubeUp({ name: KUBE_NAME });
  const ns = await kubectl(env, ['create', 'namespace', NS]);
  createdNs = ns.code === 0;
  if (!createdNs) expect(ns.stderr).toMatch(/AlreadyExists/);
}, 300_000);

afterAll(async () => {
  // Each file owns its harness (a deleted namespace would stay Terminating here: no namespace
  // controller runs), so the next file or run starts from a fresh API server.
  if (process.env.SK_KUBE_KEEP !== '1') await kubeDown({ name: KUBE_NAME });
}, 120_000);

describe('deploy/kubernetes', () => {
  it('references the generated CRDs and every manifest', () => {
    const k = read<{ resources: string[]; namespace: string }>('kustomization.yaml');
    expect(k.resources).toContain('../../crds');
    expect(k.namespace).toBe(NS);
    for (const r of k.resources.filter((x) => !x.startsWith('..'))) expect(() => read(r)).not.toThrow();
  });

  it('the ClusterRole is least privilege', () => {
    const rules = read<{ rules: Rule[] }>('cluster-role.yaml').rules;
    const verbsFor = (group: string, resource: string) =>
      rules
        .filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource))
        .flatMap((r) => r.verbs)
        .sort();
    const kinds = KIND_LIST.map((k) => k.plural);
    for (const k of kinds) {
      expect(verbsFor('swarmkeeper.io', k)).toEqual(['get', 'list', 'patch', 'update', 'watch']);
      expect(verbsFor('swarmkeeper.io', `${k}/status`)).toEqual(['get', 'patch', 'update']);
      expect(verbsFor('swarmkeeper.io', `${k}/finalizers`)).toEqual(['update']);
    }
    expect(verbsFor('events.k8s.io', 'events')).toEqual(['create', 'patch']);
    expect(verbsFor('coordination.k8s.io', 'leases')).toEqual(['create', 'get', 'update']);
    expect(verbsFor('', 'secrets')).toEqual(['get', 'list', 'watch']);
    expect(rules.flatMap((r) => [...r.verbs, ...r.resources, ...r.apiGroups])).not.toContain('*');
  });

  it('the Deployment runs `run --kube` non-root against a TLS Docker endpoint, with probes', () => {
    const pod = read<Deployment>('deployment.yaml').spec.template.spec;
    const c = pod.containers[0]!;
    expect(pod.serviceAccountName).toBe('swarmkeeper');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(c.args.slice(0, 2)).toEqual(['run', '--kube']);
    const envOf = (n: string) => c.env.find((e) => e.name === n)?.value;
    expect(envOf('DOCKER_HOST')).toMatch(/^tcp:\/\/.+:2376$/);
    expect(envOf('DOCKER_TLS_VERIFY')).toBe('1');
    expect(envOf('REDIS_URL')).toMatch(/^redis:\/\//);
    const certs = c.volumeMounts.find((m) => m.mountPath === envOf('DOCKER_CERT_PATH'));
    expect(certs?.readOnly).toBe(true);
    const vol = pod.volumes.find((v) => v.name === certs?.name);
    expect(vol?.secret?.items.map((i) => i.key).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
  });

  it('two replicas; the informer Lease lives in the pod namespace', () => {
    const d = read<{ spec: { replicas: number; template: { spec: { containers: Container[] } } } }>(
      'deployment.yaml',
    );
    expect(d.spec.replicas).toBe(2);
    const podNs = d.spec.template.spec.containers[0]!.env.find((e) => e.name === 'POD_NAMESPACE') as
      { valueFrom?: { fieldRef?: { fieldPath?: string } } } | undefined;
    expect(podNs?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
  });

  it('the API server accepts everything (server-side dry run)', async () => {
    const r = await kubectl(env, ['apply', '--server-side', '--dry-run=server', '-k', DIR]);
    expect(r.code, r.stderr).toBe(0);
    for (const obj of [
      'customresourcedefinition.apiextensions.k8s.io/swarmstacks.swarmkeeper.io',
      'serviceaccount/swarmkeeper',
      'clusterrole.rbac.authorization.k8s.io/swarmkeeper',
      'clusterrolebinding.rbac.authorization.k8s.io/swarmkeeper',
      'deployment.apps/swarmkeeper',
    ])
      expect(r.stdout).toContain(`${obj} serverside-applied (server dry run)`);
  });
});
