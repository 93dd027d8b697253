import { z } from 'zod';

/** The API group and version of every swarmkeeper kind. */
export const GROUP = 'swarmkeeper.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const KIND_NAMES = [
  'SwarmStack',
  'SwarmNetwork',
  'SwarmVolume',
  'SwarmPlugin',
  'SwarmNode',
  'SwarmVolumeMigration',
] as const;
export type KindName = (typeof KIND_NAMES)[number];

/** A CEL rule the API server enforces (`x-kubernetes-validations`); zod enforces the same rule itself. */
export interface CelRule {
  rule: string;
  message: string;
}
export const cel = (...rules: CelRule[]) => ({ 'x-kubernetes-validations': rules });

/** RFC 1123 subdomain: the Kubernetes object name rule (metadata.name). */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 1123 label: the Kubernetes namespace rule. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Swarm object names (swarmkit's name rule): letters and digits, inner `-` or `_`, at most 63 characters. */
export const SWARM_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

export const resourceName = z
  .string()
  .max(253)
  .regex(DNS_SUBDOMAIN, { error: 'must be a lowercase RFC 1123 subdomain (a-z, 0-9, "-", ".")' });
export const namespaceName = z
  .string()
  .max(63)
  .regex(DNS_LABEL, { error: 'must be a lowercase RFC 1123 label (a-z, 0-9, "-")' });
export const swarmName = z.string().max(63).regex(SWARM_NAME, {
  error: 'must start and end with a letter or digit and contain only letters, digits, "-" and "_"',
});

export const nonEmpty = z.string().min(1, { error: 'must not be empty' });
export const count = z.int().min(0);
export const stringMap = z.record(z.string(), z.string());
/** Docker/Swarm labels (node selectors, object labels). */
export const labels = stringMap;

/** A key of a Kubernetes Secret in the resource's namespace. The value is never copied into status or logs. */
export const secretKeyRef = z
  .strictObject({
    name: resourceName.describe('Name of the Secret (same namespace as the resource).'),
    key: nonEmpty.describe('Key inside the Secret.'),
  })
  .describe('A key of a Kubernetes Secret.');
export type SecretKeyRef = z.output<typeof secretKeyRef>;

export const secretRef = z
  .strictObject({ name: resourceName.describe('Name of the Secret (same namespace as the resource).') })
  .describe('A Kubernetes Secret in the resource namespace.');

/** Whether a change that needs delete-and-create may be applied. */
export const recreatePolicy = z
  .enum(['Never', 'Always'])
  .default('Never')
  .describe('Never: changes that need recreation are blocked and reported. Always: recreate.');

export const dependencyRef = z.strictObject({
  kind: z.enum(KIND_NAMES),
  name: resourceName,
  namespace: namespaceName.optional().describe('Defaults to the namespace of the dependent resource.'),
});
export type DependencyRef = z.output<typeof dependencyRef>;

/** Fields every kind has. */
const baseSpecFields = {
  suspend: z.boolean().optional().describe('Stop reconciling this resource (nothing is changed or deleted).'),
  dependsOn: z
    .array(dependencyRef)
    .optional()
    .describe('Resources that must be Ready before this one is reconciled.'),
  deletionPolicy: z
    .enum(['Delete', 'Orphan'])
    .default('Delete')
    .describe('Delete: remove owned Swarm objects with the resource. Orphan: leave them.'),
};

const driftPolicy = z
  .enum(['correct', 'detect'])
  .default('correct')
  .describe('correct: revert out-of-band changes. detect: only report them (Drifted condition).');

/** The common fields of a kind whose drift is planned field by field (stacks, networks): `ignore` too. */
export const commonSpecFields = {
  ...baseSpecFields,
  driftPolicy,
  ignore: z
    .array(nonEmpty)
    .optional()
    .describe('Engine API field paths left out of drift detection, e.g. Mode.Replicated.Replicas.'),
};

/** The common fields of a kind that can report drift without correcting it (nodes). */
export const detectingSpecFields = { ...baseSpecFields, driftPolicy };

/**
 * The common fields of a kind that always puts back what changed (plugins, volumes, migrations):
 * only `driftPolicy: correct` is accepted, so `detect` is refused by name instead of being ignored.
 */
export const correctingSpecFields = {
  ...baseSpecFields,
  driftPolicy: z
    .enum(['correct'])
    .default('correct')
    .describe('correct: revert out-of-band changes. This kind only corrects: detect is not supported.'),
};
