import type { Labels } from './engine-types.js';

/** Labels swarmkeeper puts on object labels (never on TaskTemplate/ContainerSpec). */
export const LABEL_OWNER = 'swarmkeeper.io/owner';
export const LABEL_INSTANCE = 'swarmkeeper.io/instance';
/** Logical name of a hashed config/secret, so old versions can be found and retired. */
export const LABEL_LOGICAL_NAME = 'swarmkeeper.io/logical-name';
/** Content hash of a config/secret. */
export const LABEL_CONTENT_HASH = 'swarmkeeper.io/content-hash';
/** Hash of the last desired service spec, so that a removed field is noticed too. */
export const LABEL_SPEC_HASH = 'swarmkeeper.io/spec-hash';
/** The label docker stack deploy puts on everything it creates. */
export const LABEL_STACK_NAMESPACE = 'com.docker.stack.namespace';
/** docker stack deploy's label on the image of a service. */
export const LABEL_STACK_IMAGE = 'com.docker.stack.image';

export const OWNERSHIP_LABELS: readonly string[] = [
  LABEL_OWNER,
  LABEL_INSTANCE,
  LABEL_LOGICAL_NAME,
  LABEL_CONTENT_HASH,
  LABEL_SPEC_HASH,
];

/** The resource that owns Swarm objects: `kind/namespace/name`. */
export interface OwnerRef {
  kind: string;
  namespace: string;
  name: string;
}

export function ownerKey(o: OwnerRef): string {
  return `${o.kind}/${o.namespace}/${o.name}`;
}

export function parseOwnerKey(key: string): OwnerRef | undefined {
  const parts = key.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  const [kind, namespace, name] = parts as [string, string, string];
  return { kind, namespace, name };
}

export function ownerLabels(owner: OwnerRef, instanceId: string): Labels {
  return { [LABEL_OWNER]: ownerKey(owner), [LABEL_INSTANCE]: instanceId };
}

/** Owned by this swarmkeeper instance (any resource). */
export function isOwnedByInstance(labels: Labels | undefined, instanceId: string): boolean {
  return labels?.[LABEL_INSTANCE] === instanceId && typeof labels[LABEL_OWNER] === 'string';
}

/** Owned by exactly this resource of this instance. */
export function isOwnedBy(labels: Labels | undefined, owner: OwnerRef, instanceId: string): boolean {
  return labels?.[LABEL_INSTANCE] === instanceId && labels[LABEL_OWNER] === ownerKey(owner);
}

/** Labels without swarmkeeper's own (for comparing against `docker stack deploy`). */
export function withoutOwnershipLabels(labels: Labels | undefined): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (!OWNERSHIP_LABELS.includes(k)) out[k] = v;
  return out;
}
