/**
 * A SwarmVolume on one node: make sure the node's Docker volume exists as desired (a plain step
 * function, every call idempotent), and remove the ones swarmkeeper owns.
 *
 *   absent                      -> record (write-ahead), create                      -> Ready
 *   present, owned (labels) or adopted (recorded), as desired                        -> Ready
 *   present, not owned          -> spec.adopt ? record as adopted, go on : Conflict
 *   present, differs            -> recreatePolicy Never: RecreateBlocked (names the services mounting it)
 *                                  Always: in use by a container -> InUse; else delete + create -> Ready
 *   driver plugin installed but not enabled (a node that just joined) -> WaitingForDriver, nothing made
 *   any Docker failure          -> Failed (Secret values redacted from Docker's message)
 */
import type Docker from 'dockerode';
import type { FleetNode } from '../../machines/plugin-fleet.js';
import { redact, volumeDifferences, type DesiredVolume } from '../../reconciler/desired/volume.js';
import { isOwnedBy, LABEL_INSTANCE, LABEL_OWNER, type OwnerRef } from '../../reconciler/model/ownership.js';
import { dockerMessage, statusCodeOf } from '../docker/docker-errors.js';
import {
  containersUsing,
  createVolume,
  deleteVolume,
  disabledDriver,
  inspectVolume,
  servicesMounting,
} from '../docker/volumes.js';
import { listNames } from '../machine-runner/kind-status.js';
import type { NodeObject, NodeOwnershipStore } from '../machine-runner/node-ownership.js';

export interface VolumeNodeState {
  state: 'Ready' | 'Conflict' | 'RecreateBlocked' | 'InUse' | 'WaitingForDriver' | 'Failed' | 'Unreachable';
  message: string;
  /** Something was created, recreated or adopted. */
  changed?: boolean;
}

export interface EnsureVolumeInput {
  key: string;
  owner: OwnerRef;
  instanceId: string;
  desired: DesiredVolume;
  /** Secret values to redact from Docker's messages. */
  secrets: readonly string[];
  node: FleetNode;
  docker: Docker;
  manager: Docker;
  adopt: boolean;
  recreatePolicy: 'Never' | 'Always';
  ownership: NodeOwnershipStore;
  /** The record of this node and name, if any. */
  record: NodeObject | undefined;
  signal?: AbortSignal;
}

function failure(op: string, e: unknown, secrets: readonly string[]): VolumeNodeState {
  const status = statusCodeOf(e);
  const msg = redact(dockerMessage(e), secrets);
  return { state: 'Failed', message: `${op}: ${msg}${status === undefined ? '' : ` (HTTP ${status})`}` };
}

