/**
 * Recreating a network or volume (a change Docker cannot make in place).
 * Network: detach the affected services (service update without the attachment), remove the
 * network (waiting until the node's copy is gone with their old tasks), create it anew, then re-attach the
 * services by name — except those the plan updates anyway (their desired spec attaches them).
 * Volume: remove and create; Docker refuses while a container uses it (reported as the error).
 */
import type { NetworkAttachmentConfig } from '../../reconciler/model/engine-types.js';
import type { RecreateAction } from '../../reconciler/plan/types.js';
import { isNotFound } from './docker-errors.js';
import {
  createObject,
  inspectService,
  removeObject,
  updateService,
  waitNetworkGone,
  type OpContext,
} from './operations.js';

interface Detached {
  id: string;
  name: string;
  removed: NetworkAttachmentConfig[];
}

async function detach(ctx: OpContext, a: RecreateAction, serviceName: string): Promise<Detached | undefined> {
  let info;
  try {
    info = await inspectService(ctx, serviceName);
  } catch (e) {
    if (isNotFound((e as Error).cause)) return undefined;
    throw e;
  }
  const nets = info.Spec.TaskTemplate.Networks ?? [];
  const uses = (n: NetworkAttachmentConfig): boolean => n.Target === a.id || n.Target === a.name;
  const removed = nets.filter(uses);
  if (removed.length === 0) return undefined;
  const spec = {
    ...info.Spec,
    TaskTemplate: { ...info.Spec.TaskTemplate, Networks: nets.filter((n) => !uses(n)) },
  };
  await updateService(ctx, info.ID, serviceName, info.Version.Index, spec);
  return { id: info.ID, name: serviceName, removed };
}

async function reattach(ctx: OpContext, d: Detached, networkName: string): Promise<void> {
  const info = await inspectService(ctx, d.id);
  const nets = [
    ...(info.Spec.TaskTemplate.Networks ?? []),
    ...d.removed.map((n) => ({ ...n, Target: networkName })),
  ];
  const spec = { ...info.Spec, TaskTemplate: { ...info.Spec.TaskTemplate, Networks: nets } };
  await updateService(ctx, info.ID, d.name, info.Version.Index, spec);
}

/** Returns the id of the new object. */
export async function recreate(
  ctx: OpContext,
  a: RecreateAction,
  updatedByPlan: ReadonlySet<string>,
): Promise<string> {
  const detached: Detached[] = [];
  if (a.kind === 'network') {
    for (const name of a.affectedServices) {
      const d = await detach(ctx, a, name);
      if (d) detached.push(d);
    }
  }
  await removeObject(ctx, a.kind, a.id, a.name);
  if (a.kind === 'network') await waitNetworkGone(ctx, a.id, a.name);
  const id = await createObject(ctx, a.desired);
  for (const d of detached) if (!updatedByPlan.has(d.name)) await reattach(ctx, d, a.desired.name);
  return id;
}
