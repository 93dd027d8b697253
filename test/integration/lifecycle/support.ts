/**
 * Reads for the lifecycle test straight from the Engine API (dockerode on DOCKER_HOST): raw
 * `GET /services` specs as stored (no inserted defaults), versions, tasks and owned objects; and the
 * pure helpers that turn them into assertion messages.
 */
import { parse } from 'yaml';
import { OWNERSHIP_LABELS } from '../../../reconciler/model/ownership.js';
import { engine } from '../helpers/controller-swarm.js';
import { deepDiff, formatDiff, logicalName, unscope } from '../fidelity/support/normalise.js';
import { waitAllocated, type StackSnapshot } from '../fidelity/support/stack.js';

type Obj = Record<string, unknown>;

export interface RawService {
  ID: string;
  Version: { Index: number };
  Spec: Obj & { Name: string; Labels?: Record<string, string> };
  UpdateStatus?: Obj;
}

const nsFilter = (ns: string) => ({ label: [`com.docker.stack.namespace=${ns}`] });

/** Every service of a stack namespace by name, as the API stores it. */
export async function rawServices(ns: string): Promise<Map<string, RawService>> {
  const list = (await engine().listServices({ filters: nsFilter(ns) })) as unknown as RawService[];
  return new Map(list.map((s) => [s.Spec.Name, s]));
}

/** Version.Index by service name. */
export async function versionsOf(ns: string): Promise<Map<string, number>> {
  await waitAllocated(ns);
  return new Map([...(await rawServices(ns))].map(([n, s]) => [n, s.Version.Index]));
}

export interface TaskState {
  state: string;
  desired: string;
}

/** State and desired state of every task of the stack, by task ID. */
export async function taskStates(ns: string): Promise<Map<string, TaskState>> {
  const tasks = (await engine().listTasks({ filters: nsFilter(ns) })) as unknown as {
    ID: string;
    DesiredState?: string;
    Status?: { State?: string };
  }[];
  return new Map(tasks.map((t) => [t.ID, { state: t.Status?.State ?? '', desired: t.DesiredState ?? '' }]));
}

/**
 * Tasks that were running before and that the orchestrator has since told to shut down (an update
 * replaces a task this way); a task whose process exited on its own ends `complete` or `failed`.
 */
export function stoppedTasks(before: Map<string, TaskState>, after: Map<string, TaskState>): string[] {
  return [...before]
    .filter(([, b]) => b.state === 'running')
    .filter(([id]) => {
      const a = after.get(id);
      return a !== undefined && a.desired === 'shutdown' && ['running', 'shutdown'].includes(a.state);
    })
    .map(([id]) => id);
}

