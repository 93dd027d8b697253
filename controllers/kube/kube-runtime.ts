import type { Redis } from 'ioredis';
import type { EventRecorder } from '../reconcile/event-recorder.js';
import type { SecretResolver } from '../reconcile/secret-resolver.js';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { RedisStatusStore } from '../runtime/status-store.js';
import { KubeLifecycle } from './kube-lifecycle.js';
import { loadKubeConfig } from './kube-config.js';
import { KubeSource } from './kube-source.js';
import { KubeStatusStore } from './kube-status-store.js';

export interface KubeRuntimeOptions {
  kubeconfig?: string;
  namespace?: string;
  logger: Logger;
  redis: Redis;
  instanceId: string;
  registry?: Registry;
}

/**
 * What `swarmkeeper run --kube` adds to the controller: the custom-resource source, the status
 * subresource writer (other keys still go to Redis) and the finalizer lifecycle.
 */
export function kubeRuntime(opts: KubeRuntimeOptions) {
  const kubeConfig = loadKubeConfig(opts.kubeconfig);
  const source = new KubeSource({
    kubeConfig,
    logger: opts.logger,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
  });
  const statuses = new KubeStatusStore({
    kubeConfig,
    cache: source,
    fallback: new RedisStatusStore(opts.redis, `swarmkeeper:${opts.instanceId}`),
    logger: opts.logger,
    ...(opts.registry ? { registry: opts.registry } : {}),
  });
  const lifecycle = new KubeLifecycle({ kubeConfig, cache: source, logger: opts.logger });
  // Set by the Kubernetes Events recorder and Secret resolver (see their modules).
  const secrets: SecretResolver | undefined = undefined;
  const recorder: EventRecorder | undefined = undefined;
  return { source, statuses, lifecycle, secrets, recorder };
}
