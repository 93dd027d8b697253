import type { HostileCase } from '../case.js';

const F = 'bad/docker-compose.yml';

const svc = (body: string) => ({
  'docker-compose.yml': `services:\n  app:\n    image: local/busybox:1\n${body}`,
});
const over = (name: string, body: string, message: string): HostileCase => ({
  name,
  class: 'bounds',
  files: svc(body),
  expect: { code: 'SK_ERR_LIMIT_EXCEEDED', message: `${F}:${message}` },
});
const invalid = (name: string, body: string, message: string): HostileCase => ({
  name,
  class: 'bounds',
  files: svc(body),
  expect: { code: 'SK_ERR_COMPOSE_INVALID', message: `${F}:${message}` },
});

const ports = Array.from({ length: 101 }, (_, i) => `      - "${10000 + i}:80"\n`).join('');
const services = Array.from({ length: 501 }, (_, i) => `  s${i}:\n    image: local/busybox:1\n`).join('');

export const cases: HostileCase[] = [
  over(
    'bounds-replicas-uint32-overflow',
    '    deploy:\n      replicas: 4294967297\n',
    '5: services.app.deploy.replicas: replicas 4294967297 is above the bound 1000 (raise it with --limits replicas=N)',
  ),
  over(
    'bounds-replicas-just-above',
    '    deploy:\n      replicas: 1001\n',
    '5: services.app.deploy.replicas: replicas 1001 is above the bound 1000 (raise it with --limits replicas=N)',
  ),
  {
    name: 'bounds-replicas-at-bound',
    class: 'bounds',
    files: svc('    deploy:\n      replicas: 0\n      placement:\n        max_replicas_per_node: 1000\n'),
    expect: { ok: true },
  },
  over(
    'bounds-max-replicas-per-node',
    '    deploy:\n      placement:\n        max_replicas_per_node: 100000\n',
    '6: services.app.deploy.placement.max_replicas_per_node: max_replicas_per_node 100000 is above the bound 1000 (raise it with --limits replicasPerNode=N)',
  ),
  over(
    'bounds-update-parallelism',
    '    deploy:\n      update_config:\n        parallelism: 5000\n',
    '6: services.app.deploy.update_config.parallelism: parallelism 5000 is above the bound 1000 (raise it with --limits parallelism=N)',
  ),
  over(
    'bounds-memory-2t',
    '    deploy:\n      resources:\n        limits:\n          memory: 2t\n',
    '7: services.app.deploy.resources.limits.memory: the size 2199023255552 bytes is above the bound 1099511627776 bytes (raise it with --limits bytes=N)',
  ),
  invalid(
    'bounds-memory-negative',
    '    deploy:\n      resources:\n        limits:\n          memory: -1\n',
    '7: services.app.deploy.resources.limits.memory: invalid byte size -1: a size cannot be negative (go-units RAMInBytes: "invalid size")',
  ),
  invalid(
    'bounds-memory-beyond-int64',
    '    deploy:\n      resources:\n        reservations:\n          memory: 99999999p\n',
    '7: services.app.deploy.resources.reservations.memory: byte size "99999999p" is out of range: Docker keeps sizes as int64 bytes (go-units RAMInBytes); at most 8 PiB is accepted here',
  ),
  invalid(
    'bounds-memory-below-swarm-minimum',
    '    deploy:\n      resources:\n        limits:\n          memory: 1k\n',
    '7: services.app.deploy.resources.limits.memory: 1024 bytes is refused by Swarm: "invalid memory value 1024: Must be at least 4MiB" (swarmkit validateResources)',
  ),
  invalid(
    'bounds-cpus-below-swarm-minimum',
    '    deploy:\n      resources:\n        limits:\n          cpus: "0.0001"\n',
    '7: services.app.deploy.resources.limits.cpus: 0.0001 is refused by Swarm: "invalid cpu value 0.0001: Must be at least 0.001" (swarmkit validateResources)',
  ),
  invalid(
    'bounds-max-failure-ratio',
    '    deploy:\n      update_config:\n        max_failure_ratio: 2\n',
    '6: services.app.deploy.update_config.max_failure_ratio: 2 is refused by Swarm: "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1" (swarmkit validateUpdate)',
  ),
  over(
    'bounds-ulimit-huge',
    '    ulimits:\n      nofile: 4294967296\n',
    '5: services.app.ulimits.nofile.soft: the ulimit 4294967296 is above the bound 1073741824 (raise it with --limits ulimit=N)',
  ),
  invalid(
    'bounds-ulimit-soft-above-hard',
    '    ulimits:\n      nofile:\n        soft: 2048\n        hard: 1024\n',
    '5: services.app.ulimits.nofile: soft 2048 is above hard 1024; Docker refuses it: "ulimit soft limit must be less than or equal to hard limit" (go-units ParseUlimit)',
  ),
  invalid(
    'bounds-ulimit-negative',
    '    ulimits:\n      nproc: -5\n',
    '5: services.app.ulimits.nproc.soft: -5 is not a resource limit: Linux setrlimit takes unsigned values, and -1 alone means unlimited (RLIM_INFINITY)',
  ),
  {
    name: 'bounds-ulimit-unlimited-ok',
    class: 'bounds',
    files: svc('    ulimits:\n      memlock: -1\n'),
    expect: { ok: true },
  },
  over(
    'bounds-101-ports',
    `    ports:\n${ports}`,
    '4: services.app.ports: the number of ports 101 is above the bound 100 (raise it with --limits ports=N)',
  ),
  {
    name: 'bounds-501-services',
    class: 'bounds',
    files: { 'docker-compose.yml': `services:\n${services}` },
    expect: {
      code: 'SK_ERR_LIMIT_EXCEEDED',
      message: `${F}:1: services: the number of services 501 is above the bound 500 (raise it with --limits services=N)`,
    },
  },
];
