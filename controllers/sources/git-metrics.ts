import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of the git sources, registered once per registry (several sources share them). */
export interface GitMetrics {
  fetches: Counter<'source' | 'result'>;
  triggers: Counter<'source' | 'trigger'>;
  revision: Gauge<'source' | 'revision'>;
  lastSuccess: Gauge<'source'>;
}

const BY_REGISTRY = new WeakMap<Registry, GitMetrics>();

export function gitMetrics(registry: Registry): GitMetrics {
  const known = BY_REGISTRY.get(registry);
  if (known) return known;
  const m: GitMetrics = {
    fetches: new Counter({
      name: 'swarmkeeper_git_fetch_total',
      help: 'git fetches by source and result (success, or the failure reason: auth, network, ref-not-found, ...)',
      labelNames: ['source', 'result'] as const,
      registers: [registry],
    }),
    triggers: new Counter({
      name: 'swarmkeeper_git_sync_triggers_total',
      help: 'git source syncs by source and trigger (start, poll, webhook, manual)',
      labelNames: ['source', 'trigger'] as const,
      registers: [registry],
    }),
    revision: new Gauge({
      name: 'swarmkeeper_git_source_revision_info',
      help: 'The commit SHA a git source last loaded (value is always 1)',
      labelNames: ['source', 'revision'] as const,
      registers: [registry],
    }),
    lastSuccess: new Gauge({
      name: 'swarmkeeper_git_last_success_timestamp_seconds',
      help: 'Unix time of the last successful sync of a git source',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
  };
  BY_REGISTRY.set(registry, m);
  return m;
}
