/**
 * NodeEndpoints from the SwarmNode resources the controller knows, plus the static ones given on the
 * command line (`run --node-endpoint HOSTNAME=URL`).
 *
 * A SwarmNode names a daemon (spec.address, TLS from spec.tls.secretRef), not a swarm node: which
 * swarm node it is comes from the daemon itself (`GET /info`: Swarm.NodeID and Name, the hostname),
 * asked once per resource and address and cached (a failure is retried after `retryMs`, an answer is
 * asked again after `ttlMs`, since a node that left and joined again has a new ID).
 * NodeEndpoints.docker() is synchronous, so `resolve()` does the asking first; the reconcilers call
 * it once per reconcile, before their machines run.
 *
 * Precedence: a SwarmNode resource that resolves to the node (by node ID, then by hostname), then
 * the static endpoints. Nothing here logs or returns TLS material.
 */
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { SwarmNodeSpecInput } from '../../reconciler/api/swarm-node.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { dockerMessage } from '../docker/docker-errors.js';
import { dockerRequest } from '../docker/request.js';
import { nodeDocker } from './node-docker.js';
import type { NodeEndpoints } from './node-endpoints.js';
import type { SecretResolver } from '../ports.js';

export interface NodeIdentity {
  nodeId?: string;
  hostname?: string;
}

/** Which swarm node a daemon is (`GET /info`). */
export type NodeIdentify = (docker: Docker, signal: AbortSignal) => Promise<NodeIdentity>;

export const infoIdentify: NodeIdentify = async (docker, signal) => {
  const info = await dockerRequest<{ Name?: string; Swarm?: { NodeID?: string } }>(docker, {
    method: 'GET',
    path: '/info',
    signal,
  });
  const out: NodeIdentity = {};
  if (info.Swarm?.NodeID) out.nodeId = info.Swarm.NodeID;
  if (info.Name) out.hostname = info.Name;
  return out;
};

export interface ResourceNodeEndpointsOptions {
  secrets: SecretResolver;
  staticEndpoints?: NodeEndpoints;
  identify?: NodeIdentify;
  /** Makes the client of a SwarmNode (default: nodeDocker, TLS from its Secret). */
  connect?: (
    key: string,
    namespace: string,
    spec: SwarmNodeSpecInput,
    secrets: SecretResolver,
  ) => Promise<Docker>;
  /** Ask a daemon that answered again after this long (default 5 min). */
  ttlMs?: number;
  /** Ask a daemon that did not answer again after this long (default 10 s). */
  retryMs?: number;
  /** Per /info call (default 5 s). */
  timeoutMs?: number;
  now?: () => number;
}

interface Entry {
  fingerprint: string;
  address: string;
  docker?: Docker;
  identity?: NodeIdentity;
  error?: string;
  checkedAt: number;
}

export class ResourceNodeEndpoints {
  readonly #cache = new Map<string, Entry>();
  readonly #opts: ResourceNodeEndpointsOptions;

  constructor(opts: ResourceNodeEndpointsOptions) {
    this.#opts = opts;
  }

  /** The endpoints for this reconcile: `nodes` are the SwarmNode resources (ctx.resources('SwarmNode')). */
  async resolve(
    nodes: readonly DesiredResource[],
    log?: Logger,
    signal?: AbortSignal,
  ): Promise<NodeEndpoints> {
    const now = this.#opts.now ?? Date.now;
    const seen = new Set<string>();
    await Promise.all(
      nodes.map(async (res) => {
        seen.add(res.key);
        const spec = res.spec as unknown as SwarmNodeSpecInput;
        if (typeof spec.address !== 'string') return;
        const fingerprint = JSON.stringify([spec.address, spec.tls?.secretRef.name ?? null]);
        let e = this.#cache.get(res.key);
        if (e?.fingerprint !== fingerprint) {
          e = { fingerprint, address: spec.address, checkedAt: Number.NEGATIVE_INFINITY };
          this.#cache.set(res.key, e);
        }
        const age = now() - e.checkedAt;
        const fresh =
          e.identity !== undefined
            ? age < (this.#opts.ttlMs ?? 300_000)
            : age < (this.#opts.retryMs ?? 10_000);
        if (fresh) return;
        e.checkedAt = now();
        try {
          e.docker ??= await (this.#opts.connect ?? nodeDocker)(
            res.key,
            res.namespace,
            spec,
            this.#opts.secrets,
          );
          const timeout = AbortSignal.timeout(this.#opts.timeoutMs ?? 5000);
          const s = signal ? AbortSignal.any([signal, timeout]) : timeout;
          e.identity = await (this.#opts.identify ?? infoIdentify)(e.docker, s);
          delete e.error;
        } catch (err) {
          delete e.identity;
          // the next try builds the client again (TLS material may have changed or arrived)
          delete e.docker;
          e.error = err instanceof Error && 'statusCode' in err ? dockerMessage(err) : (err as Error).message;
          log?.warn({ swarmNode: res.key, err: e.error }, 'cannot reach the Docker API of a SwarmNode');
        }
      }),
    );
    for (const k of this.#cache.keys()) if (!seen.has(k)) this.#cache.delete(k);

    const byId = new Map<string, [string, Entry]>();
    const byHost = new Map<string, [string, Entry]>();
    const failed: string[] = [];
    for (const [key, e] of this.#cache) {
      if (e.identity === undefined || e.docker === undefined) {
        if (e.error !== undefined) failed.push(`SwarmNode ${key}: ${e.error}`);
        continue;
      }
      if (e.identity.nodeId) byId.set(e.identity.nodeId, [key, e]);
      if (e.identity.hostname) byHost.set(e.identity.hostname, [key, e]);
    }
    const statics = this.#opts.staticEndpoints;
    const find = (n: { id: string; hostname: string }) => byId.get(n.id) ?? byHost.get(n.hostname);
    return {
      docker(n) {
        return find(n)?.[1].docker ?? statics?.docker(n);
      },
      describe(n) {
        const hit = find(n);
        if (hit) return `${n.hostname}: SwarmNode ${hit[0]} (${hit[1].address})`;
        if (statics?.docker(n) !== undefined) return statics.describe(n);
        const why = failed.length > 0 ? `; unreachable: ${failed.join('; ')}` : '';
        return `${n.hostname}: no SwarmNode resource and no --node-endpoint for it${why}`;
      },
    };
  }
}

const shared = new WeakMap<object, ResourceNodeEndpoints>();

/** One resolver (and cache) per set of reconciler deps, shared by the kinds that reach nodes. */
export function sharedResourceEndpoints(deps: {
  secrets: SecretResolver;
  staticEndpoints?: NodeEndpoints;
}): ResourceNodeEndpoints {
  let r = shared.get(deps);
  if (r === undefined) {
    r = new ResourceNodeEndpoints({
      secrets: deps.secrets,
      ...(deps.staticEndpoints ? { staticEndpoints: deps.staticEndpoints } : {}),
    });
    shared.set(deps, r);
  }
  return r;
}
