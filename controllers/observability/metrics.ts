import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every Prometheus metric swarmkeeper exports, on one registry per process. */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  /** Read on every scrape; set by the controller once its queue exists. */
  const depth: { source?: () => Promise<Record<string, number>> } = {};
  if (opts.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'swarmkeeper_process_' });
  return {
    registry,
    reconcileTotal: new Counter({
      name: 'swarmkeeper_reconcile_total',
      help: 'Reconciles by kind and result (success, error, requeue)',
      labelNames: ['kind', 'result'] as const,
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: 'swarmkeeper_reconcile_errors_total',
      help: 'Reconcile errors by kind and stable error code',
      labelNames: ['kind', 'code'] as const,
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'swarmkeeper_reconcile_duration_seconds',
      help: 'Reconcile duration by kind',
      labelNames: ['kind'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'swarmkeeper_queue_depth',
      help: 'Work queue jobs by state',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        const d = await depth.source?.().catch(() => undefined);
        for (const [state, n] of Object.entries(d ?? {})) this.set({ state }, n);
      },
    }),
    setQueueDepthSource(fn: () => Promise<Record<string, number>>): void {
      depth.source = fn;
    },
    driftCorrections: new Counter({
      name: 'swarmkeeper_drift_corrections_total',
      help: 'Out-of-band changes put back, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    driftDetected: new Gauge({
      name: 'swarmkeeper_drift_detected',
      help: '1 when a resource with driftPolicy detect has uncorrected drift',
      labelNames: ['key'] as const,
      registers: [registry],
    }),
    dockerApiCalls: new Counter({
      name: 'swarmkeeper_docker_api_calls_total',
      help: 'Docker Engine API calls by HTTP method',
      labelNames: ['method'] as const,
      registers: [registry],
    }),
    swarmSnapshots: new Counter({
      name: 'swarmkeeper_swarm_snapshot_total',
      help: 'Resync reconciles by how they observed: hit (a shared snapshot), built (read one), bypassed (observed alone)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    appliedRevision: new Gauge({
      name: 'swarmkeeper_resource_applied_revision_info',
      help: 'The source revision last applied per resource (value is always 1)',
      labelNames: ['key', 'revision'] as const,
      registers: [registry],
    }),
    imageUpdates: new Counter({
      name: 'swarmkeeper_image_updates_total',
      help: 'Service image changes the image update policies applied, by resource',
      labelNames: ['key'] as const,
      registers: [registry],
    }),
    imagePolls: new Counter({
      name: 'swarmkeeper_image_update_polls_total',
      help: 'Registry polls of the image update policies by policy (digest, semver) and result (ok, unreachable)',
      labelNames: ['policy', 'result'] as const,
      registers: [registry],
    }),
    resourceReady: new Gauge({
      name: 'swarmkeeper_resource_ready',
      help: '1 when the resource is Ready, 0 otherwise',
      labelNames: ['key', 'kind'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