export async function ensureVolumeOnNode(i: EnsureVolumeInput): Promise<VolumeNodeState> {
  const { desired, node, docker } = i;
  const name = desired.name;
  const where = `volume ${name} on node ${node.hostname}`;
  const record: NodeObject = { nodeId: node.id, hostname: node.hostname, name };
  let step = `inspect ${where}`;
  try {
    const observed = await inspectVolume(docker, name, i.signal);
    const waitForDriver = async (): Promise<VolumeNodeState | undefined> =>
      (await disabledDriver(docker, desired.driver, i.signal))
        ? {
            state: 'WaitingForDriver',
            message: `driver plugin ${desired.driver} of ${where} is installed but not enabled yet`,
          }
        : undefined;
    if (observed === undefined) {
      step = `look up the driver of ${where}`;
      const waiting = await waitForDriver();
      if (waiting) return waiting;
      step = `create ${where}`;
      if (i.record === undefined) await i.ownership.add(i.key, record); // write-ahead
      await createVolume(docker, desired, i.signal);
      return { state: 'Ready', message: `created on node ${node.hostname}`, changed: true };
    }
    const owned = isOwnedBy(observed.Labels ?? undefined, i.owner, i.instanceId);
    let adopted = i.record?.adopted === true && !owned;
    let changed = false;
    if (!owned && !adopted) {
      if (!i.adopt) {
        const by = observed.Labels?.[LABEL_OWNER];
        const whose = by
          ? `is owned by ${by} (instance ${observed.Labels?.[LABEL_INSTANCE] ?? '?'})`
          : 'exists without swarmkeeper owner labels';
        return {
          state: 'Conflict',
          message: `${where} ${whose} (driver ${observed.Driver}); ${by ? 'another resource manages it' : 'set spec.adopt: true to take it over'}`,
        };
      }
      step = `adopt ${where}`;
      await i.ownership.add(i.key, { ...record, adopted: true });
      adopted = true;
      changed = true;
    } else if (i.record === undefined) {
      await i.ownership.add(i.key, record);
    }
    const diff = volumeDifferences(desired, observed, { labels: !adopted });
    if (diff.length === 0)
      return {
        state: 'Ready',
        message: `${adopted ? 'adopted' : 'present'} on node ${node.hostname}`,
        changed,
      };

    step = `look up what uses ${where}`;
    const what = `${where} differs in ${diff.join(', ')}`;
    const services = await servicesMounting(i.manager, name, i.signal);
    const svc = services.length > 0 ? `; mounted by service(s) ${listNames(services)}` : '';
    if (i.recreatePolicy !== 'Always')
      return {
        state: 'RecreateBlocked',
        message: `${what}: volumes are immutable and recreating one deletes its data; set recreatePolicy: Always to recreate it${svc}`,
      };
    const containers = await containersUsing(docker, name, i.signal);
    if (containers.length > 0)
      return {
        state: 'InUse',
        message: `${what} and must be recreated, but it is in use by container(s) ${listNames(containers)}${svc}: a volume in use cannot be removed`,
      };
    step = `look up the driver of ${where}`;
    const waiting = await waitForDriver();
    if (waiting) return waiting;
    step = `recreate ${where}`;
    try {
      await deleteVolume(docker, name, i.signal);
    } catch (e) {
      if (statusCodeOf(e) === 409)
        return {
          state: 'InUse',
          message: `${what} and must be recreated, but it is in use${svc}: ${dockerMessage(e)}`,
        };
      throw e;
    }
    await createVolume(docker, desired, i.signal);
    await i.ownership.add(i.key, record); // labelled now: no longer an adoption
    return {
      state: 'Ready',
      message: `recreated on node ${node.hostname} (${diff.join(', ')})`,
      changed: true,
    };
  } catch (e) {
    return failure(step, e, i.secrets);
  }
}

export interface RemoveVolumeResult {
  /** Removed, already gone, or not ours (never deleted): the record is dropped. */
  done: boolean;
  message?: string;
  /** Containers using it (when in use). */
  inUseBy?: string[];
}

/**
 * Deletes a volume swarmkeeper owns on a node: it has the owner labels, or it is recorded as
 * adopted. A volume of that name without either (replaced out of band) is left alone.
 */
export async function removeOwnedVolume(i: {
  key: string;
  owner: OwnerRef;
  instanceId: string;
  record: NodeObject;
  docker: Docker;
  manager: Docker;
  signal?: AbortSignal;
}): Promise<RemoveVolumeResult> {
  const { record, docker } = i;
  const where = `volume ${record.name} on node ${record.hostname}`;
  let step = `inspect ${where}`;
  try {
    const observed = await inspectVolume(docker, record.name, i.signal);
    if (observed === undefined) return { done: true };
    if (!isOwnedBy(observed.Labels ?? undefined, i.owner, i.instanceId) && record.adopted !== true)
      return { done: true, message: `${where} is not owned by swarmkeeper: left alone` };
    step = `look up what uses ${where}`;
    const containers = await containersUsing(docker, record.name, i.signal);
    if (containers.length > 0) {
      const services = await servicesMounting(i.manager, record.name, i.signal);
      const svc = services.length > 0 ? ` (service(s) ${listNames(services)})` : '';
      return {
        done: false,
        inUseBy: containers,
        message: `${where} is in use by container(s) ${listNames(containers)}${svc}`,
      };
    }
    step = `remove ${where}`;
    await deleteVolume(docker, record.name, i.signal);
    return { done: true };
  } catch (e) {
    const status = statusCodeOf(e);
    if (status === 409) return { done: false, message: `${where} is in use: ${dockerMessage(e)}` };
    return {
      done: false,
      message: `${step}: ${dockerMessage(e)}${status === undefined ? '' : ` (HTTP ${status})`}`,
    };
  }
}
