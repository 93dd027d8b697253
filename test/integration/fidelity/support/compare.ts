/** Compares the Swarm objects of a `docker stack deploy` stack with a swarmkeeper stack of the same file. */
import { parse } from 'yaml';
import {
  deepDiff,
  formatDiff,
  logicalName,
  normaliseFileObject,
  normaliseNetwork,
  normaliseService,
  unscope,
} from './normalise.js';
import type { StackSnapshot } from './stack.js';

type Obj = Record<string, unknown>;

/** Networks whose IPAM config the compose file sets (their subnets are compared too). */
export function userIpamNetworks(text: string): Set<string> {
  const doc = parse(text, { merge: true }) as {
    networks?: Record<string, { ipam?: { config?: unknown[] } } | null>;
  };
  return new Set(
    Object.entries(doc.networks ?? {})
      .filter(([, n]) => (n?.ipam?.config?.length ?? 0) > 0)
      .map(([k]) => `<stack>_${k}`),
  );
}

function byKey<T>(
  what: string,
  a: Map<string, T>,
  b: Map<string, T>,
  keyA: (name: string) => string,
  keyB: (name: string) => string,
): { pairs: [string, T, T][]; problems: string[] } {
  const ka = new Map([...a].map(([n, v]) => [keyA(n), v]));
  const kb = new Map([...b].map(([n, v]) => [keyB(n), v]));
  const problems: string[] = [];
  const pairs: [string, T, T][] = [];
  for (const [k, v] of ka) {
    const w = kb.get(k);
    if (w === undefined) problems.push(`${what} ${k}: created by docker, missing in swarmkeeper's stack`);
    else pairs.push([k, v, w]);
  }
  for (const k of kb.keys())
    if (!ka.has(k)) problems.push(`${what} ${k}: created by swarmkeeper, not by docker`);
  return { pairs, problems };
}

/**
 * Every difference between the two stacks, as `<kind> <name> <path>: docker X vs swarmkeeper Y` lines.
 * `userIpam` names the (unscoped) networks whose IPAM config the compose file sets.
 */
export function compareStacks(d: StackSnapshot, s: StackSnapshot, userIpam: Set<string>): string[] {
  const out: string[] = [];
  const u = (ns: string) => (name: string) => String(unscope(name, ns));
  const ul = (ns: string) => (name: string) => String(unscope(logicalName(name), ns));

  const svc = byKey('service', d.services, s.services, u(d.namespace), u(s.namespace));
  out.push(...svc.problems);
  for (const [k, a, b] of svc.pairs)
    out.push(formatDiff(`service ${k}`, deepDiff(normaliseService(a, d), normaliseService(b, s))));

  const net = byKey('network', d.networks, s.networks, u(d.namespace), u(s.namespace));
  out.push(...net.problems);
  for (const [k, a, b] of net.pairs) {
    const ipam = userIpam.has(k);
    out.push(
      formatDiff(
        `network ${k}`,
        deepDiff(
          normaliseNetwork(a as Obj, d.namespace, ipam),
          normaliseNetwork(b as Obj, s.namespace, ipam),
        ),
      ),
    );
  }

  for (const kind of ['configs', 'secrets'] as const) {
    const r = byKey(kind.slice(0, -1), d[kind], s[kind], ul(d.namespace), ul(s.namespace));
    out.push(...r.problems);
    for (const [k, a, b] of r.pairs)
      out.push(
        formatDiff(
          `${kind.slice(0, -1)} ${k}`,
          deepDiff(normaliseFileObject(a, d.namespace), normaliseFileObject(b, s.namespace)),
        ),
      );
  }
  return out.filter((l) => l !== '');
}
