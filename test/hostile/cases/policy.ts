import type { HostileCase } from '../case.js';

const F = 'bad/docker-compose.yml';
/** Only a git source denies the Docker socket and "/" by default. */
const GIT_ONLY: HostileCase['skip'] = ['validate', 'plan', 'apply', 'dir'];
const DIR_ONLY: HostileCase['skip'] = ['git'];
const GIT_DEFAULT = 'the built-in default for git sources';
/** Denials by a policy file name that file, which the runner writes where it likes. */
const FILE = String.raw`policy \S+`;

const svc = (body: string) => ({
  'docker-compose.yml': `services:\n  app:\n    image: local/busybox:1\n${body}`,
});
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const denied = (message: string) => ({ code: 'SK_ERR_POLICY_DENIED', message });

const SOCKET_WHY =
  'it reaches the Docker socket, which is root on the node; set dockerSocket: allow in a policy file to permit it';

export const cases: HostileCase[] = [
  {
    name: 'policy-git-denies-docker-socket',
    class: 'policy',
    files: svc('    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n'),
    skip: GIT_ONLY,
    expect: denied(
      `${F}:5: services.app.volumes[0]: a bind mount of /var/run/docker.sock is denied by the stack policy (rule dockerSocket: deny, ${GIT_DEFAULT}): ${SOCKET_WHY}`,
    ),
  },
  {
    name: 'policy-git-denies-run-dir-holding-the-socket',
    class: 'policy',
    files: svc('    volumes:\n      - type: bind\n        source: /run\n        target: /host-run\n'),
    skip: GIT_ONLY,
    expect: denied(
      `${F}:5: services.app.volumes[0]: a bind mount of /run is denied by the stack policy (rule dockerSocket: deny, ${GIT_DEFAULT}): ${SOCKET_WHY}`,
    ),
  },
  {
    name: 'policy-git-denies-host-root',
    class: 'policy',
    files: svc('    volumes:\n      - /:/host:ro\n'),
    skip: GIT_ONLY,
    expect: denied(
      `${F}:5: services.app.volumes[0]: a bind mount of the host root "/" is denied by the stack policy (rule hostRoot: deny, ${GIT_DEFAULT}): it exposes every file of the node; set hostRoot: allow in a policy file to permit it`,
    ),
  },
  {
    name: 'policy-git-denies-socket-by-any-path',
    class: 'policy',
    files: svc('    volumes:\n      - /var/lib/other/docker.sock:/s\n'),
    skip: GIT_ONLY,
    expect: denied(
      `${F}:5: services.app.volumes[0]: a bind mount of /var/lib/other/docker.sock is denied by the stack policy (rule dockerSocket: deny, ${GIT_DEFAULT}): ${SOCKET_WHY}`,
    ),
  },
  {
    name: 'policy-dir-allows-docker-socket-by-default',
    class: 'policy',
    files: svc('    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n'),
    skip: DIR_ONLY,
    expect: { ok: true },
  },
  {
    name: 'policy-git-socket-allowed-by-policy-file',
    class: 'policy',
    files: svc('    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n'),
    skip: GIT_ONLY,
    policy: 'rules:\n  dockerSocket: allow\n',
    expect: { ok: true },
  },
  {
    name: 'policy-bind-outside-allowed-prefixes',
    class: 'policy',
    files: svc('    volumes:\n      - /etc:/host-etc:ro\n'),
    policy: 'rules:\n  bindMounts: [/srv]\n',
    expect: denied(
      new RegExp(
        `^${esc(`${F}:5: services.app.volumes[0]: a bind mount of /etc is denied by the stack policy (rule bindMounts: [/srv], `)}${FILE}${esc('): the path is under none of the allowed prefixes')}$`,
      ) as unknown as string,
    ),
  },
  {
    name: 'policy-bind-prefix-is-a-path-prefix',
    class: 'policy',
    files: svc('    volumes:\n      - /srvx/data:/data\n'),
    policy: 'rules:\n  bindMounts: [/srv]\n',
    expect: denied(
      new RegExp(esc('services.app.volumes[0]: a bind mount of /srvx/data is denied')) as unknown as string,
    ),
  },
  {
    name: 'policy-bind-under-allowed-prefix',
    class: 'policy',
    files: svc('    volumes:\n      - /srv/app/data:/data\n'),
    policy: 'rules:\n  bindMounts: [/srv/app]\n',
    expect: { ok: true },
  },
  {
    name: 'policy-bind-none',
    class: 'policy',
    files: svc('    volumes:\n      - /srv/data:/data\n'),
    policy: 'rules:\n  bindMounts: none\n',
    expect: denied(
      new RegExp(
        `${esc('services.app.volumes[0]: a bind mount of /srv/data is denied by the stack policy (rule bindMounts: none, ')}${FILE}${esc('): no host path may be mounted')}`,
      ) as unknown as string,
    ),
  },
  {
    name: 'policy-cap-add-none',
    class: 'policy',
    files: svc('    cap_add: [NET_ADMIN]\n'),
    policy: 'rules:\n  capAdd: none\n',
    expect: denied(
      new RegExp(
        `${esc(`${F}:4: services.app.cap_add[0]: cap_add NET_ADMIN is denied by the stack policy (rule capAdd: none, `)}${FILE}${esc('): no capability may be added')}`,
      ) as unknown as string,
    ),
  },
  {
    name: 'policy-cap-add-allow-list-normalises-cap-prefix',
    class: 'policy',
    files: svc('    cap_add: [CAP_NET_ADMIN]\n'),
    policy: 'rules:\n  capAdd: [NET_ADMIN]\n',
    expect: { ok: true },
  },
  {
    name: 'policy-privileged-denies-sys-admin',
    class: 'policy',
    files: svc('    cap_add: [SYS_ADMIN]\n'),
    policy: 'rules:\n  privileged: deny\n',
    expect: denied(
      new RegExp(
        `${esc(`${F}:4: services.app.cap_add[0]: cap_add SYS_ADMIN is denied by the stack policy (rule privileged: deny, `)}${FILE}${esc('): the capability amounts to root on the node')}`,
      ) as unknown as string,
    ),
  },
  {
    name: 'policy-privileged-denies-sysctls',
    class: 'policy',
    files: svc('    sysctls:\n      net.core.somaxconn: "1024"\n'),
    policy: 'rules:\n  privileged: deny\n',
    expect: denied(
      new RegExp(
        `${esc(`${F}:4: services.app.sysctls: sysctls is denied by the stack policy (rule privileged: deny, `)}${FILE}${esc('): kernel parameters are privileged settings')}`,
      ) as unknown as string,
    ),
  },
  {
    name: 'policy-host-ports-denied',
    class: 'policy',
    files: svc('    ports:\n      - target: 80\n        published: 8080\n        mode: host\n'),
    policy: 'rules:\n  hostPorts: deny\n',
    expect: denied(
      new RegExp(
        `${esc(`${F}:5: services.app.ports[0]: the host-mode port 8080/tcp is denied by the stack policy (rule hostPorts: deny, `)}${FILE}${esc("): host-mode ports bind the node's own addresses")}`,
      ) as unknown as string,
    ),
  },
  {
    name: 'policy-host-network-denied',
    class: 'policy',
    files: svc('    networks: [host]\nnetworks:\n  host:\n    external: true\n'),
    policy: 'rules:\n  hostNetwork: deny\n',
    expect: denied(
      new RegExp(
        `${esc(`${F}:4: services.app.networks.host: the host network is denied by the stack policy (rule hostNetwork: deny, `)}${FILE}${esc("): it shares the node's network stack")}`,
      ) as unknown as string,
    ),
  },
  {
    name: 'policy-host-network-by-external-name',
    class: 'policy',
    files: svc('    networks: [hostnet]\nnetworks:\n  hostnet:\n    external: true\n    name: host\n'),
    policy: 'rules:\n  hostNetwork: deny\n',
    expect: denied(
      new RegExp(esc('services.app.networks.hostnet: the host network is denied')) as unknown as string,
    ),
  },
  {
    name: 'policy-namespace-overrides-rules',
    class: 'policy',
    files: svc('    cap_add: [NET_ADMIN]\n'),
    policy: 'rules:\n  capAdd: any\nnamespaces:\n  default:\n    capAdd: none\n',
    expect: denied(
      new RegExp(`${esc('(rule capAdd: none, ')}${FILE}${esc(', namespace default)')}`) as unknown as string,
    ),
  },
  {
    name: 'policy-other-namespace-untouched',
    class: 'policy',
    files: svc('    cap_add: [NET_ADMIN]\n'),
    policy: 'rules:\n  capAdd: any\nnamespaces:\n  team-b:\n    capAdd: none\n',
    expect: { ok: true },
  },
];
