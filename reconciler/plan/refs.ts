/** The networks, volumes, configs and secrets a service spec uses. */
import type { ServiceSpec } from '../model/engine-types.js';
import type { ObjectKind } from '../model/objects.js';
import { keyOf } from './context.js';

export function serviceRefs(spec: ServiceSpec | undefined): Set<string> {
  const out = new Set<string>();
  const t = spec?.TaskTemplate;
  if (!t) return out;
  const add = (kind: ObjectKind, name: string | undefined): void => {
    if (name) out.add(keyOf(kind, name));
  };
  t.Networks?.forEach((n) => add('network', n.Target));
  const c = t.ContainerSpec;
  c?.Mounts?.forEach((m) => add('volume', m.Type === 'volume' ? m.Source : undefined));
  c?.Configs?.forEach((r) => add('config', r.ConfigName));
  c?.Secrets?.forEach((r) => add('secret', r.SecretName));
  return out;
}

/** Names of the services (in `specs`) that use the object, sorted. */
export function usersOf(
  kind: ObjectKind,
  name: string,
  specs: Iterable<[string, ServiceSpec | undefined]>,
): string[] {
  const key = keyOf(kind, name);
  const out: string[] = [];
  for (const [svc, spec] of specs) if (serviceRefs(spec).has(key)) out.push(svc);
  return out.sort();
}
