/**
 * Docker volumes on one daemon: inspect (404 = absent), create with the revealed options, delete
 * (404 = already gone), and who uses one (containers on the node, services on a manager).
 * Used by the SwarmVolume kind and the volume migration's actors.
 */
import type Docker from 'dockerode';
import {
  normalizeDriver,
  revealOptions,
  type DesiredVolume,
  type ObservedVolume,
} from '../../reconciler/desired/volume.js';
import { LABEL_INSTANCE, LABEL_OWNER } from '../../reconciler/model/ownership.js';
import { statusCodeOf } from './docker-errors.js';
import { dockerRequest } from './request.js';

const vol = (name: string) => `/volumes/${encodeURIComponent(name)}`;

export async function inspectVolume(
  docker: Docker,
  name: string,
  signal?: AbortSignal,
): Promise<ObservedVolume | undefined> {
  try {
    return await dockerRequest<ObservedVolume>(docker, { method: 'GET', path: vol(name), signal });
  } catch (e) {
    if (statusCodeOf(e) === 404) return undefined;
    throw e;
  }
}

/** The volume is created with the revealed options; nothing of the request is ever logged. */
export async function createVolume(docker: Docker, v: DesiredVolume, signal?: AbortSignal): Promise<void> {
  await dockerRequest(docker, {
    method: 'POST',
    path: '/volumes/create',
    body: { Name: v.name, Driver: v.driver, DriverOpts: revealOptions(v.driverOpts), Labels: v.labels },
    signal,
  });
}

export async function deleteVolume(docker: Docker, name: string, signal?: AbortSignal): Promise<void> {
  try {
    await dockerRequest(docker, { method: 'DELETE', path: vol(name), signal });
  } catch (e) {
    if (statusCodeOf(e) !== 404) throw e;
  }
}

/** Names of the containers on the node (running or not) that use the volume. */
export async function containersUsing(docker: Docker, name: string, signal?: AbortSignal): Promise<string[]> {
  const list = await dockerRequest<{ Names?: string[]; Id: string }[]>(docker, {
    method: 'GET',
    path: '/containers/json',
    query: { all: true, filters: JSON.stringify({ volume: [name] }) },
    signal,
  });
  return list.map((c) => (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '')).sort();
}

/** Names of the swarm services whose task template mounts the volume (asked on a manager). */
export async function servicesMounting(
  manager: Docker,
  name: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const list = await dockerRequest<
    {
      Spec?: {
        Name?: string;
        TaskTemplate?: { ContainerSpec?: { Mounts?: { Type?: string; Source?: string }[] } };
      };
    }[]
  >(manager, { method: 'GET', path: '/services', signal });
  return list
    .filter((s) =>
      (s.Spec?.TaskTemplate?.ContainerSpec?.Mounts ?? []).some(
        (m) => (m.Type ?? 'volume') === 'volume' && m.Source === name,
      ),
    )
    .map((s) => s.Spec?.Name ?? '?')
    .sort();
}

/** Volumes on the node that carry this resource's owner labels. */
export async function labelledVolumes(
  docker: Docker,
  owner: string,
  instanceId: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const r = await dockerRequest<{ Volumes?: { Name: string }[] | null }>(docker, {
    method: 'GET',
    path: '/volumes',
    query: {
      filters: JSON.stringify({ label: [`${LABEL_OWNER}=${owner}`, `${LABEL_INSTANCE}=${instanceId}`] }),
    },
    signal,
  });
  return (r.Volumes ?? []).map((v) => v.Name).sort();
}

/**
 * A managed plugin of that name that is installed but not enabled (yet): the Engine would wait about
 * 15 s for it on a create before failing, so the step reports it and comes back instead. A driver
 * that is not a managed plugin (built in, or a legacy plugin socket) is left to the create call.
 */
export async function disabledDriver(docker: Docker, driver: string, signal?: AbortSignal): Promise<boolean> {
  if (normalizeDriver(driver) === 'local') return false;
  const list = await dockerRequest<{ Name: string; Enabled: boolean }[] | null>(docker, {
    method: 'GET',
    path: '/plugins',
    signal,
  });
  const p = (list ?? []).find((x) => normalizeDriver(x.Name) === normalizeDriver(driver));
  return p !== undefined && !p.Enabled;
}
