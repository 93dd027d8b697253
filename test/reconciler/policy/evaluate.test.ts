import { describe, expect, it } from 'vitest';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { Problems } from '../../../reconciler/compose/problems.js';
import type { ComposeProject } from '../../../reconciler/compose/types.js';
import type { AggregateSwarmkeeperError } from '../../../reconciler/errors.js';
import { checkPolicy, PRIVILEGED_CAPS } from '../../../reconciler/policy/evaluate.js';
import { ALLOW_ALL, effectivePolicy, parsePolicy } from '../../../reconciler/policy/policy.js';
import { FILE, memFiles } from '../compose/helpers.js';

/** The denials of a one-service stack under `rules` (over allow-all), without file and line. */
function denials(body: string, rules: Record<string, unknown>, extra = ''): string[] {
  const eff = effectivePolicy('dir', 'default', parsePolicy('p.yaml', { rules }));
  const text = `services:\n  s:\n    image: img:1\n${body}${extra}`;
  try {
    loadCompose(
      { file: FILE, text },
      { env: {}, files: memFiles({}), checks: [(p, problems) => checkPolicy(p, 'st', eff, problems)] },
    );
    return [];
  } catch (e) {
    return (e as AggregateSwarmkeeperError).errors.map((x) => x.message.replace(/^[^:]+:\d+: /, ''));
  }
}
/** The denials of a project built by hand (service `s` with `extra` keys). */
function direct(extra: Record<string, unknown>, rules: Record<string, unknown>): string[] {
  const eff = effectivePolicy('dir', 'default', parsePolicy('p.yaml', { rules }));
  const project = { services: { s: { image: 'img:1', ...extra } } } as unknown as ComposeProject;
  const problems = new Problems('f.yml', () => undefined);
  checkPolicy(project, 'st', eff, problems);
  try {
    problems.throwIfAny();
    return [];
  } catch (e) {
    return (e as AggregateSwarmkeeperError).errors.map((x) => x.message.replace(/^f\.yml: /, ''));
  }
}
const by = (rule: string, why: string) => `(rule ${rule}, policy p.yaml): ${why}`;

describe('checkPolicy: bind mounts', () => {
  const bind = (src: string) => `    volumes:\n      - ${src}:/x\n`;

  it.each([
    [
      'none',
      '/srv/a',
      [
        `services.s.volumes[0]: a bind mount of /srv/a is denied by the stack policy ${by('bindMounts: none', 'no host path may be mounted')}`,
      ],
    ],
    [['/srv', '/var/log'], '/srv/a/../b', []],
    [['/srv', '/var/log'], '/var/log', []],
    [
      ['/srv', '/var/log'],
      '/srv/../etc',
      [
        `services.s.volumes[0]: a bind mount of /etc is denied by the stack policy ${by('bindMounts: [/srv, /var/log]', 'the path is under none of the allowed prefixes')}`,
      ],
    ],
    ['any', '/etc', []],
  ])('bindMounts %j, bind of %s', (bindMounts, src, want) => {
    expect(denials(bind(src), { bindMounts })).toEqual(want);
  });

  it('named volumes are never bind mounts', () => {
    expect(
      denials('    volumes:\n      - data:/x\n', { bindMounts: 'none' }, 'volumes:\n  data: {}\n'),
    ).toEqual([]);
  });

  it.each([
    ['/var/run/docker.sock', true],
    ['/srv/docker.sock', true],
    ['/srv/docker.sockets', false],
  ])('dockerSocket: deny, bind of %s denied: %s', (src, denied) => {
    expect(denials(bind(src), { dockerSocket: 'deny' }).length).toBe(denied ? 1 : 0);
  });

  it('hostRoot: deny alone denies "/" once', () => {
    expect(denials(bind('/'), { hostRoot: 'deny' })).toEqual([
      `services.s.volumes[0]: a bind mount of the host root "/" is denied by the stack policy ${by('hostRoot: deny', 'it exposes every file of the node; set hostRoot: allow in a policy file to permit it')}`,
    ]);
    expect(denials(bind('/srv'), { hostRoot: 'deny' })).toEqual([]);
  });
});

