import { describe, expect, it } from 'vitest';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { deploy, memFiles } from './helpers.js';

const svc = (body: string): string => `services:\n  web:\n    image: a:1\n${body}\n`;
const warningsOf = (text: string): string[] =>
  loadCompose({ file: 'stack.yml', text }, { env: {}, files: memFiles({}) }).warnings;

const CONTAINER_NAME = 'container_name: Setting the container name is not supported.';
const EXPOSE =
  "expose: Exposing ports is unnecessary - services on the same network can access each other's containers on any port.";

describe('keys docker stack deploy ignores: accepted, with docker CLI 28 warning text', () => {
  it.each<[string, string, string[]]>([
    [
      'unsupported keys, all services, one sorted line',
      `${svc('    build: .\n    network_mode: host\n    restart: always')}  db:\n    image: b:1\n    shm_size: 1g\n    privileged: true\n`,
      ['stack.yml: Ignoring unsupported options: build, network_mode, privileged, restart, shm_size'],
    ],
    [
      'deprecated keys, with docker reasons',
      svc('    container_name: x\n    expose: ["80"]'),
      [`stack.yml: Ignoring deprecated options:\n\n${CONTAINER_NAME}\n\n${EXPOSE}`],
    ],
    [
      'every other unsupported key',
      svc(
        '    cgroupns_mode: host\n    cgroup_parent: p\n    devices: [/dev/x]\n    domainname: d\n    external_links: [a]\n    ipc: host\n    links: [a]\n    mac_address: 02:42:ac:11:00:02\n    pid: host\n    security_opt: [a]\n    userns_mode: host',
      ),
      [
        'stack.yml: Ignoring unsupported options: cgroup_parent, cgroupns_mode, devices, domainname, external_links, ipc, links, mac_address, pid, security_opt, userns_mode',
      ],
    ],
    [
      'depends_on (short form) and tmpfs: docker is silent, swarmkeeper says it drops them',
      svc('    depends_on: [db]\n    tmpfs: [/run]'),
      [
        'stack.yml: services.web.depends_on: ignored, as docker stack deploy does (swarm services have no start order)',
        'stack.yml: services.web.tmpfs: ignored, as docker stack deploy does (use a long-syntax volume {type: tmpfs, target: …} for a tmpfs mount)',
      ],
    ],
    ['nothing ignored, no warning', svc('    hostname: h'), []],
  ])('%s', (_t, text, want) => {
    expect(warningsOf(text)).toEqual(want);
  });

  it('the warnings travel with the desired state', () => {
    expect(deploy(svc('    build: .')).warnings).toEqual([
      '/stacks/st/stack.yml: Ignoring unsupported options: build',
    ]);
    expect(deploy(svc('')).warnings).toBeUndefined();
  });
});
