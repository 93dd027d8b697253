/* global fetch, AbortSignal */
// Container health probe for images without a shell or curl: GET the liveness endpoint, exit 0 on 2xx.
//   node /app/healthcheck.mjs [URL]   (default: $SWARMKEEPER_HEALTH_URL or http://127.0.0.1:9464/healthz)
const url = process.argv[2] ?? process.env.SWARMKEEPER_HEALTH_URL ?? 'http://127.0.0.1:9464/healthz';
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exitCode = res.ok ? 0 : 1;
  if (!res.ok) process.stderr.write(`healthcheck: ${url} answered ${res.status}\n`);
} catch (e) {
  process.stderr.write(`healthcheck: ${url}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
