/**
 * Which Swarm object a desired config or secret is, when it is not the content-hashed name:
 *
 * - an object this owner already owns with the same logical name and content hash (e.g. a config
 *   adopted under docker's own name `<stack>_<key>`) is used under its name;
 * - with adopt, an unowned object `docker stack deploy` made for the same stack and key (named the
 *   logical name, labelled with the stack namespace) is adopted under its name when its content is
 *   equal (a config's Data is readable); a secret's value cannot be read, so it is assumed to hold
 *   the source's content. Its labels are then updated to take ownership (the Engine allows label
 *   updates on configs and secrets), and the first real content change rotates it to a hashed name.
 *
 * The services that reference a renamed object are rewritten to its name, so an adopted stack's
 * task templates are unchanged.
 */
import type { FileReference, ServiceSpec } from '../model/engine-types.js';
import type { DesiredObject, ObservedObject } from '../model/objects.js';
import {
  LABEL_CONTENT_HASH,
  LABEL_INSTANCE,
  LABEL_LOGICAL_NAME,
  LABEL_OWNER,
  LABEL_STACK_NAMESPACE,
  isOwnedBy,
  type OwnerRef,
} from '../model/ownership.js';
import type { PlanOptions } from './types.js';

export interface RefNames {
  /** Desired objects with their names resolved. */
  objects: DesiredObject[];
  /** `kind/name` (resolved name) of the unowned objects adopted by this plan. */
  adopted: Set<string>;
}

type Hashed = Extract<DesiredObject, { kind: 'config' | 'secret' }>;

function sameContent(d: Hashed, o: ObservedObject): boolean {
  if (d.kind === 'secret') return true; // unreadable: assumed (documented)
  return (o.spec as { Data?: string } | undefined)?.Data === d.spec.Data;
}

function resolve(
  d: Hashed,
  observed: readonly ObservedObject[],
  owner: OwnerRef,
  opts: PlanOptions,
): { name: string; adopt: boolean } | undefined {
  const same = observed.filter((o) => o.kind === d.kind);
  if (same.some((o) => o.name === d.name)) return undefined;
  const owned = same.find(
    (o) =>
      isOwnedBy(o.labels, owner, opts.instanceId) &&
      o.labels[LABEL_LOGICAL_NAME] === d.logicalName &&
      o.labels[LABEL_CONTENT_HASH] === d.hash,
  );
  if (owned) return { name: owned.name, adopt: false };
  if (!opts.adopt) return undefined;
  const ns = d.spec.Labels?.[LABEL_STACK_NAMESPACE];
  const docker = same.find(
    (o) =>
      o.name === d.logicalName &&
      ns !== undefined &&
      o.labels[LABEL_STACK_NAMESPACE] === ns &&
      o.labels[LABEL_OWNER] === undefined &&
      o.labels[LABEL_INSTANCE] === undefined,
  );
  return docker && sameContent(d, docker) ? { name: docker.name, adopt: true } : undefined;
}

function renamed<T extends Hashed>(d: T, name: string): T {
  return { ...d, name, spec: { ...d.spec, Name: name } };
}

function renameRefs(
  spec: ServiceSpec,
  configs: Map<string, string>,
  secrets: Map<string, string>,
): ServiceSpec {
  const cs = spec.TaskTemplate.ContainerSpec;
  const map = (
    refs: FileReference[],
    key: 'ConfigName' | 'SecretName',
    m: ReadonlyMap<string | undefined, string>,
  ) =>
    refs.map((r) => {
      const to = m.get(r[key]);
      return to === undefined ? r : { ...r, [key]: to };
    });
  const ContainerSpec = { ...cs };
  if (cs.Configs) ContainerSpec.Configs = map(cs.Configs, 'ConfigName', configs);
  if (cs.Secrets) ContainerSpec.Secrets = map(cs.Secrets, 'SecretName', secrets);
  return { ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec } };
}

export function resolveRefNames(
  desired: readonly DesiredObject[],
  observed: readonly ObservedObject[],
  owner: OwnerRef,
  opts: PlanOptions,
): RefNames {
  const renames = { config: new Map<string, string>(), secret: new Map<string, string>() };
  const adopted = new Set<string>();
  const objects = desired.map((d): DesiredObject => {
    if (d.kind !== 'config' && d.kind !== 'secret') return d;
    const r = resolve(d, observed, owner, opts);
    if (r === undefined) return d;
    renames[d.kind].set(d.name, r.name);
    if (r.adopt) adopted.add(`${d.kind}/${r.name}`);
    return renamed(d, r.name);
  });
  if (renames.config.size === 0 && renames.secret.size === 0) return { objects, adopted };
  return {
    objects: objects.map((d) =>
      d.kind === 'service' ? { ...d, spec: renameRefs(d.spec, renames.config, renames.secret) } : d,
    ),
    adopted,
  };
}
