/**
 * NodeEndpoints: how swarmkeeper reaches each node's own Docker daemon (plugins, volumes and other
 * node-local objects are per node; a manager only knows the swarm-wide ones).
 *
 * - In the test lab every node has its own unix socket (NODE_<i>_HOSTNAME -> NODE_<i>_DOCKER_HOST).
 * - In production the address would come from SwarmNode resources (spec address + TLS material), or
 *   from the node's Status.Addr with a fixed TLS port (`addressNodeEndpoints`).
 */
import Docker from 'dockerode';
import type { FleetNode } from '../../machines/plugin-fleet.js';
import { DOCKER_API_VERSION, parseHost } from '../docker/connection.js';

export interface NodeEndpoints {
  /** The node's daemon, or undefined when swarmkeeper has no way to reach it. */
  docker(node: Pick<FleetNode, 'id' | 'hostname' | 'addr'>): Docker | undefined;
  /** Safe to log: where `docker(node)` connects. */
  describe(node: Pick<FleetNode, 'id' | 'hostname' | 'addr'>): string;
}

function optionsFor(host: string, from: string): Docker.DockerOptions {
  const parsed = parseHost(host, from);
  if (parsed.kind === 'unix') return { socketPath: parsed.socketPath, version: DOCKER_API_VERSION };
  return { host: parsed.host, port: parsed.port, protocol: 'http', version: DOCKER_API_VERSION };
}

/**
 * Fixed map: key = node hostname or node ID, value = DOCKER_HOST-style address (unix:// or tcp://) or
 * full dockerode options (TLS).
 */
export function staticNodeEndpoints(map: Record<string, string | Docker.DockerOptions>): NodeEndpoints {
  const clients = new Map<string, Docker>();
  const keyOf = (n: Pick<FleetNode, 'id' | 'hostname'>) =>
    map[n.id] !== undefined ? n.id : map[n.hostname] !== undefined ? n.hostname : undefined;
  return {
    docker(n) {
      const key = keyOf(n);
      if (key === undefined) return undefined;
      let c = clients.get(key);
      if (c === undefined) {
        const v = map[key] as string | Docker.DockerOptions;
        c = new Docker(typeof v === 'string' ? optionsFor(v, `node endpoint ${key}`) : v);
        clients.set(key, c);
      }
      return c;
    },
    describe(n) {
      const key = keyOf(n);
      if (key === undefined) return `${n.hostname}: no endpoint`;
      const v = map[key];
      return typeof v === 'string' ? `${n.hostname}: ${v}` : `${n.hostname}: ${v?.host ?? v?.socketPath}`;
    },
  };
}

/** The lab's variables (NODE_<i>_HOSTNAME, NODE_<i>_DOCKER_HOST), e.g. process.env or LabEnv.vars. */
export function labNodeEndpoints(vars: Record<string, string | undefined>): NodeEndpoints {
  const map: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    const m = /^NODE_(\d+)_HOSTNAME$/.exec(k);
    const host = m ? vars[`NODE_${m[1]}_DOCKER_HOST`] : undefined;
    if (v !== undefined && host !== undefined) map[v] = host;
  }
  return staticNodeEndpoints(map);
}

/** Each node's Status.Addr with one TLS port and one set of client certificates (production sketch). */
export function addressNodeEndpoints(opts: {
  port: number;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}): NodeEndpoints {
  const clients = new Map<string, Docker>();
  return {
    docker(n) {
      if (n.addr === undefined || n.addr === '' || n.addr === '0.0.0.0') return undefined;
      let c = clients.get(n.addr);
      if (c === undefined) {
        c = new Docker({ ...opts, host: n.addr, protocol: 'https', version: DOCKER_API_VERSION });
        clients.set(n.addr, c);
      }
      return c;
    },
    describe: (n) => `${n.hostname}: tcp://${n.addr ?? '?'}:${opts.port} (TLS)`,
  };
}
