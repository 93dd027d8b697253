/** The swarm's nodes as the machines need them (`GET /nodes` on a manager). */
import type Docker from 'dockerode';
import type { FleetNode } from '../../machines/plugin-fleet.js';
import { listCall } from '../docker/docker-errors.js';
import { dockerRequest } from '../docker/request.js';

interface EngineNode {
  ID: string;
  Spec?: { Role?: string; Labels?: Record<string, string> };
  Description?: { Hostname?: string };
  Status?: { State?: string; Addr?: string };
}

export function toFleetNode(n: EngineNode): FleetNode {
  const node: FleetNode = {
    id: n.ID,
    hostname: n.Description?.Hostname ?? n.ID,
    role: n.Spec?.Role === 'manager' ? 'manager' : 'worker',
    labels: n.Spec?.Labels ?? {},
    state: n.Status?.State ?? 'unknown',
  };
  if (n.Status?.Addr !== undefined) node.addr = n.Status.Addr;
  return node;
}

export async function listFleetNodes(manager: Docker, signal?: AbortSignal): Promise<FleetNode[]> {
  const nodes = await listCall('nodes', () =>
    dockerRequest<EngineNode[]>(manager, { method: 'GET', path: '/nodes', signal }),
  );
  return nodes.map(toFleetNode);
}
