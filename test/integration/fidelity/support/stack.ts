/** Reads and removes everything of one stack namespace (label com.docker.stack.namespace=<ns>). */
import { docker, dockerJSON, idsByLabel, pollUntil } from './cli.js';

type Obj = Record<string, unknown>;

export interface StackSnapshot {
  namespace: string;
  /** Service specs by service name. */
  services: Map<string, Obj>;
  /** Network inspect results by name. */
  networks: Map<string, Obj>;
  /** Config inspect results (Spec with Data) by name. */
  configs: Map<string, Obj>;
  /** Secret inspect results (Spec, no data) by name. */
  secrets: Map<string, Obj>;
  /** Network ID -> name for every network of the swarm (Targets are read back as IDs). */
  networkNames: Map<string, string>;
  /** The folder of the compose file this deployer read (relative bind sources resolve against it). */
  dir?: string;
}

const nsLabel = (ns: string): string => `com.docker.stack.namespace=${ns}`;

async function inspectAll(type: 'service' | 'network' | 'config' | 'secret', ns: string): Promise<Obj[]> {
  const ids = await idsByLabel(type, nsLabel(ns));
  if (ids.length === 0) return [];
  return dockerJSON<Obj[]>([type, 'inspect', ...ids]);
}

const specName = (o: Obj): string => String((o['Spec'] as Obj)['Name']);

/**
 * True once the Swarm allocator has finished with the stack: every network has its driver state (until
 * then the Engine reports Driver "" and no IPAM or options) and every service has its Endpoint, with a
 * virtual IP on each of its networks in vip mode. Allocation also bumps a service's Version.Index, so
 * versions read before it would show an update nobody made.
 */
export function allocated(networks: Obj[], services: Obj[]): boolean {
  if (networks.some((n) => !n['Driver'])) return false;
  return services.every((s) => {
    const endpoint = s['Endpoint'] as { Spec?: { Mode?: string }; VirtualIPs?: unknown[] } | undefined;
    if (!endpoint) return false;
    const spec = s['Spec'] as { TaskTemplate?: { Networks?: unknown[] }; EndpointSpec?: { Mode?: string } };
    if ((spec.EndpointSpec?.Mode ?? 'vip') !== 'vip') return true;
    return (endpoint.VirtualIPs?.length ?? 0) >= (spec.TaskTemplate?.Networks?.length ?? 0);
  });
}

/** Waits (polling, with a deadline) until the allocator has finished with the stack namespace. */
export async function waitAllocated(ns: string, timeoutMs = 30_000): Promise<void> {
  await pollUntil(`allocation of stack ${ns}`, timeoutMs, async () =>
    allocated(await inspectAll('network', ns), await inspectAll('service', ns)) ? true : undefined,
  );
}

export async function snapshot(ns: string, dir?: string): Promise<StackSnapshot> {
  await waitAllocated(ns);
  const [services, networks, configs, secrets, allNets] = await Promise.all([
    inspectAll('service', ns),
    inspectAll('network', ns),
    inspectAll('config', ns),
    inspectAll('secret', ns),
    docker(['network', 'ls', '--no-trunc', '--format', '{{.ID}} {{.Name}}']),
  ]);
  const networkNames = new Map<string, string>();
  for (const line of allNets.stdout.split('\n')) {
    const [id, name] = line.trim().split(' ');
    if (id && name) networkNames.set(id, name);
  }
  return {
    namespace: ns,
    services: new Map(services.map((s) => [specName(s), s['Spec'] as Obj])),
    networks: new Map(networks.map((n) => [String(n['Name']), n])),
    configs: new Map(configs.map((c) => [specName(c), c['Spec'] as Obj])),
    secrets: new Map(secrets.map((c) => [specName(c), c['Spec'] as Obj])),
    networkNames,
    ...(dir === undefined ? {} : { dir }),
  };
}

/**
 * Removes the services, then (polling until a deadline, as tasks stop asynchronously) the networks,
 * configs, secrets and volumes of the given stack namespaces; resolves when none is left.
 */
export async function removeStacks(namespaces: string[], timeoutMs = 90_000): Promise<void> {
  const byType = async (type: 'service' | 'network' | 'config' | 'secret' | 'volume'): Promise<string[]> =>
    (await Promise.all(namespaces.map((ns) => idsByLabel(type, nsLabel(ns))))).flat();
  const services = await byType('service');
  if (services.length > 0) await docker(['service', 'rm', ...services], true);
  await pollUntil(`removal of stacks ${namespaces.join(', ')}`, timeoutMs, async () => {
    let left = 0;
    for (const type of ['service', 'network', 'config', 'secret', 'volume'] as const) {
      const ids = await byType(type);
      left += ids.length;
      if (ids.length > 0) await docker([type, 'rm', ...ids], true);
    }
    // Count what is still there after this round's removals.
    for (const type of ['service', 'network', 'config', 'secret', 'volume'] as const) {
      if (left === 0) break;
      if ((await byType(type)).length > 0) return undefined;
    }
    return true;
  });
}
