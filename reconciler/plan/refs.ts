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
  for (const n of t.Networks ?? []) add('network', n.Target);
  const c = t.ContainerSpec;
  for (const m of c?.Mounts ?? []) if (m.Type === 'volume') add('volume', m.Source);
  for (const r of c?.Configs ?? []) add('config', r.ConfigName);
  for (const r of c?.Secrets ?? []) add('secret', r.SecretName);
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
