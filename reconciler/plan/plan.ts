/**
 * The pure planner: what to create, update, remove or recreate so that the Swarm matches the
 * desired state of one resource, touching only objects that resource owns.
 *
 * Order: creates of networks, volumes, configs, secrets; label updates adopting configs/secrets; recreates of networks/volumes; service
 * creates and updates; service removes; removes of secrets, configs, volumes, networks.
 */
import { compareNames } from '../model/order.js';
import { OBJECT_KINDS, type DesiredState, type ObservedState } from '../model/objects.js';
import { planObjectRemoves, planServiceRemoves, usedAfter } from './cleanup.js';
import { makeContext } from './context.js';
import { checkExternal } from './external.js';
import { planObjects } from './plan-objects.js';
import { planServices } from './plan-services.js';
import type { Action, Plan, PlanOptions } from './types.js';

/** Throws SK_ERR_DEPENDENCY_NOT_READY when an external object is missing (nothing is planned then). */
export function plan(desired: DesiredState, observed: ObservedState, opts: PlanOptions): Plan {
  checkExternal(desired, observed.objects);
  const ctx = makeContext(desired, observed.objects, opts);
  const objects = planObjects(ctx);
  const services = planServices(ctx).sort((a, b) => compareNames(a.name, b.name));
  const serviceRemoves = planServiceRemoves(ctx);
  const objectRemoves = planObjectRemoves(ctx, usedAfter(ctx, services, serviceRemoves));
  // in dependency order (OBJECT_KINDS): networks, volumes, configs, secrets
  const creates = objects.creates.sort(
    (a, b) => OBJECT_KINDS.indexOf(a.kind) - OBJECT_KINDS.indexOf(b.kind) || compareNames(a.name, b.name),
  );
  const recreates = objects.recreates.sort(
    (a, b) => compareNames(a.kind, b.kind) || compareNames(a.name, b.name),
  );
  const adoptions = objects.adoptions.sort(
    (a, b) => compareNames(a.kind, b.kind) || compareNames(a.name, b.name),
  );
  const actions: Action[] = [
    ...creates,
    ...adoptions,
    ...recreates,
    ...services,
    ...serviceRemoves,
    ...objectRemoves,
  ];
  return { owner: ctx.ownerKey, actions, blocked: ctx.blocked };
}
