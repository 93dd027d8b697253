import type { Problems } from './problems.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const PROFILE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * Keeps the services `docker compose --profile a --profile b` would start: a service without
 * `profiles` always, one with profiles when one of them is enabled. The `profiles` key is removed
 * (it is not part of a Swarm service). An enabled service whose `depends_on` names a disabled one is
 * an error, with docker compose's advice. `tree` is the interpolated, merged document.
 */
export function applyProfiles(tree: unknown, enabled: readonly string[], problems: Problems): void {
  if (!isRecord(tree) || !isRecord(tree['services'])) return;
  const services = tree['services'];
  const disabled = new Map<string, string[]>();
  for (const [name, svc] of Object.entries(services)) {
    if (!isRecord(svc) || !Object.hasOwn(svc, 'profiles')) continue;
    const list = svc['profiles'];
    const path = ['services', name, 'profiles'];
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
      problems.add('COMPOSE_INVALID', path, 'expected a list of profile names');
      continue;
    }
    const bad = list.find((p) => !PROFILE.test(p));
    if (bad !== undefined) {
      problems.add(
        'COMPOSE_INVALID',
        path,
        `invalid profile name ${JSON.stringify(bad)}: expected [a-zA-Z0-9][a-zA-Z0-9_.-]*`,
      );
      continue;
    }
    delete svc['profiles'];
    if (list.length > 0 && !list.some((p) => enabled.includes(p))) disabled.set(name, list);
  }
  for (const [name, svc] of Object.entries(services)) {
    if (disabled.has(name) || !isRecord(svc)) continue;
    const deps = svc['depends_on'];
    const names = Array.isArray(deps) ? deps : isRecord(deps) ? Object.keys(deps) : [];
    for (const dep of names) {
      const profiles = typeof dep === 'string' ? disabled.get(dep) : undefined;
      if (profiles === undefined) continue;
      problems.add(
        'COMPOSE_INVALID',
        ['services', name, 'depends_on'],
        `service "${dep}" is a dependency of service "${name}" but is not enabled by the active profiles (${
          enabled.length > 0 ? enabled.join(', ') : 'none'
        }; "${dep}" has ${profiles.join(', ')}): add a common profile to both, or enable one of ${profiles.join(', ')} in spec.profiles`,
      );
    }
  }
  for (const name of disabled.keys()) delete services[name];
}
