import { describe, expect, it } from 'vitest';
import type { FileReader } from '../../../reconciler/ports.js';
import { baseSpec, ct, deploy, memFiles, merge, serviceOf } from './helpers.js';

const NS = { 'com.docker.stack.namespace': 'st' };
const svc = (body: string, top = ''): string =>
  `version: "3.9"\nservices:\n  s:\n    image: img:1\n${body}\n${top}`;

interface Case {
  title: string;
  yaml: string;
  patch: Record<string, unknown>;
  env?: Record<string, string>;
  files?: FileReader;
}

const cases: Case[] = [
  { title: 'minimal service', yaml: svc(''), patch: {} },
  {
    title: 'command string is shell-split into Args',
    yaml: svc(`    command: httpd -f -p "8080" 'a b' c\\ d`),
    patch: ct({ Args: ['httpd', '-f', '-p', '8080', 'a b', 'c d'] }),
  },
  {
    title: 'entrypoint string -> Command, command list -> Args',
    yaml: svc(`    entrypoint: /bin/sh -c\n    command: ["echo", "hi"]`),
    patch: ct({ Command: ['/bin/sh', '-c'], Args: ['echo', 'hi'] }),
  },
  {
    title: 'environment mapping: sorted, null looked up in env, numbers stringified',
    yaml: svc(`    environment:\n      Z: 1\n      A: "x y"\n      N:\n      FROMENV:\n      B: true`),
    env: { FROMENV: 'v' },
    patch: ct({ Env: ['A=x y', 'B=true', 'FROMENV=v', 'N', 'Z=1'] }),
  },
  {
    title:
      'YAML floats stringify like Go fmt.Sprint, timestamps like Go time.Time (go-yaml v3, as docker/cli 28)',
    yaml: svc(
      `    environment:\n      RATE: 0.00001\n      BIG: 2500000.5\n      R: 0.75\n      D: 2024-01-31\n      I: 1000000\n` +
        `    labels: {small: 0.00003, date: 2001-12-14 21:59:43.10 -5}\n    logging: {options: {f: 1.5e-7}}`,
    ),
    patch: {
      TaskTemplate: {
        ContainerSpec: {
          Env: ['BIG=2.5000005e+06', 'D=2024-01-31 00:00:00 +0000 UTC', 'I=1000000', 'R=0.75', 'RATE=1e-05'],
          Labels: { small: '3e-05', date: '2001-12-14 21:59:43.10 -5', ...NS },
        },
        LogDriver: { Name: '', Options: { f: '1.5e-07' } },
      },
    },
  },
  {
    title: 'environment list',
    yaml: svc(`    environment: [B=2, A=1, C, D=]`),
    patch: ct({ Env: ['A=1', 'B=2', 'C', 'D='] }),
  },
  {
    title: 'env_file (relative to the compose file) under environment',
    yaml: svc(`    env_file: [a.env, ./b.env]\n    environment: {OVER: mine}`),
    env: { BARE: 'from-env' },
    files: memFiles({
      '/stacks/st/a.env': '# c\nOVER=file\nX=1\n  Y=2 \nBARE\nUNSET\n',
      '/stacks/st/b.env': 'X=2\nEMPTY=\n',
    }),
    patch: ct({ Env: ['BARE=from-env', 'EMPTY=', 'OVER=mine', 'X=2', 'Y=2 '] }),
  },
  {
    title: 'labels list on the container, deploy.labels on the service; stack labels win',
    yaml: svc(
      `    labels: [a=1, b, com.docker.stack.namespace=evil]\n    deploy:\n      labels: {d: "2", com.docker.stack.image: other}`,
    ),
    patch: {
      Labels: { d: '2' },
      ...ct({ Labels: { a: '1', b: '', ...NS } }),
    },
  },
  {
    title: 'short ports: single, mapping, range, ip, udp; sorted by published port',
    yaml: svc(`    ports: ["82", "8080:80", "9000-9001:8000-8001/udp", "127.0.0.1:81:81"]`),
    patch: {
      EndpointSpec: {
        Mode: 'vip',
        Ports: [
          { Protocol: 'tcp', TargetPort: 82, PublishMode: 'ingress' },
          { Protocol: 'tcp', TargetPort: 81, PublishedPort: 81, PublishMode: 'ingress' },
          { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
          { Protocol: 'udp', TargetPort: 8000, PublishedPort: 9000, PublishMode: 'ingress' },
          { Protocol: 'udp', TargetPort: 8001, PublishedPort: 9001, PublishMode: 'ingress' },
        ],
      },
    },
  },
  {
    title: 'long ports with host mode and udp',
    yaml: svc(
      `    ports:\n      - {target: 81, published: 9200, mode: host}\n      - {target: 53, published: 53, protocol: udp}`,
    ),
    patch: {
      EndpointSpec: {
        Mode: 'vip',
        Ports: [
          { Protocol: 'udp', TargetPort: 53, PublishedPort: 53, PublishMode: 'ingress' },
          { Protocol: 'tcp', TargetPort: 81, PublishedPort: 9200, PublishMode: 'host' },
        ],
      },
    },
  },
  {
    title: 'network list: sorted targets, service name alias',
    yaml: svc(`    networks: [front, default]`, `networks:\n  front: {}\n`),
    patch: {
      TaskTemplate: {
        Networks: [
          { Target: 'st_default', Aliases: ['s'] },
          { Target: 'st_front', Aliases: ['s'] },
        ],
      },
    },
  },
  {
    title: 'network map: user aliases first, name: override, external keeps its name',
    yaml: svc(
      `    networks:\n      front: {aliases: [w1, w2]}\n      back:\n      out:`,
      `networks:\n  front: {}\n  back: {name: custom_back}\n  out: {external: true, name: shared}\n`,
    ),
    patch: {
      TaskTemplate: {
        Networks: [
          { Target: 'custom_back', Aliases: ['s'] },
          { Target: 'shared', Aliases: ['s'] },
          { Target: 'st_front', Aliases: ['w1', 'w2', 's'] },
        ],
      },
    },
  },
  {
    title: 'short volumes: named with driver config, relative bind, ro + propagation, nocopy, anonymous',
    yaml: svc(
      `    volumes: ["data:/data:ro", "./rel:/rel", "/abs:/abs:ro,rslave", "plain:/p:nocopy", "/anon"]`,
      `volumes:\n  data:\n    driver: local\n    driver_opts: {type: tmpfs, device: tmpfs}\n    labels: {vl: "1"}\n  plain: {}\n`,
    ),
    patch: ct({
      Mounts: [
        {
          Type: 'volume',
          Source: 'st_data',
          Target: '/data',
          ReadOnly: true,
          VolumeOptions: {
            Labels: { vl: '1', ...NS },
            DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs' } },
          },
        },
        { Type: 'bind', Source: '/stacks/st/rel', Target: '/rel' },
        {
          Type: 'bind',
          Source: '/abs',
          Target: '/abs',
          ReadOnly: true,
          BindOptions: { Propagation: 'rslave' },
        },
        { Type: 'volume', Source: 'st_plain', Target: '/p', VolumeOptions: { NoCopy: true, Labels: NS } },
        { Type: 'volume', Target: '/anon' },
      ],
    }),
  },
  {
    title: 'long volumes: tmpfs size, bind propagation, external and name: volumes',
    yaml: svc(
      `    volumes:
      - {type: tmpfs, target: /scratch, tmpfs: {size: 1m}}
      - {type: bind, source: /var, target: /hvar, read_only: true, bind: {propagation: rshared}}
      - {type: volume, source: ext, target: /ext, volume: {nocopy: true}}
      - {type: volume, source: named, target: /named}`,
      `volumes:\n  ext: {external: true}\n  named: {name: fixed_name}\n`,
    ),
    patch: ct({
      Mounts: [
        { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1048576 } },
        {
          Type: 'bind',
          Source: '/var',
          Target: '/hvar',
          ReadOnly: true,
          BindOptions: { Propagation: 'rshared' },
        },
        { Type: 'volume', Source: 'ext', Target: '/ext', VolumeOptions: { NoCopy: true } },
        { Type: 'volume', Source: 'fixed_name', Target: '/named', VolumeOptions: { Labels: NS } },
      ],
    }),
  },
  {
    title: 'configs short and long; hashed names; sorted by name',
    yaml: svc(
      `    configs:\n      - zconf\n      - {source: app, target: /etc/app.conf, uid: "100", gid: "101", mode: 0400}`,
      `configs:\n  app: {file: ./app.conf}\n  zconf: {content: "z"}\n`,
    ),
    files: memFiles({ '/stacks/st/app.conf': 'hello config\n' }),
    patch: ct({
      Configs: [
        {
          File: { Name: '/etc/app.conf', UID: '100', GID: '101', Mode: 0o400 },
          ConfigID: '',
          ConfigName: 'st_app-de05fb016c',
        },
        {
          File: { Name: 'zconf', UID: '0', GID: '0', Mode: 0o444 },
          ConfigID: '',
          ConfigName: 'st_zconf-594e519ae4',
        },
      ],
    }),
  },
  {
    title: 'secrets short and long; external secrets keep their name',
    yaml: svc(
      `    secrets:\n      - pw\n      - {source: ext, target: other, mode: 0440}`,
      `secrets:\n  pw: {file: pw.txt}\n  ext: {external: true, name: shared_pw}\n`,
    ),
    files: memFiles({ '/stacks/st/pw.txt': 's3cret\n' }),
    patch: ct({
      Secrets: [
        { File: { Name: 'other', UID: '0', GID: '0', Mode: 0o440 }, SecretID: '', SecretName: 'shared_pw' },
        {
          File: { Name: 'pw', UID: '0', GID: '0', Mode: 0o444 },
          SecretID: '',
          SecretName: 'st_pw-aa112f4757',
        },
      ],
    }),
  },
  {
    title: 'healthcheck string test with durations',
    yaml: svc(
      `    healthcheck: {test: wget -q localhost, interval: 1m30s, timeout: 10s, retries: 3, start_period: 500ms}`,
    ),
    patch: ct({
      Healthcheck: {
        Test: ['CMD-SHELL', 'wget -q localhost'],
        Interval: 90e9,
        Timeout: 10e9,
        StartPeriod: 500e6,
        Retries: 3,
      },
    }),
  },
  {
    title: 'healthcheck disable -> NONE',
    yaml: svc(`    healthcheck: {disable: true}`),
    patch: ct({ Healthcheck: { Test: ['NONE'] } }),
  },
  {
    title: 'healthcheck list test',
    yaml: svc(`    healthcheck: {test: [CMD, "true"]}`),
    patch: ct({ Healthcheck: { Test: ['CMD', 'true'] } }),
  },
  {
    title: 'user, working_dir, hostname, stop settings, init, read_only, isolation, tty, stdin_open',
    yaml: svc(
      `    user: 1000\n    working_dir: /w\n    hostname: h1\n    stop_grace_period: 1m\n    stop_signal: SIGTERM\n    init: false\n    read_only: true\n    isolation: default\n    tty: true\n    stdin_open: true`,
    ),
    patch: ct({
      User: '1000',
      Dir: '/w',
      Hostname: 'h1',
      StopGracePeriod: 60e9,
      StopSignal: 'SIGTERM',
      Init: false,
      ReadOnly: true,
      Isolation: 'default',
      TTY: true,
      OpenStdin: true,
    }),
  },
  {
    title: 'capabilities normalised, deduplicated, sorted; add wins over drop',
    yaml: svc(`    cap_add: [sys_time, NET_ADMIN, CAP_NET_ADMIN]\n    cap_drop: [NET_ADMIN, chown, ALL]`),
    patch: ct({ CapabilityAdd: ['CAP_NET_ADMIN', 'CAP_SYS_TIME'], CapabilityDrop: ['ALL'] }),
  },
  {
    title: 'cap_add ALL',
    yaml: svc(`    cap_add: [ALL, NET_ADMIN]\n    cap_drop: [NET_ADMIN, CHOWN]`),
    patch: ct({ CapabilityAdd: ['ALL'], CapabilityDrop: ['CAP_CHOWN', 'CAP_NET_ADMIN'] }),
  },
  {
    title: 'sysctls list, ulimits sorted',
    yaml: svc(
      `    sysctls: [net.core.somaxconn=1024]\n    ulimits:\n      nproc: 65535\n      nofile: {soft: 20000, hard: 40000}`,
    ),
    patch: ct({
      Sysctls: { 'net.core.somaxconn': '1024' },
      Ulimits: [
        { Name: 'nofile', Soft: 20000, Hard: 40000 },
        { Name: 'nproc', Soft: 65535, Hard: 65535 },
      ],
    }),
  },
  {
    title: 'sysctls map, extra_hosts list, dns string, dns_search',
    yaml: svc(
      `    sysctls: {net.ipv4.ip_forward: 1}\n    extra_hosts: ["somehost:162.242.195.82", "v6:::1"]\n    dns: 8.8.8.8\n    dns_search: example.com`,
    ),
    patch: ct({
      Sysctls: { 'net.ipv4.ip_forward': '1' },
      Hosts: ['162.242.195.82 somehost', '::1 v6'],
      DNSConfig: { Nameservers: ['8.8.8.8'], Search: ['example.com'] },
    }),
  },
  {
    title: 'extra_hosts mapping (sorted), dns list',
    yaml: svc(`    extra_hosts: {zz: 10.0.0.2, aa: 10.0.0.1}\n    dns: [1.1.1.1, 8.8.4.4]`),
    patch: ct({ Hosts: ['10.0.0.1 aa', '10.0.0.2 zz'], DNSConfig: { Nameservers: ['1.1.1.1', '8.8.4.4'] } }),
  },
  {
    title: 'logging driver and options',
    yaml: svc(`    logging: {driver: json-file, options: {max-size: 10m, max-file: 3}}`),
    patch: {
      TaskTemplate: { LogDriver: { Name: 'json-file', Options: { 'max-size': '10m', 'max-file': '3' } } },
    },
  },
  {
    title: 'global mode with dnsrr',
    yaml: svc(`    deploy: {mode: global, endpoint_mode: dnsrr}`),
    patch: { Mode: { Global: {}, Replicated: undefined }, EndpointSpec: { Mode: 'dnsrr' } },
  },
  {
    title: 'replicas and placement',
    yaml: svc(
      `    deploy:\n      replicas: 3\n      placement:\n        constraints: [node.role == manager]\n        preferences: [{spread: node.labels.zone}]\n        max_replicas_per_node: 2`,
    ),
    patch: {
      Mode: { Replicated: { Replicas: 3 } },
      TaskTemplate: {
        Placement: {
          Constraints: ['node.role == manager'],
          Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }],
          MaxReplicas: 2,
        },
      },
    },
  },
  {
    title: 'resources in NanoCPUs and bytes',
    yaml: svc(
      `    deploy:\n      resources:\n        limits: {cpus: "0.5", memory: 512M, pids: 100}\n        reservations: {cpus: 0.25, memory: 1g}`,
    ),
    patch: {
      TaskTemplate: {
        Resources: {
          Limits: { NanoCPUs: 5e8, MemoryBytes: 536870912, Pids: 100 },
          Reservations: { NanoCPUs: 2.5e8, MemoryBytes: 1073741824 },
        },
      },
    },
  },
  {
    title: 'restart_policy',
    yaml: svc(
      `    deploy:\n      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 2m}`,
    ),
    patch: {
      TaskTemplate: { RestartPolicy: { Condition: 'on-failure', Delay: 5e9, MaxAttempts: 3, Window: 120e9 } },
    },
  },
  {
    title: 'legacy restart: on-failure:3 (docker/cli falls back to it)',
    yaml: svc(`    restart: on-failure:3`),
    patch: { TaskTemplate: { RestartPolicy: { Condition: 'on-failure', MaxAttempts: 3 } } },
  },
  {
    title: 'legacy restart: unless-stopped -> any',
    yaml: svc(`    restart: unless-stopped`),
    patch: { TaskTemplate: { RestartPolicy: { Condition: 'any' } } },
  },
  {
    title: 'update_config and rollback_config',
    yaml: svc(
      `    deploy:\n      update_config: {parallelism: 2, delay: 10s, failure_action: rollback, monitor: 1s, max_failure_ratio: 0.3, order: start-first}\n      rollback_config: {delay: 1s}`,
    ),
    patch: {
      UpdateConfig: {
        Parallelism: 2,
        Delay: 10e9,
        FailureAction: 'rollback',
        Monitor: 1e9,
        MaxFailureRatio: 0.3,
        Order: 'start-first',
      },
      RollbackConfig: { Parallelism: 1, Delay: 1e9, MaxFailureRatio: 0 },
    },
  },
  {
    title: 'declared default network with a name',
    yaml: svc('', `networks:\n  default: {name: shared_default}\n`),
    patch: { TaskTemplate: { Networks: [{ Target: 'shared_default', Aliases: ['s'] }] } },
  },
  {
    title: 'anchors and merge keys',
    yaml: `version: "3.9"
x-common: &common
  image: img:1
  environment: {A: "1"}
services:
  s:
    <<: *common
    hostname: h`,
    patch: ct({ Env: ['A=1'], Hostname: 'h' }),
  },
];

describe('toSwarm: services', () => {
  it.each(cases.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const state = deploy(c.yaml, {
      ...(c.env ? { env: c.env } : {}),
      ...(c.files ? { files: c.files } : {}),
    });
    expect(serviceOf(state, 'st_s')).toEqual(merge(baseSpec(), c.patch));
  });

  it('has at least 25 cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));
});
