// An in-memory swarm for the SwarmPlugin kind's unit tests: a manager (GET /nodes, GET /nodes/{id})
// and one plugin daemon per node behind dockerode's modem.dial (the one call dockerRequest and
// postProgress make). Every call is recorded as `<hostname> <METHOD> <path> [query] [body]`. The real
// Engine runs in test/integration (lab); here every path (refused privileges, a plugin swarmkeeper
// does not own, volumes holding a plugin, Engine errors) is set up directly.
import type Docker from 'dockerode';
import { Readable } from 'node:stream';
import type { FleetNode } from '../../../machines/plugin-fleet.js';
import type { EnginePluginPrivilege } from '../../../machines/plugin-privileges.js';
import type { NodeEndpoints } from '../../../controllers/machine-runner/node-endpoints.js';
import type { ResourceNodeEndpoints } from '../../../controllers/machine-runner/resource-node-endpoints.js';

export interface FakePlugin {
  Name: string;
  PluginReference: string;
  Enabled: boolean;
  Config: { Interface: { Types: string[] }; Args: { Name: string } };
  Settings: { Env: string[]; Args: string[]; Mounts: { Name: string; Source: string | null }[] };
}

export interface FakeNode extends FleetNode {
  plugins: Map<string, FakePlugin>;
  volumes: { Name: string; Driver: string }[];
  /** No endpoint for this node. */
  unreachable?: boolean;
}

/**
 * An Engine error for `<METHOD> <path>` (status 0: in the progress stream, HTTP 200; -1: a
 * connection error without an HTTP status; -2: no answer ever).
 */
export interface Fault {
  status: number;
  message: string;
  /** How many calls fail (default: all). */
  times?: number;
}

export const VOLUME_TYPES = ['docker.volumedriver/1.0'];

export class FakePluginSwarm {
  readonly nodes = new Map<string, FakeNode>();
  readonly calls: string[] = [];
  /** What the registry says each remote asks for. */
  readonly registry = new Map<string, EnginePluginPrivilege[]>();
  readonly faults = new Map<string, Fault>();
  /** How the manager's node description names a plugin (the Engine adds the tag). */
  listSuffix = ':latest';
  /** An upgrade that reports success but leaves the old reference. */
  upgradeIgnored = false;
  /** GET /nodes/{id} answers this instead of the node's plugins. */
  readonly descriptions = new Map<string, unknown>();
  /** GET /nodes fails with this. */
  listError: string | undefined;

  node(hostname: string, over: Partial<FakeNode> = {}): FakeNode {
    const n: FakeNode = {
      id: `N-${hostname}`,
      hostname,
      role: 'worker',
      labels: {},
      state: 'ready',
      plugins: new Map(),
      volumes: [],
      ...over,
    };
    this.nodes.set(n.id, n);
    return n;
  }

  /** A plugin already on a node (installed by someone, or by an earlier reconcile). */
  plugin(n: FakeNode, name: string, remote: string, over: Partial<FakePlugin> = {}): FakePlugin {
    const p: FakePlugin = {
      Name: name,
      PluginReference: remote,
      Enabled: true,
      Config: { Interface: { Types: VOLUME_TYPES }, Args: { Name: '' } },
      Settings: { Env: [], Args: [], Mounts: [] },
      ...over,
    };
    n.plugins.set(name, p);
    return p;
  }

  /** Calls made, without the reads (GET), i.e. what changed something. */
  get writes(): string[] {
    return this.calls.filter((c) => !c.split(' ')[1]!.startsWith('GET'));
  }

  get manager(): Docker {
    return this.#client('manager');
  }

  readonly endpoints: NodeEndpoints = {
    docker: (n) => {
      const x = this.nodes.get(n.id);
      return x === undefined || x.unreachable ? undefined : this.#client(x.id);
    },
    describe: (n) => `${n.hostname}: fake`,
  };

  get resourceEndpoints(): ResourceNodeEndpoints {
    return { resolve: async () => this.endpoints } as unknown as ResourceNodeEndpoints;
  }

