import Fastify, { type FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';
import { type ReadyReport, within } from './readiness.js';
import { type TriggerRoutesOptions, registerTriggerRoutes } from './webhook.js';

export interface Probes {
  /** Liveness: the process works (event loop answers). */
  healthy(): boolean;
  /** Readiness: Redis and Docker are reachable, sources loaded, no ownership conflict (readiness.ts). */
  ready(): Promise<ReadyReport>;
}

/** /readyz answers 503 by this time at the latest, whatever a check waits for. */
export const READYZ_DEADLINE_MS = 900;

/** One HTTP server for /metrics, /healthz and /readyz (and hooks later). */
export function createHttpServer(
  metrics: Metrics,
  probes: Probes,
  triggers?: TriggerRoutesOptions,
): FastifyInstance {
  const app = Fastify({ logger: false });
  // POST /hooks/git (signed webhooks) and POST /sync (swarmkeeper sync), see webhook.ts.
  if (triggers) registerTriggerRoutes(app, triggers);
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/healthz', async (_req, reply) => {
    const ok = probes.healthy();
    reply.code(ok ? 200 : 503);
    return { ok };
  });
  app.get('/readyz', async (_req, reply) => {
    const r = await within(probes.ready(), READYZ_DEADLINE_MS, {
      ok: false,
      checks: { answered: false },
    });
    reply.code(r.ok ? 200 : 503);
    return r;
  });
  return app;
}
