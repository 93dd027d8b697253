// toSwarm service cases: command, environment, labels, ports, networks, volumes, configs and secrets.
import { ct, memFiles } from './helpers.js';
import { NS, svc, type Case } from './to-swarm-service-case.js';

export const wiringCases: Case[] = [
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
];