describe('checkPolicy: capabilities and privileged settings', () => {
  const caps = (...c: string[]) => `    cap_add: [${c.join(', ')}]\n`;

  it.each([
    [
      'none',
      ['NET_ADMIN'],
      [
        `services.s.cap_add[0]: cap_add NET_ADMIN is denied by the stack policy ${by('capAdd: none', 'no capability may be added')}`,
      ],
    ],
    [['NET_ADMIN'], ['CAP_NET_ADMIN', 'net_admin'], []],
    [['cap_net_raw'], ['NET_RAW'], []],
    [
      ['NET_ADMIN'],
      ['NET_RAW'],
      [
        `services.s.cap_add[0]: cap_add NET_RAW is denied by the stack policy ${by('capAdd: [NET_ADMIN]', 'the capability is not in the allowed list')}`,
      ],
    ],
    ['any', ['NET_RAW', 'SYS_ADMIN'], []],
  ])('capAdd %j, cap_add %j', (capAdd, c, want) => {
    expect(denials(caps(...c), { capAdd })).toEqual(want);
  });

  it.each([...PRIVILEGED_CAPS].map((c) => [c]))('privileged: deny denies cap_add %s', (c) => {
    expect(denials(caps(`cap_${c.toLowerCase()}`), { privileged: 'deny' })).toEqual([
      `services.s.cap_add[0]: cap_add cap_${c.toLowerCase()} is denied by the stack policy ${by('privileged: deny', 'the capability amounts to root on the node')}`,
    ]);
  });

  it('privileged: deny denies sysctls', () => {
    const body = '    sysctls: {net.core.somaxconn: "1024"}\n';
    expect(denials(body, { privileged: 'deny' })).toEqual([
      `services.s.sysctls: sysctls is denied by the stack policy ${by('privileged: deny', 'kernel parameters are privileged settings')}`,
    ]);
    expect(denials(body, {})).toEqual([]);
  });

  // The loader drops these keys (docker stack deploy ignores them), so only a project built
  // another way reaches the policy with them: the policy still refuses them.
  it.each([
    [
      { privileged: true },
      'services.s.privileged: privileged: true',
      'a privileged container is root on the node',
    ],
    [{ devices: ['/dev/fuse'] }, 'services.s.devices: devices', 'host devices are privileged settings'],
    [{ pid: 'host' }, 'services.s.pid: pid: host', 'the host pid namespace is a privileged setting'],
    [{ ipc: 'host' }, 'services.s.ipc: ipc: host', 'the host ipc namespace is a privileged setting'],
  ])('privileged: deny denies %j in a project', (extra, what, why) => {
    expect(direct(extra, { privileged: 'deny' })).toEqual([
      `${what} is denied by the stack policy ${by('privileged: deny', why)}`,
    ]);
    expect(direct(extra, {})).toEqual([]);
  });

  it.each([
    [{ privileged: false }],
    [{ devices: [] }],
    [{ devices: 'x' }],
    [{ pid: 'service:x' }],
    [{ ipc: 'shareable' }],
  ])('privileged: deny lets %j in a project pass', (extra) => {
    expect(direct(extra, { privileged: 'deny' })).toEqual([]);
  });

  it.each([
    ['    privileged: false\n'],
    ['    devices: []\n'],
    ['    pid: service:x\n'],
    ['    sysctls: {}\n'],
    [`    cap_add: [NET_RAW]\n`],
  ])('privileged: deny lets %j pass', (body) => {
    expect(denials(body, { privileged: 'deny' })).toEqual([]);
  });
});

describe('checkPolicy: host ports and network', () => {
  it('hostPorts: deny names a host-mode port by its published port, or its target', () => {
    const body =
      '    ports:\n      - {target: 80, published: 8080, mode: host}\n      - {target: 81, mode: host, protocol: udp}\n      - "82:82"\n';
    expect(denials(body, { hostPorts: 'deny' })).toEqual([
      `services.s.ports[0]: the host-mode port 8080/tcp is denied by the stack policy ${by('hostPorts: deny', "host-mode ports bind the node's own addresses")}`,
      `services.s.ports[1]: the host-mode port 81/udp is denied by the stack policy ${by('hostPorts: deny', "host-mode ports bind the node's own addresses")}`,
    ]);
    expect(denials(body, {})).toEqual([]);
  });

  it('hostNetwork: deny denies only the host network', () => {
    const body = '    networks: [host, back]\n';
    const nets = 'networks:\n  host: {external: true}\n  back: {}\n';
    expect(denials(body, { hostNetwork: 'deny' }, nets)).toEqual([
      `services.s.networks.host: the host network is denied by the stack policy ${by('hostNetwork: deny', "it shares the node's network stack")}`,
    ]);
    expect(denials(body, {}, nets)).toEqual([]);
  });
});

describe('parsePolicy and effectivePolicy', () => {
  it.each([[null], [undefined], [{}]])(
    'an empty document %j allows what the source default allows',
    (doc) => {
      const p = parsePolicy('p.yaml', doc);
      expect(p).toEqual({ name: 'p.yaml', rules: {}, namespaces: {} });
      expect(effectivePolicy('dir', 'x', p)).toEqual({ rules: ALLOW_ALL, from: 'policy p.yaml' });
    },
  );

  it('a document that is not an object is refused at the top level, naming the rules', () => {
    expect(() => parsePolicy('p.yaml', 'deny')).toThrow(
      /^policy p\.yaml: \(top level\): .* \(expected \{rules: \{\.\.\.\}, namespaces: \{NS: \{\.\.\.\}\}\} with rules bindMounts, dockerSocket, hostRoot, capAdd, hostPorts, hostNetwork, privileged\)$/,
    );
  });

  it('every problem is listed', () => {
    expect(() => parsePolicy('p.yaml', { rules: { hostPorts: 'x', capAdd: [''] } })).toThrow(
      /rules\.(hostPorts|capAdd\.0): .*; rules\.(hostPorts|capAdd\.0): /,
    );
  });

  it('without a policy the source type is named', () => {
    expect(effectivePolicy('kube', 'x', undefined).from).toBe('the built-in default for kube sources');
    const rules = effectivePolicy('dir', 'x', undefined).rules;
    expect(rules).toEqual(ALLOW_ALL);
    expect(rules).not.toBe(ALLOW_ALL);
  });
});
