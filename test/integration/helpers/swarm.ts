/** Reading and cleaning up Swarm objects through the docker client (DOCKER_HOST). */
import { docker } from './run.js';
import { pollUntil } from './poll.js';

export type ObjectType = 'service' | 'network' | 'config' | 'secret' | 'volume';
const TYPES: readonly ObjectType[] = ['service', 'network', 'config', 'secret', 'volume'];

export const LABEL_INSTANCE = 'swarmkeeper.io/instance';
export const LABEL_OWNER = 'swarmkeeper.io/owner';
export const LABEL_NAMESPACE = 'com.docker.stack.namespace';

export interface ServiceInfo {
  id: string;
  name: string;
  version: number;
  labels: Record<string, string>;
  env: string[];
  replicas: number | undefined;
}

/** Names (volumes: names; others: names) of the objects of one type carrying a label filter. */
export async function namesByLabel(type: ObjectType, label: string): Promise<string[]> {
  const r = await docker([type, 'ls', '--filter', `label=${label}`, '--format', '{{.Name}}']);
  return r.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();
}

export async function exists(type: ObjectType, name: string): Promise<boolean> {
  return (await docker([type, 'inspect', name], true)).code === 0;
}

interface RawService {
  ID: string;
  Version: { Index: number };
  Spec: {
    Name: string;
    Labels?: Record<string, string>;
    TaskTemplate: { ContainerSpec: { Env?: string[] } };
    Mode: { Replicated?: { Replicas?: number } };
  };
}

export async function service(name: string): Promise<ServiceInfo | undefined> {
  const r = await docker(['service', 'inspect', name], true);
  if (r.code !== 0) return undefined;
  const s = (JSON.parse(r.stdout) as RawService[])[0]!;
  return {
    id: s.ID,
    name: s.Spec.Name,
    version: s.Version.Index,
    labels: s.Spec.Labels ?? {},
    env: s.Spec.TaskTemplate.ContainerSpec.Env ?? [],
    replicas: s.Spec.Mode.Replicated?.Replicas,
  };
}

/** Version.Index of each named service (a service that is missing maps to -1). */
export async function versions(names: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const n of names) out[n] = (await service(n))?.version ?? -1;
  return out;
}

/** Version.Index of a network, config or volume (volumes have none: their CreatedAt is returned). */
export async function objectVersion(
  type: 'network' | 'config' | 'volume',
  name: string,
): Promise<string | undefined> {
  const r = await docker([type, 'inspect', name], true);
  if (r.code !== 0) return undefined;
  const o = (JSON.parse(r.stdout) as Record<string, unknown>[])[0]!;
  if (type === 'volume') return String(o['CreatedAt']);
  if (type === 'network') return `${String(o['Id'])}@${String(o['Created'])}`;
  return String((o['Version'] as { Index: number }).Index);
}

/** `running/desired` per service name from `GET /services?status=true` (docker service ls). */
export async function replicaCounts(
  label: string,
): Promise<Map<string, { running: number; desired: number }>> {
  const r = await docker([
    'service',
    'ls',
    '--filter',
    `label=${label}`,
    '--format',
    '{{.Name}} {{.Replicas}}',
  ]);
  const out = new Map<string, { running: number; desired: number }>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+) (\d+)\/(\d+)/.exec(line.trim());
    if (m) out.set(m[1]!, { running: Number(m[2]), desired: Number(m[3]) });
  }
  return out;
}

export async function networkLabels(name: string): Promise<Record<string, string> | undefined> {
  const r = await docker(['network', 'inspect', name], true);
  if (r.code !== 0) return undefined;
  return ((JSON.parse(r.stdout) as { Labels?: Record<string, string> }[])[0]!.Labels ?? {}) as Record<
    string,
    string
  >;
}

/** Waits until no object of the given types carries the label (e.g. networks whose tasks still stop). */
export async function waitGone(
  label: string,
  types: readonly ObjectType[] = TYPES,
  timeoutMs = 90_000,
): Promise<void> {
  await pollUntil(`no ${types.join('/')} labelled ${label}`, timeoutMs, async () => {
    for (const t of types) if ((await namesByLabel(t, label)).length > 0) return undefined;
    return true;
  });
}

/**
 * Removes everything owned by `instanceId` and everything of the given stack namespaces (hand-made
 * objects too): services first, then (polling, as tasks stop asynchronously) networks, configs,
 * secrets and volumes; resolves when none is left.
 */
export async function cleanup(
  opts: { instanceId?: string; namespaces?: string[] },
  timeoutMs = 90_000,
): Promise<void> {
  const labels = [
    ...(opts.instanceId ? [`${LABEL_INSTANCE}=${opts.instanceId}`] : []),
    ...(opts.namespaces ?? []).map((ns) => `${LABEL_NAMESPACE}=${ns}`),
  ];
  const byType = async (type: ObjectType): Promise<string[]> => [
    ...new Set((await Promise.all(labels.map((l) => namesByLabel(type, l)))).flat()),
  ];
  const services = await byType('service');
  if (services.length > 0) await docker(['service', 'rm', ...services], true);
  await pollUntil(
    `removal of ${labels.join(', ')}`,
    timeoutMs,
    async () => {
      let left = 0;
      for (const type of TYPES) {
        const names = await byType(type);
        left += names.length;
        if (names.length > 0) await docker([type, 'rm', ...names], true);
      }
      return left === 0 ? true : undefined;
    },
    500,
  );
}