/** Names of the services, networks, configs and secrets labelled with this swarmkeeper instance. */
export async function ownedBy(instanceId: string): Promise<string[]> {
  const filters = { label: [`swarmkeeper.io/instance=${instanceId}`] };
  const d = engine();
  const [services, networks, configs, secrets] = await Promise.all([
    d.listServices({ filters }) as Promise<unknown> as Promise<{ Spec: { Name: string } }[]>,
    d.listNetworks({ filters }) as Promise<unknown> as Promise<{ Name: string }[]>,
    d.listConfigs({ filters }) as Promise<unknown> as Promise<{ Spec: { Name: string } }[]>,
    d.listSecrets({ filters }) as Promise<unknown> as Promise<{ Spec: { Name: string } }[]>,
  ]);
  return [
    ...services.map((s) => `service ${s.Spec.Name}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...configs.map((c) => `config ${c.Spec.Name}`),
    ...secrets.map((s) => `secret ${s.Spec.Name}`),
  ];
}

/**
 * Services whose Version.Index moved between two reads, as compose service names (stack prefix cut),
 * plus services that appeared or disappeared.
 */
export function updatedServices(
  ns: string,
  before: Map<string, number>,
  after: Map<string, number>,
): string[] {
  const short = (n: string) => (n.startsWith(`${ns}_`) ? n.slice(ns.length + 1) : n);
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .filter((n) => before.get(n) !== after.get(n))
    .map(short)
    .sort();
}

function withoutOwnership(spec: Obj): Obj {
  const labels = { ...((spec['Labels'] as Record<string, string> | undefined) ?? {}) };
  for (const k of OWNERSHIP_LABELS) delete labels[k];
  return { ...spec, Labels: labels };
}

/**
 * Adoption must leave every service's stored Spec as it was, except for swarmkeeper's ownership labels
 * on Spec.Labels; any other difference (TaskTemplate above all, which would restart tasks) is listed.
 */
export function adoptionDiffs(before: Map<string, RawService>, after: Map<string, RawService>): string[] {
  const out: string[] = [];
  for (const [name, b] of before) {
    const a = after.get(name);
    if (!a) {
      out.push(`service ${name}: gone after adoption (id ${b.ID})`);
      continue;
    }
    if (a.ID !== b.ID) out.push(`service ${name}: replaced by adoption (id ${b.ID} -> ${a.ID})`);
    const spec = deepDiff(withoutOwnership(b.Spec), withoutOwnership(a.Spec));
    out.push(
      formatDiff(
        `service ${name}`,
        spec.map((d) => ({ ...d, path: `Spec.${d.path}` })),
      ),
    );
    // A label-only update clears UpdateStatus; a rolling update started by adoption sets a new one.
    const started = a.UpdateStatus?.['StartedAt'];
    if (started !== undefined && started !== b.UpdateStatus?.['StartedAt'])
      out.push(`service ${name}: adoption started a rolling update: ${JSON.stringify(a.UpdateStatus)}`);
  }
  for (const name of after.keys()) if (!before.has(name)) out.push(`service ${name}: created by adoption`);
  return out.filter((l) => l !== '');
}

/** Keys of the configs and secrets a compose text defines itself (not external). */
export function declaredKeys(text: string): { configs: Set<string>; secrets: Set<string> } {
  const doc = (parse(text, { merge: true }) ?? {}) as Record<string, Record<string, Obj | null> | undefined>;
  const own = (section: string) =>
    new Set(
      Object.entries(doc[section] ?? {})
        .filter(([, d]) => d?.['external'] === undefined || d['external'] === false)
        .map(([k]) => k),
    );
  return { configs: own('configs'), secrets: own('secrets') };
}

/**
 * A snapshot without the configs and secrets the compose text no longer declares: after a rotation by
 * a new key, `docker stack deploy` leaves the old object behind (it never removes configs or secrets),
 * and what swarmkeeper keeps of old versions is its retention policy, not part of the spec comparison.
 */
export function onlyDeclared(snap: StackSnapshot, text: string): StackSnapshot {
  const keys = declaredKeys(text);
  const keep = (set: Set<string>) => (m: Map<string, Obj>) =>
    new Map(
      [...m].filter(([name]) => {
        const u = String(unscope(logicalName(name), snap.namespace));
        return u.startsWith('<stack>_') && set.has(u.slice('<stack>_'.length));
      }),
    );
  return { ...snap, configs: keep(keys.configs)(snap.configs), secrets: keep(keys.secrets)(snap.secrets) };
}

/** Published ports a compose text puts on the ingress (short syntax, or long syntax without mode: host). */
export function ingressPorts(text: string): number[] {
  const doc = (parse(text, { merge: true }) ?? {}) as {
    services?: Record<string, { ports?: unknown[] } | null>;
  };
  const out: number[] = [];
  for (const svc of Object.values(doc.services ?? {})) {
    for (const p of svc?.ports ?? []) {
      if (typeof p === 'object' && p !== null) {
        const long = p as { published?: unknown; mode?: unknown };
        if (long.published !== undefined && long.mode !== 'host') out.push(Number(long.published));
      } else {
        const parts = String(p).split('/')[0]!.split(':');
        if (parts.length >= 2) out.push(Number(parts[parts.length - 2]));
      }
    }
  }
  return out;
}
