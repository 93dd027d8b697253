import { compareNames } from '../model/order.js';
import { kindRank } from '../api/kinds.js';
import { type SwarmkeeperError, skError } from '../errors.js';
import { type DesiredResource, resourceKey } from './resource.js';

function dependsOnKeys(r: DesiredResource): string[] {
  const deps = (r.spec['dependsOn'] ?? []) as { kind?: string; name?: string; namespace?: string }[];
  if (!Array.isArray(deps)) return [];
  return deps
    .filter((d) => typeof d?.kind === 'string' && typeof d?.name === 'string')
    .map((d) => resourceKey(d.kind!, d.namespace ?? r.namespace, d.name!));
}

/**
 * Orders resources so dependencies come first: by kind rank, then `spec.dependsOn`
 * (a stable topological sort). A cycle is reported for each resource on it.
 */
export function orderResources(resources: readonly DesiredResource[]): {
  ordered: DesiredResource[];
  errors: SwarmkeeperError[];
} {
  const sorted = [...resources].sort(
    (a, b) => kindRank(a.kind) - kindRank(b.kind) || compareNames(a.key, b.key),
  );
  const byKey = new Map(sorted.map((r) => [r.key, r]));
  const state = new Map<string, 'visiting' | 'done'>();
  const ordered: DesiredResource[] = [];
  const errors: SwarmkeeperError[] = [];
  const visit = (r: DesiredResource, path: string[]): boolean => {
    const s = state.get(r.key);
    if (s === 'done') return true;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(r.key)), r.key].join(' -> ');
      errors.push(
        skError('RESOURCE_INVALID', `${r.origin.file}: ${r.key}: spec.dependsOn: dependency cycle ${cycle}`),
      );
      return false;
    }
    state.set(r.key, 'visiting');
    let ok = true;
    for (const dep of dependsOnKeys(r)) {
      const d = byKey.get(dep);
      if (d && !visit(d, [...path, r.key])) ok = false;
    }
    state.set(r.key, 'done');
    if (ok) ordered.push(r);
    return ok;
  };
  for (const r of sorted) visit(r, []);
  return { ordered, errors };
}
