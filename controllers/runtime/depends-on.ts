/**
 * spec.dependsOn: a resource is reconciled only once every resource it depends on is Ready; when
 * one becomes Ready, the resources that wait for it are enqueued at once (Flux's dependsOn).
 */
import { asSwarmkeeperError, skError, type SwarmkeeperError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { isTrue } from '../../reconciler/status/conditions.js';
import type { StatusStore } from '../ports.js';

interface DependencyRef {
  kind: string;
  name: string;
  namespace?: string;
}

/** The keys `res` depends on (a reference without a namespace is in the resource's own). */
export function dependencyKeys(res: Pick<DesiredResource, 'spec' | 'namespace'>): string[] {
  const deps = (res.spec['dependsOn'] ?? []) as DependencyRef[];
  return deps.map((d) => `${d.kind}/${d.namespace ?? res.namespace}/${d.name}`);
}

/** The first dependency that is not Ready, as the waiting error; undefined when all are Ready. */
export async function waitingFor(
  res: Pick<DesiredResource, 'spec' | 'namespace'>,
  statuses: Pick<StatusStore, 'get'>,
): Promise<SwarmkeeperError | undefined> {
  try {
    for (const depKey of dependencyKeys(res)) {
      const st = await statuses.get(depKey);
      if (!isTrue(st?.conditions, 'Ready'))
        return skError('DEPENDENCY_NOT_READY', `waiting for ${depKey} to be Ready`, { requeueAfterMs: 2000 });
    }
    return undefined;
  } catch (e) {
    return asSwarmkeeperError(e);
  }
}

/** The keys of `resources` that depend on `key` (to wake when it becomes Ready). */
export function dependents(key: string, resources: readonly DesiredResource[]): string[] {
  return resources.filter((r) => dependencyKeys(r).includes(key)).map((r) => r.key);
}
