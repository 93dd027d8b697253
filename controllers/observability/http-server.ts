import type { Metrics } from './metrics.js';
import { HttpRouter } from './http-router.js';
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
): HttpRouter {
  const app = new HttpRouter();
  // POST /hooks/git (signed webhooks) and POST /sync (swarmkeeper sync), see webhook.ts.
  if (triggers) registerTriggerRoutes(app, triggers);
  app.get('/metrics', async () => ({
    status: 200,
    body: await metrics.registry.metrics(),
    contentType: metrics.registry.contentType,
  }));
  app.get('/healthz', () => {
    const ok = probes.healthy();
    return { status: ok ? 200 : 503, body: { ok } };
  });
  app.get('/readyz', async () => {
    const r = await within(probes.ready(), READYZ_DEADLINE_MS, {
      ok: false,
      checks: { answered: false },
    });
    return { status: r.ok ? 200 : 503, body: r };
  });
  return app;
}
