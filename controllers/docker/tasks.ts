/** Tasks and nodes, for rollout and health checks: one list call each. */
import type Docker from 'dockerode';
import { listCall as call } from './docker-errors.js';

type Filters = Record<string, string[]>;
type Labels = Record<string, string>;

export interface ObservedTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  Status?: {
    State?: string;
    Message?: string;
    Err?: string;
    Timestamp?: string;
    ContainerStatus?: { ExitCode?: number };
  };
  Version?: { Index?: number };
  CreatedAt?: string;
  UpdatedAt?: string;
  Spec?: unknown;
}

export interface ObservedNode {
  ID: string;
  Version?: { Index?: number };
  Spec?: { Role?: string; Availability?: string; Labels?: Labels };
  Description?: { Hostname?: string };
  Status?: { State?: string; Addr?: string; Message?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string; Addr?: string };
}

/** Tasks of the given services (ids or names), one list call; for rollout and health checks. */
export async function listTasks(
  docker: Docker,
  services: string[],
  opts: { desiredState?: string } = {},
): Promise<ObservedTask[]> {
  if (services.length === 0) return [];
  const filters: Filters = { service: [...new Set(services)] };
  if (opts.desiredState) filters['desired-state'] = [opts.desiredState];
  return (await call('tasks', () => docker.listTasks({ filters }))) as unknown as ObservedTask[];
}

/** All swarm nodes, one list call. */
export async function listNodes(docker: Docker): Promise<ObservedNode[]> {
  return (await call('nodes', () => docker.listNodes())) as unknown as ObservedNode[];
}
