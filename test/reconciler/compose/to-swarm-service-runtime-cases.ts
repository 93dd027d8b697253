// toSwarm service cases: healthcheck, container settings, capabilities, sysctls, logging and deploy.
import { ct } from './helpers.js';
import { svc, type Case } from './to-swarm-service-case.js';

export const runtimeCases: Case[] = [
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
