import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { RedisStatusStore } from '../redis/status-store.js';
import { hostname } from 'node:os';
import { Gauge } from 'prom-client';
import { KubeLease } from './kube-lease.js';
import { KubeEventRecorder } from './kube-events.js';
import { KubeLifecycle } from './kube-lifecycle.js';
import { KubeSecretResolver } from './kube-secrets.js';
import { loadKubeConfig } from './kube-config.js';
import { KubeSource } from './kube-source.js';
import { KubeStatusStore } from './kube-status-store.js';
import type { EventRecorder } from '../ports.js';

export interface KubeRuntimeOptions {
  kubeconfig?: string;
  namespace?: string;
  logger: Logger;
  redis: Redis;
  instanceId: string;
  registry?: Registry;
  /** The Lease that elects the replica running the informers (see kube-lease.ts). */
  lease?: { name?: string; namespace?: string; durationMs?: number };
}

/** The default Lease name: one election per swarmkeeper instance id. */
export function defaultLeaseName(instanceId: string): string {
  if (instanceId === 'default') return 'swarmkeeper-informers';
  const id = instanceId
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return `swarmkeeper-informers-${id}`.slice(0, 253).replace(/[^a-z0-9]+$/, '');
}

/** The default Lease namespace: the pod's ($POD_NAMESPACE), else the watched one, else `default`. */
export function defaultLeaseNamespace(watched: string | undefined, env = process.env): string {
  return env['POD_NAMESPACE'] || watched || 'default';
}

/**
 * What `swarmkeeper run --kube` adds to the controller: the custom-resource source, the status
 * subresource writer (other keys still go to Redis) and the finalizer lifecycle.
 */
export function kubeRuntime(opts: KubeRuntimeOptions) {
  const kubeConfig = loadKubeConfig(opts.kubeconfig);
  const holder = `${hostname()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const source = new KubeSource({
    kubeConfig,
    logger: opts.logger,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    lease: (hooks) =>
      new KubeLease({
        kubeConfig,
        name: opts.lease?.name ?? defaultLeaseName(opts.instanceId),
        namespace: opts.lease?.namespace ?? defaultLeaseNamespace(opts.namespace),
        holder,
        ...(opts.lease?.durationMs ? { durationMs: opts.lease.durationMs } : {}),
        logger: opts.logger.child({ lease: 'informers' }),
        ...hooks,
      }),
  });
  const registers = opts.registry ? [opts.registry] : [];
  new Gauge({
    name: 'swarmkeeper_kube_informer_leader',
    help: '1 when this replica holds the Lease and runs the Kubernetes informers, 0 when it follows',
    registers,
    collect() {
      this.set(source.leader ? 1 : 0);
    },
  });
  new Gauge({
    name: 'swarmkeeper_kube_informers_running',
    help: 'Kubernetes list/watch informers running in this replica (one per kind while leader)',
    registers,
    collect() {
      this.set(source.informersRunning);
    },
  });
  const statuses = new KubeStatusStore({
    kubeConfig,
    cache: source,
    fallback: new RedisStatusStore(opts.redis, `swarmkeeper:${opts.instanceId}`),
    logger: opts.logger,
    ...(opts.registry ? { registry: opts.registry } : {}),
  });
  const lifecycle = new KubeLifecycle({ kubeConfig, cache: source, logger: opts.logger });
  // Kubernetes Secrets for secret references (read on demand; a watch says which ones changed)
  // and events.k8s.io Events about the custom resources.
  const secrets = new KubeSecretResolver({
    kubeConfig,
    logger: opts.logger,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
  });
  const recorder: EventRecorder = new KubeEventRecorder({ kubeConfig, cache: source, logger: opts.logger });
  return { source, statuses, lifecycle, secrets, recorder };
}
