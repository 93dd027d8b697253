/**
 * Evaluates a stack policy on a loaded compose project, before any planning: every denial is a
 * problem (file, line, path) coded SK_ERR_POLICY_DENIED naming the rule and where it came from.
 */
import { posix } from 'node:path';
import type { PathSegment, Problems } from '../compose/problems.js';
import { networkName } from '../compose/to-swarm-parts.js';
import type { ComposeProject } from '../compose/types.js';
import type { EffectivePolicy } from './policy.js';

const DOCKER_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock'];
/** Capabilities that amount to root on the host (and `ALL`). */
export const PRIVILEGED_CAPS = new Set([
  'ALL',
  'SYS_ADMIN',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_PTRACE',
  'SYS_BOOT',
  'DAC_READ_SEARCH',
  'MAC_ADMIN',
  'BPF',
]);

/** `/srv` covers `/srv` and `/srv/x`, not `/srvx`. */
export function underPrefix(path: string, prefix: string): boolean {
  const p = posix.normalize(prefix).replace(/\/+$/, '') || '/';
  return p === '/' || path === p || path.startsWith(`${p}/`);
}

function reachesDockerSocket(source: string): boolean {
  return DOCKER_SOCKETS.some((s) => underPrefix(s, source)) || posix.basename(source) === 'docker.sock';
}

const capName = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');

export function checkPolicy(
  project: ComposeProject,
  stack: string,
  policy: EffectivePolicy,
  problems: Problems,
): void {
  const { rules, from } = policy;
  const deny = (path: PathSegment[], what: string, rule: string, why: string) =>
    problems.add(
      'POLICY_DENIED',
      path,
      `${what} is denied by the stack policy (rule ${rule}, ${from}): ${why}`,
    );
  for (const [name, svc] of Object.entries(project.services)) {
    const base = ['services', name];
    svc.volumes?.forEach((v, i) => {
      if (v.type !== 'bind' || v.source === undefined) return;
      const src = posix.normalize(v.source);
      const path = [...base, 'volumes', i];
      if (src === '/' && rules.hostRoot === 'deny')
        deny(
          path,
          'a bind mount of the host root "/"',
          'hostRoot: deny',
          'it exposes every file of the node; set hostRoot: allow in a policy file to permit it',
        );
      if (reachesDockerSocket(src) && rules.dockerSocket === 'deny')
        deny(
          path,
          `a bind mount of ${src}`,
          'dockerSocket: deny',
          'it reaches the Docker socket, which is root on the node; set dockerSocket: allow in a policy file to permit it',
        );
      const allowed = rules.bindMounts;
      if (allowed === 'none')
        deny(path, `a bind mount of ${src}`, 'bindMounts: none', 'no host path may be mounted');
      else if (Array.isArray(allowed) && !allowed.some((p) => underPrefix(src, p)))
        deny(
          path,
          `a bind mount of ${src}`,
          `bindMounts: [${allowed.join(', ')}]`,
          'the path is under none of the allowed prefixes',
        );
    });
    svc.cap_add?.forEach((c, i) => {
      const cap = capName(c);
      const path = [...base, 'cap_add', i];
      const allowed = rules.capAdd;
      if (allowed === 'none') deny(path, `cap_add ${c}`, 'capAdd: none', 'no capability may be added');
      else if (Array.isArray(allowed) && !allowed.map(capName).includes(cap))
        deny(
          path,
          `cap_add ${c}`,
          `capAdd: [${allowed.join(', ')}]`,
          'the capability is not in the allowed list',
        );
      if (rules.privileged === 'deny' && PRIVILEGED_CAPS.has(cap))
        deny(path, `cap_add ${c}`, 'privileged: deny', 'the capability amounts to root on the node');
    });
    if (rules.privileged === 'deny') {
      if (svc.sysctls && Object.keys(svc.sysctls).length > 0)
        deny(
          [...base, 'sysctls'],
          'sysctls',
          'privileged: deny',
          'kernel parameters are privileged settings',
        );
      const raw = svc as Record<string, unknown>;
      if (raw['privileged'] === true)
        deny(
          [...base, 'privileged'],
          'privileged: true',
          'privileged: deny',
          'a privileged container is root on the node',
        );
      if (Array.isArray(raw['devices']) && raw['devices'].length > 0)
        deny([...base, 'devices'], 'devices', 'privileged: deny', 'host devices are privileged settings');
      for (const ns of ['pid', 'ipc'])
        if (raw[ns] === 'host')
          deny(
            [...base, ns],
            `${ns}: host`,
            'privileged: deny',
            `the host ${ns} namespace is a privileged setting`,
          );
    }
    if (rules.hostPorts === 'deny')
      svc.ports?.forEach((p, i) => {
        if (p.mode === 'host')
          deny(
            [...base, 'ports', i],
            `the host-mode port ${p.published ?? p.target}/${p.protocol}`,
            'hostPorts: deny',
            "host-mode ports bind the node's own addresses",
          );
      });
    if (rules.hostNetwork === 'deny')
      for (const key of Object.keys(svc.networks ?? {}))
        if (networkName(stack, project, key) === 'host')
          deny(
            [...base, 'networks', key],
            'the host network',
            'hostNetwork: deny',
            "it shares the node's network stack",
          );
  }
}
