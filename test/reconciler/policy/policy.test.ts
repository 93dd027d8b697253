import { describe, expect, it } from 'vitest';
import { loadCompose } from '../../../reconciler/compose/load.js';
import type { AggregateSwarmkeeperError } from '../../../reconciler/errors.js';
import { checkPolicy, underPrefix } from '../../../reconciler/policy/evaluate.js';
import { ALLOW_ALL, effectivePolicy, GIT_DEFAULT, parsePolicy } from '../../../reconciler/policy/policy.js';
import { FILE, memFiles } from '../compose/helpers.js';

function denials(text: string, sourceType: 'dir' | 'git', policy?: unknown, ns = 'default'): string[] {
  const eff = effectivePolicy(
    sourceType,
    ns,
    policy === undefined ? undefined : parsePolicy('p.yaml', policy),
  );
  try {
    loadCompose(
      { file: FILE, text },
      { env: {}, files: memFiles({}), checks: [(p, problems) => checkPolicy(p, 'st', eff, problems)] },
    );
    return [];
  } catch (e) {
    return (e as AggregateSwarmkeeperError).errors.map((x) => {
      expect(x.code).toBe('SK_ERR_POLICY_DENIED');
      expect(x.policy).toBe('terminal');
      return x.message.replace(`${FILE}:`, '');
    });
  }
}
const svc = (body: string) => `services:\n  s:\n    image: img:1\n${body}`;

describe('effectivePolicy', () => {
  it('git sources deny the Docker socket and "/" by default; others allow everything', () => {
    expect(effectivePolicy('git', 'default', undefined).rules).toEqual(GIT_DEFAULT);
    expect(GIT_DEFAULT).toMatchObject({ dockerSocket: 'deny', hostRoot: 'deny', bindMounts: 'any' });
    for (const t of ['dir', 'kube', 'cli'] as const)
      expect(effectivePolicy(t, 'x', undefined).rules).toEqual(ALLOW_ALL);
  });
  it('layers the source default, the rules, then the namespace', () => {
    const p = parsePolicy('p.yaml', {
      rules: { dockerSocket: 'allow', capAdd: 'none' },
      namespaces: { a: { capAdd: ['NET_ADMIN'] } },
    });
    expect(effectivePolicy('git', 'a', p)).toEqual({
      rules: { ...GIT_DEFAULT, dockerSocket: 'allow', capAdd: ['NET_ADMIN'] },
      from: 'policy p.yaml, namespace a',
    });
    expect(effectivePolicy('git', 'b', p)).toEqual({
      rules: { ...GIT_DEFAULT, dockerSocket: 'allow', capAdd: 'none' },
      from: 'policy p.yaml',
    });
  });
  it.each([
    [{ rules: { dockerSocket: 'maybe' } }, 'rules.dockerSocket'],
    [{ rules: { bindMount: 'none' } }, 'Unrecognized key'],
    [{ namespaces: { a: { capAdd: 'some' } } }, 'namespaces.a.capAdd'],
    [{ rule: {} }, 'Unrecognized key'],
  ])('refuses a bad policy file %j', (doc, why) => {
    expect(() => parsePolicy('p.yaml', doc)).toThrow(/^policy p\.yaml: /);
    expect(() => parsePolicy('p.yaml', doc)).toThrow(why);
  });
});

describe('checkPolicy', () => {
  it.each([
    ['/var/run/docker.sock', true],
    ['/run/docker.sock', true],
    ['/var/run', true],
    ['/var', true],
    ['/run', true],
    ['/home/u/.docker/run/docker.sock', true],
    ['/var/lib/data', false],
    ['/srv', false],
  ])('git default: bind of %s reaches the socket: %s', (src, denied) => {
    const out = denials(svc(`    volumes:\n      - ${src}:/x\n`), 'git');
    expect(out.length > 0).toBe(denied);
    if (denied) expect(out[0]).toContain('rule dockerSocket: deny, the built-in default for git sources');
  });

  it('"/" is denied twice from git: the host root and the socket under it', () => {
    expect(denials(svc('    volumes:\n      - /:/host\n'), 'git')).toEqual([
      '5: services.s.volumes[0]: a bind mount of the host root "/" is denied by the stack policy (rule hostRoot: deny, the built-in default for git sources): it exposes every file of the node; set hostRoot: allow in a policy file to permit it',
      '5: services.s.volumes[0]: a bind mount of / is denied by the stack policy (rule dockerSocket: deny, the built-in default for git sources): it reaches the Docker socket, which is root on the node; set dockerSocket: allow in a policy file to permit it',
    ]);
    expect(
      denials(svc('    volumes:\n      - /:/host\n'), 'git', {
        rules: { dockerSocket: 'allow', hostRoot: 'allow' },
      }),
    ).toEqual([]);
    expect(denials(svc('    volumes:\n      - /:/host\n'), 'dir')).toEqual([]);
  });

  it('lists every denial of a stack, by service, field and rule', () => {
    const text = `services:\n  a:\n    image: img:1\n    cap_add: [SYS_ADMIN, NET_RAW]\n    ports: ["80:80", {target: 81, published: 81, mode: host}]\n  b:\n    image: img:1\n    networks: [host]\n    sysctls: {net.ipv4.ip_forward: "1"}\nnetworks:\n  host: {external: true}\n`;
    const policy = {
      rules: { capAdd: ['NET_RAW'], hostPorts: 'deny', hostNetwork: 'deny', privileged: 'deny' },
    };
    expect(denials(text, 'dir', policy).map((m) => m.slice(0, m.indexOf(' is denied')))).toEqual([
      '4: services.a.cap_add[0]: cap_add SYS_ADMIN',
      '4: services.a.cap_add[0]: cap_add SYS_ADMIN',
      '5: services.a.ports[1]: the host-mode port 81/tcp',
      '9: services.b.sysctls: sysctls',
      '8: services.b.networks.host: the host network',
    ]);
  });

  it.each([
    ['/srv', '/srv', true],
    ['/srv/a/b', '/srv', true],
    ['/srv', '/srv/', true],
    ['/srvx', '/srv', false],
    ['/etc', '/srv', false],
    ['/anything', '/', true],
  ])('underPrefix(%s, %s) = %s', (path, prefix, under) => expect(underPrefix(path, prefix)).toBe(under));
});
