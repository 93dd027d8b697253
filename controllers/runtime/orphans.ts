import { compareNames } from '../../reconciler/model/order.js';
import { removeRank } from '../../reconciler/api/kinds.js';
import { LABEL_OWNER, parseOwnerKey } from '../../reconciler/model/ownership.js';
import type { ObservedObject } from '../../reconciler/model/objects.js';
import { plan as makePlan } from '../../reconciler/plan/plan.js';
import type { Plan } from '../../reconciler/plan/types.js';
import type { SwarmPort } from '../../reconciler/ports.js';

/**
 * Owners (by `kind/namespace/name`) that own Swarm objects of this instance but are no longer
 * in the source, with the plan that removes their objects. Only owned objects are considered.
 * Plans come in removal order: stacks before the networks and volumes they may use.
 */
export async function planOrphans(
  swarm: SwarmPort,
  instanceId: string,
  desiredKeys: ReadonlySet<string>,
): Promise<Plan[]> {
  const observed = await swarm.observe({ instanceId });
  const byOwner = new Map<string, ObservedObject[]>();
  for (const o of observed.objects) {
    const owner = o.labels[LABEL_OWNER];
    if (!owner || desiredKeys.has(owner)) continue;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), o]);
  }
  const plans: Plan[] = [];
  const rank = (key: string): number => removeRank(parseOwnerKey(key)?.kind ?? '');
  for (const [key, objects] of [...byOwner].sort(([a], [b]) => rank(a) - rank(b) || compareNames(a, b))) {
    const owner = parseOwnerKey(key);
    if (!owner) continue;
    const p = makePlan(
      { owner, objects: [] },
      { objects },
      {
        instanceId,
        prune: true,
        adopt: false,
        recreatePolicy: 'Never',
        configRetention: 0,
        ignore: [],
      },
    );
    if (p.actions.length > 0) plans.push(p);
  }
  return plans;
}
