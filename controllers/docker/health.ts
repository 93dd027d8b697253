import { compareNames } from '../../reconciler/model/order.js';
import type Docker from 'dockerode';
import { LABEL_INSTANCE, LABEL_OWNER } from '../../reconciler/model/ownership.js';
import type { ServiceHealth } from '../../reconciler/status/resource-status.js';

/** What `GET /services?status=true` returns per service (the fields health reads). */
export interface ServiceListEntry {
  Spec?: {
    Labels?: Record<string, string>;
    Name?: string;
    Mode?: {
      Global?: unknown;
      Replicated?: unknown;
      ReplicatedJob?: { MaxConcurrent?: number; TotalCompletions?: number };
      GlobalJob?: unknown;
    };
    TaskTemplate?: { ContainerSpec?: { Image?: string } };
  };
  /** CompletedTasks: for jobs only. */
  ServiceStatus?: { RunningTasks?: number; DesiredTasks?: number; CompletedTasks?: number };
  UpdateStatus?: { State?: string; Message?: string };
}

/**
 * Health of every service owned by `ownerKey`, in ONE list call: `GET /services?status=true`
 * (API >= 1.41) returns running and desired task counts per service.
 */
export async function ownedServiceHealth(
  docker: Docker,
  ownerKey: string,
  instanceId: string,
): Promise<ServiceHealth[]> {
  return (await serviceHealthByOwner(docker, instanceId, ownerKey)).get(ownerKey) ?? [];
}

/**
 * Health of every service this instance owns, grouped by owner key, in one list call: by label,
 * or by name when `namePrefixes` holds every owned service's name (none: no call).
 */
export async function serviceHealthByOwner(
  docker: Docker,
  instanceId: string,
  ownerKey?: string,
  namePrefixes?: readonly string[],
): Promise<Map<string, ServiceHealth[]>> {
  if (namePrefixes?.length === 0) return new Map();
  const label = [`${LABEL_INSTANCE}=${instanceId}`, ownerKey ? `${LABEL_OWNER}=${ownerKey}` : LABEL_OWNER];
  const filters = namePrefixes ? { name: namePrefixes } : { label };
  const list = (await docker.listServices({
    status: true,
    filters: JSON.stringify(filters),
  } as never)) as unknown as ServiceListEntry[];
  return groupHealthByOwner(list, instanceId);
}

/** Health of the services of `list` that this instance owns, grouped by owner key, sorted by name. */
export function groupHealthByOwner(
  list: ServiceListEntry[],
  instanceId: string,
): Map<string, ServiceHealth[]> {
  const out = new Map<string, ServiceHealth[]>();
  for (const s of list) {
    const owner = s.Spec?.Labels?.[LABEL_OWNER];
    if (!owner || s.Spec?.Labels?.[LABEL_INSTANCE] !== instanceId) continue;
    const list = out.get(owner);
    if (list) list.push(toHealth(s));
    else out.set(owner, [toHealth(s)]);
  }
  for (const v of out.values()) v.sort((a, b) => compareNames(a.name, b.name));
  return out;
}

/** The completions a replicated job wants: the Engine runs one when the spec gives no count. */
export function jobCompletions(job: { TotalCompletions?: number }): number {
  return job.TotalCompletions ?? 1;
}

function toHealth(s: ServiceListEntry): ServiceHealth {
  const mode = s.Spec?.Mode;
  const job = mode?.ReplicatedJob !== undefined || mode?.GlobalJob !== undefined;
  const h: ServiceHealth = {
    name: s.Spec?.Name ?? '',
    image: s.Spec?.TaskTemplate?.ContainerSpec?.Image ?? '',
    mode: job ? 'job' : mode?.Global !== undefined ? 'global' : 'replicated',
    // a replicated job's goal is its completions
    desiredReplicas:
      mode?.ReplicatedJob !== undefined
        ? jobCompletions(mode.ReplicatedJob)
        : (s.ServiceStatus?.DesiredTasks ?? 0),
    runningReplicas: s.ServiceStatus?.RunningTasks ?? 0,
    ...(job ? { completedReplicas: s.ServiceStatus?.CompletedTasks ?? 0 } : {}),
  };
  if (s.UpdateStatus?.State) h.updateState = s.UpdateStatus.State;
  if (s.UpdateStatus?.Message) h.updateMessage = s.UpdateStatus.Message;
  return h;
}

interface TaskEntry {
  ServiceID?: string;
  Spec?: unknown;
  Status?: { State?: string; Err?: string; Timestamp?: string };
  DesiredState?: string;
}

/** The newest task error per service id (rejected or failed tasks), in one list call. */
export async function latestTaskErrors(docker: Docker, serviceIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (serviceIds.length === 0) return out;
  const tasks = (await docker.listTasks({
    filters: JSON.stringify({ service: serviceIds }),
  } as never)) as unknown as TaskEntry[];
  const newest = new Map<string, string>();
  for (const t of tasks) {
    const state = t.Status?.State;
    if (!t.ServiceID || !t.Status?.Err || (state !== 'rejected' && state !== 'failed')) continue;
    const ts = t.Status.Timestamp ?? '';
    if ((newest.get(t.ServiceID) ?? '') <= ts) {
      newest.set(t.ServiceID, ts);
      out.set(t.ServiceID, `${state}: ${t.Status.Err}`);
    }
  }
  return out;
}