  #client(who: string): Docker {
    return {
      modem: {
        dial: (o: Record<string, unknown>, cb: (e: unknown, d?: unknown) => void) => this.#dial(who, o, cb),
      },
    } as unknown as Docker;
  }

  #dial(who: string, o: Record<string, unknown>, cb: (e: unknown, d?: unknown) => void): void {
    const method = o.method as string;
    const path = (o.path as string).replace(/\?$/, '');
    const opts = o.options as { _query: Record<string, unknown>; _body: unknown };
    const node = this.nodes.get(who);
    const q = Object.keys(opts._query).length > 0 ? ` ${JSON.stringify(opts._query)}` : '';
    const hasBody = opts._body !== undefined && JSON.stringify(opts._body) !== '{}';
    const b = hasBody ? ` ${JSON.stringify(opts._body)}` : '';
    this.calls.push(`${node?.hostname ?? who} ${method} ${path}${q}${b}`);
    const fail = (statusCode: number, message: string) => cb({ statusCode, json: { message } });
    const stream = (lines: object[]) => cb(null, Readable.from(lines.map((l) => `${JSON.stringify(l)}\n`)));
    const fault = this.faults.get(`${method} ${path}`);
    if (fault !== undefined && (fault.times ?? 1) > 0) {
      if (fault.times !== undefined) fault.times--;
      if (fault.status === -2) return;
      if (fault.status === -1) return cb(new Error(fault.message));
      if (fault.status === 0) return stream([{ status: 'working' }, { error: fault.message }]);
      return fail(fault.status, fault.message);
    }
    if (node === undefined) {
      if (method === 'GET' && path === '/nodes') {
        if (this.listError !== undefined) return fail(500, this.listError);
        return cb(
          null,
          [...this.nodes.values()].map((n) => ({
            ID: n.id,
            Spec: { Role: n.role, Labels: n.labels },
            Description: { Hostname: n.hostname },
            Status: { State: n.state },
          })),
        );
      }
      const m = /^\/nodes\/([^/]+)$/.exec(path);
      const listed = m ? this.nodes.get(m[1]!) : undefined;
      if (method === 'GET' && m && this.descriptions.has(m[1]!))
        return cb(null, this.descriptions.get(m[1]!));
      if (method === 'GET' && listed) {
        const Plugins = [...listed.plugins.values()]
          .filter((p) => p.Enabled)
          .map((p) => ({ Type: 'Volume', Name: `${p.Name}${this.listSuffix}` }));
        return cb(null, { ID: listed.id, Description: { Engine: { Plugins } } });
      }
      return fail(404, `fake manager: no route ${method} ${path}`);
    }
    const query = opts._query as Record<string, string>;
    if (method === 'GET' && path === '/plugins/privileges')
      return cb(null, structuredClone(this.registry.get(query.remote!) ?? null));
    if (method === 'GET' && path === '/volumes') return cb(null, { Volumes: node.volumes });
    if (method === 'POST' && path === '/plugins/pull') {
      if (!this.registry.has(query.remote!)) return stream([{ error: 'manifest unknown' }]);
      this.plugin(node, query.name!, query.remote!, { Enabled: false });
      return stream([{ status: 'Downloading' }, { status: 'Installed plugin' }]);
    }
    const m = /^\/plugins\/([^/]+)(\/json|\/enable|\/disable|\/set|\/upgrade)?$/.exec(path);
    if (m === null) return fail(404, `fake engine: no route ${method} ${path}`);
    const name = decodeURIComponent(m[1]!);
    const p = node.plugins.get(name);
    if (p === undefined) return fail(404, `plugin "${name}" not found`);
    switch (`${method} ${m[2] ?? ''}`) {
      case 'GET /json':
        return cb(null, structuredClone(p));
      case 'POST /enable':
        p.Enabled = true;
        return cb(null, '');
      case 'POST /disable':
        p.Enabled = false;
        return cb(null, '');
      case 'POST /set':
        p.Settings.Env = [...(opts._body as string[])];
        return cb(null, '');
      case 'POST /upgrade':
        if (p.Enabled) return fail(500, 'plugin must be disabled before upgrading');
        if (!this.upgradeIgnored) p.PluginReference = query.remote!;
        return stream([{ status: 'Upgraded' }]);
      case 'DELETE ':
        if (p.Enabled) return fail(500, `plugin ${name} is enabled`);
        node.plugins.delete(name);
        return cb(null, '');
    }
    return fail(404, `fake engine: no route ${method} ${path}`);
  }
}
