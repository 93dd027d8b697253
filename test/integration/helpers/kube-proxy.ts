/**
 * A counting HTTP proxy in front of the harness kube-apiserver, one per controller replica: the
 * replica talks plain HTTP to 127.0.0.1 (its own kubeconfig, written here), the proxy forwards
 * over TLS with the harness's admin client certificate and counts each request, so a test can
 * tell which replica opened watches and which only made GETs. Responses are piped: watch streams
 * pass through and end when either side closes.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export interface KubeRequest {
  method: string;
  /** Path without the query. */
  path: string;
  watch: boolean;
}

export interface KubeProxy {
  /** A kubeconfig pointing at the proxy. */
  readonly kubeconfig: string;
  readonly url: string;
  readonly requests: KubeRequest[];
  /** Watch requests (`?watch=true`), optionally only those whose path contains `pathPart`. */
  watches(pathPart?: string): number;
  /** Requests of a method (not watches) whose path contains `pathPart`. */
  count(method: string, pathPart?: string): number;
  close(): Promise<void>;
}

export async function startKubeProxy(
  upstreamKubeconfig: string,
  dir: string,
  label: string,
): Promise<KubeProxy> {
  const kc = new KubeConfig();
  kc.loadFromFile(upstreamKubeconfig);
  const upstream = new URL(kc.getCurrentCluster()!.server);
  const tls: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const requests: KubeRequest[] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      watch: url.searchParams.get('watch') === 'true',
    });
    const up = https.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        res.flushHeaders();
        r.pipe(res);
      },
    );
    up.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: `kube proxy: ${err.message}` }));
    });
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const kubeconfig = join(dir, `kubeconfig-${label}`);
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'proxy', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'proxy', user: {} }],
      contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'proxy' } }],
      'current-context': 'proxy',
    }),
    { mode: 0o600 },
  );

  return {
    kubeconfig,
    url,
    requests,
    watches: (part = '') => requests.filter((r) => r.watch && r.path.includes(part)).length,
    count: (method, part = '') =>
      requests.filter((r) => !r.watch && r.method === method && r.path.includes(part)).length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
