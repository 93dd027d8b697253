/**
 * Plugin privileges: what `GET /plugins/privileges?remote=REF` returns, compared with what a
 * SwarmPlugin grants (spec.allowedPrivileges). Pure.
 */
import type { PluginPrivilege } from '../reconciler/api/swarm-plugin.js';

/** One privilege as the Engine API lists it (and expects back, unchanged, in pull/upgrade bodies). */
export interface EnginePluginPrivilege {
  Name: string;
  Description?: string;
  Value: string[];
}

/** The privileges (and the values of each) a plugin asks for that are not granted. */
export function privilegeDifference(
  requested: readonly EnginePluginPrivilege[],
  allowed: readonly PluginPrivilege[] = [],
): PluginPrivilege[] {
  const granted = new Map<string, Set<string>>();
  for (const a of allowed) {
    const set = granted.get(a.name) ?? new Set<string>();
    for (const v of a.value) set.add(v);
    granted.set(a.name, set);
  }
  const missing = new Map<string, string[]>();
  for (const r of requested) {
    const set = granted.get(r.Name);
    // a privilege asked for with no value (e.g. allow-all-devices) still needs the name granted
    const values = r.Value.length === 0 ? (set ? [] : ['']) : r.Value.filter((v) => !set?.has(v));
    if (values.length === 0) continue;
    missing.set(r.Name, [...(missing.get(r.Name) ?? []), ...values]);
  }
  return [...missing].map(([name, value]) => ({ name, value }));
}

/** `mount=[/var/lib], capabilities=[CAP_SYS_ADMIN]` */
export function formatPrivileges(privileges: readonly PluginPrivilege[]): string {
  return privileges.map((p) => `${p.name}=[${p.value.join(', ')}]`).join(', ');
}

/** The refusal message, or undefined when every privilege asked for is granted. */
export function privilegeRefusal(
  remote: string,
  requested: readonly EnginePluginPrivilege[],
  allowed: readonly PluginPrivilege[] | undefined,
): string | undefined {
  const diff = privilegeDifference(requested, allowed);
  if (diff.length === 0) return undefined;
  return `plugin ${remote} asks for privileges not allowed: ${formatPrivileges(diff)}`;
}
