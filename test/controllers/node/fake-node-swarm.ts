// An in-memory swarm for the SwarmNode kind reconciler's unit tests: the NodeOps contract of
// controllers/node/node-actors.ts over plain maps (the real ones run in
// test/integration/swarm-node.test.ts; here the reconciler's wiring, status and refusals are checked
// without daemons).
import type Docker from 'dockerode';
import type { NodeOps } from '../../../controllers/node/node-actors.js';
import { applyLabelChange } from '../../../machines/node-labels.js';
import type { SwarmNodeView } from '../../../machines/node.types.js';
import { StepError } from '../../../machines/step-policy.js';

interface Daemon {
  hostname: string;
  state: 'inactive' | 'active';
  nodeId: string;
  unreachable?: boolean;
}

export class FakeNodeSwarm {
  readonly nodes = new Map<string, SwarmNodeView>();
  readonly daemons = new Map<string, Daemon>();
  /** Tasks of a replicated service left on a node; each look at a draining node moves one away. */
  readonly tasks = new Map<string, number>();
  readonly calls: string[] = [];
  /** Looks at a draining node never answer (a controller crash mid-drain). */
  hangDrain = false;

  /** A daemon reachable at unix://<socket> with this hostname; `member` joins it already. */
  daemon(
    socket: string,
    hostname: string,
    member?: { role: 'manager' | 'worker'; labels?: Record<string, string> },
  ) {
    const d: Daemon = { hostname, state: 'inactive', nodeId: '' };
    this.daemons.set(socket, d);
    if (member) this.#join(d, member.role, member.labels ?? {});
    return d;
  }

  #join(d: Daemon, role: 'manager' | 'worker', labels: Record<string, string>) {
    d.state = 'active';
    d.nodeId = `N-${d.hostname}`;
    const v: SwarmNodeView = {
      id: d.nodeId,
      version: 1,
      hostname: d.hostname,
      role,
      availability: 'active',
      labels,
      state: 'ready',
      engineVersion: '20.10.24',
    };
    if (role === 'manager') v.reachability = 'reachable';
    this.nodes.set(d.nodeId, v);
  }

  /** NodeOps for the daemon a dockerode client points at (its socketPath). */
  ops(client: Docker | undefined): NodeOps {
    const socket = (client?.modem as { socketPath?: string } | undefined)?.socketPath ?? '';
    const d = () => {
      const x = this.daemons.get(socket);
      if (x === undefined || x.unreachable) throw new StepError(`connect ENOENT ${socket}`);
      return x;
    };
    const log = (what: string) => this.calls.push(`${what} ${socket}`);
    return {
      connect: async () => {
        d();
      },
      inspect: async () => {
        const x = d();
        const v = this.nodes.get(x.nodeId);
        return {
          node: {
            localState: x.state,
            nodeId: x.nodeId,
            controlAvailable: v?.role === 'manager',
            hostname: x.hostname,
            engineVersion: '20.10.24',
            ...(v?.role === 'manager' ? { clusterId: 'C1' } : {}),
          },
          managerClusterId: 'C1',
          knownToManager: v !== undefined,
        };
      },
      joinTarget: async () => ['10.0.0.11:2377'],
      join: async ({ input }) => {
        const x = d();
        log(`join:${input.role}`);
        if (x.state !== 'active') this.#join(x, input.role, {});
        return { nodeId: x.nodeId };
      },
      nodeState: async ({ input }) => structuredClone(this.nodes.get(input.nodeId) ?? null),
      managers: async () =>
        [...this.nodes.values()]
          .filter((n) => n.role === 'manager')
          .map((n) => ({ id: n.id, hostname: n.hostname, reachable: n.reachability === 'reachable' })),
      update: async ({ input }) => {
        const v = this.nodes.get(input.nodeId);
        if (v === undefined)
          throw new StepError(`node ${input.nodeId} is not in the swarm`, { retryable: false });
        log(`update:${JSON.stringify({ ...input, nodeId: undefined })}`);
        if (input.role !== undefined) {
          v.role = input.role;
          if (input.role === 'manager') v.reachability = 'reachable';
          else delete v.reachability;
        }
        if (input.availability !== undefined) v.availability = input.availability;
        if (input.labels !== undefined) v.labels = applyLabelChange(v.labels, input.labels);
        v.version++;
        return structuredClone(v);
      },
      drainStatus: async ({ input }) => {
        const v = this.nodes.get(input.nodeId);
        if (this.hangDrain) await new Promise(() => undefined);
        let left = this.tasks.get(input.nodeId) ?? 0;
        if (v?.availability === 'drain' && left > 0) {
          left--;
          this.tasks.set(input.nodeId, left);
        }
        return { tasksLeft: left, services: left > 0 ? ['S1'] : [], pending: [] };
      },
      leave: async () => {
        const x = d();
        log('leave');
        const v = this.nodes.get(x.nodeId);
        if (v) v.state = 'down';
        x.state = 'inactive';
      },
      removeNode: async ({ input }) => {
        log(`rm:${input.force}`);
        this.nodes.delete(input.nodeId);
      },
    };
  }
}
