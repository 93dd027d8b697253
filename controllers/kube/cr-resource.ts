import type { CustomObjectsApi, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, GROUP, isKindName, KINDS, type KindName, VERSION } from '../../reconciler/api/index.js';
import { type SwarmkeeperError, skError } from '../../reconciler/errors.js';
import { type DesiredResource, resourceKey } from '../../reconciler/source/resource.js';

/** The finalizer swarmkeeper puts on every custom resource before it first applies it. */
export const FINALIZER = 'swarmkeeper.io/cleanup';
/** Field manager of every write swarmkeeper makes to the Kubernetes API. */
export const FIELD_MANAGER = 'swarmkeeper';
export const KUBE_SOURCE_NAME = 'kube';

/**
 * A custom object as the API server returns it (loosely typed). Watch and list results are plain
 * JSON: metadata.deletionTimestamp arrives as a string despite V1ObjectMeta's Date type.
 */
export interface CustomObject extends KubernetesObject {
  spec?: unknown;
  status?: unknown;
}

export interface KindRef {
  kind: KindName;
  group: string;
  version: string;
  plural: string;
}

export function kindRef(kind: KindName): KindRef {
  return { kind, group: GROUP, version: VERSION, plural: KINDS[kind].plural };
}

/** Lists the custom objects of one kind, in `namespace` or cluster-wide. */
export async function listCustomObjects(
  api: CustomObjectsApi,
  kind: KindName,
  namespace: string | undefined,
): Promise<KubernetesListObject<CustomObject>> {
  const r = kindRef(kind);
  const list: unknown = namespace
    ? await api.listNamespacedCustomObject({ ...r, namespace })
    : await api.listClusterCustomObject(r);
  return list as KubernetesListObject<CustomObject>;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `k8s:<Kind>/<ns>/<name>`: the origin "file" of a custom resource, used in every message. */
export function originFile(kind: string, namespace: string, name: string): string {
  return `k8s:${resourceKey(kind, namespace, name)}`;
}

/** A watch/list object's metadata.deletionTimestamp as an ISO string (the informer may hand a Date). */
function deletionTimestamp(obj: CustomObject): string | undefined {
  const t: unknown = obj.metadata?.deletionTimestamp;
  if (t === undefined || t === null) return undefined;
  return t instanceof Date ? t.toISOString() : String(t);
}

/**
 * A custom object as a DesiredResource. Only what a reconcile depends on is kept (the
 * GenerationChangedPredicate): spec, generation and the deletion mark. status, resourceVersion,
 * managedFields, labels and finalizers are left out, so a status-only update compares equal in
 * the ResourceStore and causes no reconcile.
 */
export function toDesiredResource(obj: CustomObject): DesiredResource | undefined {
  const kind = obj.kind;
  const name = obj.metadata?.name;
  const namespace = obj.metadata?.namespace;
  if (!isKindName(kind) || !name || !namespace) return undefined;
  const generation = obj.metadata?.generation;
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const deleting = deletionTimestamp(obj);
  const metadata: Record<string, unknown> = { name, namespace };
  if (generation !== undefined) metadata.generation = generation;
  if (deleting !== undefined) metadata.deletionTimestamp = deleting;
  return {
    key: resourceKey(kind, namespace, name),
    kind,
    namespace,
    name,
    ...(generation !== undefined ? { generation } : {}),
    spec,
    origin: {
      file: originFile(kind, namespace, name),
      source: KUBE_SOURCE_NAME,
      ...(generation !== undefined ? { revision: `gen-${generation}` } : {}),
    },
    baseDir: '.',
    document: { apiVersion: API_VERSION, kind, metadata, spec },
  };
}

/** Set when the custom resource is being deleted (its finalizers run). */
export function deletionOf(res: DesiredResource): string | undefined {
  const meta = res.document?.metadata;
  const t = isRecord(meta) ? meta.deletionTimestamp : undefined;
  return typeof t === 'string' ? t : undefined;
}

export function deletionPolicy(res: DesiredResource): 'Delete' | 'Orphan' {
  return res.spec['deletionPolicy'] === 'Orphan' ? 'Orphan' : 'Delete';
}

/** The fields of an inline compose document that name files: env_file, configs/secrets `file:`. */
export function composeFileFields(compose: unknown): string[] {
  const out: string[] = [];
  if (!isRecord(compose)) return out;
  if (compose['include'] !== undefined) out.push('include');
  if (isRecord(compose['services']))
    for (const [name, svc] of Object.entries(compose['services'])) {
      if (isRecord(svc) && svc['env_file'] !== undefined) out.push(`services.${name}.env_file`);
      if (isRecord(svc) && isRecord(svc['extends']) && svc['extends']['file'] !== undefined)
        out.push(`services.${name}.extends.file`);
    }
  for (const kind of ['configs', 'secrets'] as const) {
    const section = compose[kind];
    if (isRecord(section))
      for (const [name, obj] of Object.entries(section))
        if (isRecord(obj) && obj['file'] !== undefined) out.push(`${kind}.${name}.file`);
  }
  return out;
}

/** Checks that need the Kubernetes context: a custom resource has no source directory. */
export function kubeSpecProblem(res: DesiredResource): SwarmkeeperError | undefined {
  if (res.kind !== 'SwarmStack') return undefined;
  const field = ['composeFile', 'composeFiles', 'envFiles'].find((f) => res.spec[f] !== undefined);
  if (field !== undefined)
    return skError(
      'RESOURCE_INVALID',
      `${res.origin.file}: spec.${field}: not supported for Kubernetes custom resources ` +
        '(they have no source directory to read files from); put the compose document in spec.compose',
    );
  const files = composeFileFields(res.spec['compose']);
  if (files.length > 0)
    return skError(
      'FILE_UNREADABLE',
      `${res.origin.file}: ${files.map((f) => `spec.compose.${f}`).join(', ')}: inline compose from the ` +
        'Kubernetes API has no files to read; use environment (or spec.env) instead of env_file, ' +
        'content instead of a config file, and spec.secretRefs for secrets',
    );
  return undefined;
}

/** JSON with object keys sorted at every level: the API server returns keys sorted. */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => canonical(v)) as T;
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort())
    // defineProperty, not assignment: a key named "__proto__" must stay an own property
    if (value[k] !== undefined)
      Object.defineProperty(out, k, {
        value: canonical(value[k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  return out as T;
}

/** Parses `Kind/namespace/name` into a custom-resource kind reference, or undefined for other keys. */
export function parseCrKey(key: string): { ref: KindRef; namespace: string; name: string } | undefined {
  const parts = key.split('/');
  if (parts.length !== 3) return undefined;
  const [kind, namespace, name] = parts as [string, string, string];
  if (!isKindName(kind) || !namespace || !name) return undefined;
  return { ref: kindRef(kind), namespace, name };
}
