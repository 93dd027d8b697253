import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, parseLimits } from '../../../reconciler/validate/limits.js';
import { FILE, memFiles } from '../compose/helpers.js';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { checkLimits } from '../../../reconciler/validate/limits.js';
import { AggregateSwarmkeeperError } from '../../../reconciler/errors.js';

function problemsOf(text: string, limits = DEFAULT_LIMITS): string[] {
  try {
    loadCompose(
      { file: FILE, text },
      { env: {}, files: memFiles({}), checks: [(p, problems) => checkLimits(p, limits, problems)] },
    );
    return [];
  } catch (e) {
    return (e as AggregateSwarmkeeperError).errors.map((x) => `${x.code} ${x.message}`);
  }
}

describe('parseLimits', () => {
  it('raises the named bounds and keeps the others', () => {
    expect(parseLimits('replicas=5000,bytes=4t,duration=87600h')).toEqual({
      ...DEFAULT_LIMITS,
      replicas: 5000,
      bytes: 4 * 1024 ** 4,
      durationNs: 87600 * 3600e9,
    });
  });
  it.each([
    ['replica=5', '"replica=5" is not KEY=VALUE with KEY one of replicas, replicasPerNode,'],
    ['replicas', '"replicas" is not KEY=VALUE'],
    ['replicas=-1', 'replicas=-1: expected a non-negative integer'],
    ['replicas=1e3', 'replicas=1e3: expected a non-negative integer'],
    ['bytes=lots', 'bytes=lots: expected a byte size such as 4t'],
    ['duration=1y', 'duration=1y: expected a duration such as 87600h'],
  ])('%s fails', (text, message) => expect(() => parseLimits(text)).toThrow(message));
});

describe('checkLimits', () => {
  const svc = (body: string) => `services:\n  s:\n    image: img:1\n${body}`;
  it.each([
    [
      'replicas',
      svc('    deploy:\n      replicas: 1001\n'),
      'services.s.deploy.replicas: replicas 1001 is above the bound 1000 (raise it with --limits replicas=N)',
    ],
    [
      'parallelism',
      svc('    deploy:\n      rollback_config:\n        parallelism: 1001\n'),
      'parallelism 1001 is above the bound 1000',
    ],
    [
      'tmpfs size',
      svc('    volumes:\n      - type: tmpfs\n        target: /t\n        tmpfs:\n          size: 2t\n'),
      'services.s.volumes[0].tmpfs.size: the size 2199023255552 bytes is above the bound 1099511627776 bytes',
    ],
    [
      'stop_grace_period',
      svc('    stop_grace_period: 8761h\n'),
      'the duration 8761h is above the bound 8760h (raise it with --limits duration=N)',
    ],
    [
      'networks',
      `${svc(`    networks: [${Array.from({ length: 51 }, (_, i) => `n${i}`).join(', ')}]\n`)}networks:\n${Array.from({ length: 51 }, (_, i) => `  n${i}: {}\n`).join('')}`,
      'the number of networks 51 is above the bound 50',
    ],
    [
      'mounts',
      svc(`    volumes:\n${Array.from({ length: 101 }, (_, i) => `      - /srv/${i}:/m${i}\n`).join('')}`),
      'the number of mounts 101 is above the bound 100',
    ],
  ])('%s', (_n, text, message) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('SK_ERR_LIMIT_EXCEEDED');
    expect(problems[0]).toContain(message);
  });

  it('a raised bound accepts what the default refuses', () => {
    const text = svc('    deploy:\n      replicas: 5000\n');
    expect(problemsOf(text)).toHaveLength(1);
    expect(problemsOf(text, parseLimits('replicas=5000'))).toEqual([]);
  });
});

describe('checkLimits: every bound, with its path and option', () => {
  const tight = parseLimits(
    'replicas=1,replicasPerNode=1,parallelism=1,services=1,ports=1,mounts=1,networks=1,ulimit=10,bytes=8m,duration=1h',
  );
  const all = (text: string): string[] => {
    try {
      loadCompose(
        { file: 's.yml', text },
        { env: {}, files: memFiles({}), checks: [(p, pr) => checkLimits(p, tight, pr)] },
      );
      return [];
    } catch (e) {
      return (e as Error).message.split('\n');
    }
  };
  it.each<[string, string, string[]]>([
    [
      'replicas',
      'services:\n  s:\n    image: a\n    deploy: {replicas: 2}\n',
      [
        's.yml:4: services.s.deploy.replicas: replicas 2 is above the bound 1 (raise it with --limits replicas=N)',
      ],
    ],
    [
      'max_replicas_per_node',
      'services:\n  s:\n    image: a\n    deploy: {placement: {max_replicas_per_node: 2}}\n',
      [
        's.yml:4: services.s.deploy.placement.max_replicas_per_node: max_replicas_per_node 2 is above the bound 1 (raise it with --limits replicasPerNode=N)',
      ],
    ],
    [
      'update and rollback config',
      'services:\n  s:\n    image: a\n    deploy: {update_config: {parallelism: 2, delay: 2h, monitor: 90m}, rollback_config: {delay: 1h}}\n',
      [
        's.yml:4: services.s.deploy.update_config.parallelism: parallelism 2 is above the bound 1 (raise it with --limits parallelism=N)',
        's.yml:4: services.s.deploy.update_config.delay: the duration 2h is above the bound 1h (raise it with --limits duration=N)',
        's.yml:4: services.s.deploy.update_config.monitor: the duration 1.5h is above the bound 1h (raise it with --limits duration=N)',
      ],
    ],
    [
      'restart policy',
      'services:\n  s:\n    image: a\n    deploy: {restart_policy: {delay: 90m, window: 3h}}\n',
      [
        's.yml:4: services.s.deploy.restart_policy.delay: the duration 1.5h is above the bound 1h (raise it with --limits duration=N)',
        's.yml:4: services.s.deploy.restart_policy.window: the duration 3h is above the bound 1h (raise it with --limits duration=N)',
      ],
    ],
    [
      'memory (the bound itself is accepted)',
      'services:\n  s:\n    image: a\n    deploy: {resources: {limits: {memory: 9m}, reservations: {memory: 8m}}}\n',
      [
        's.yml:4: services.s.deploy.resources.limits.memory: the size 9437184 bytes is above the bound 8388608 bytes (raise it with --limits bytes=N)',
      ],
    ],
    [
      'healthcheck',
      'services:\n  s:\n    image: a\n    healthcheck: {test: [CMD, x], interval: 2h, timeout: 1h12m, start_period: 5400s}\n',
      [
        's.yml:4: services.s.healthcheck.interval: the duration 2h is above the bound 1h (raise it with --limits duration=N)',
        's.yml:4: services.s.healthcheck.timeout: the duration 1.2h is above the bound 1h (raise it with --limits duration=N)',
        's.yml:4: services.s.healthcheck.start_period: the duration 1.5h is above the bound 1h (raise it with --limits duration=N)',
      ],
    ],
    [
      'ports',
      'services:\n  s:\n    image: a\n    ports: ["80", "81"]\n',
      [
        's.yml:4: services.s.ports: the number of ports 2 is above the bound 1 (raise it with --limits ports=N)',
      ],
    ],
    [
      'mounts',
      'services:\n  s:\n    image: a\n    volumes: ["/a:/a", "/b:/b"]\n',
      [
        's.yml:4: services.s.volumes: the number of mounts 2 is above the bound 1 (raise it with --limits mounts=N)',
      ],
    ],
    [
      'networks',
      'services:\n  s:\n    image: a\n    networks: [a, b]\nnetworks: {a: {}, b: {}}\n',
      [
        's.yml:4: services.s.networks: the number of networks 2 is above the bound 1 (raise it with --limits networks=N)',
      ],
    ],
    [
      'services',
      'services:\n  a: {image: a}\n  b: {image: b}\n',
      [
        's.yml:1: services: the number of services 2 is above the bound 1 (raise it with --limits services=N)',
      ],
    ],
    [
      'ulimits (-1, unlimited, and the bound are accepted)',
      'services:\n  s:\n    image: a\n    ulimits: {nofile: {soft: 11, hard: 12}, nproc: -1, core: 10}\n',
      [
        's.yml:4: services.s.ulimits.nofile.soft: the ulimit 11 is above the bound 10 (raise it with --limits ulimit=N)',
        's.yml:4: services.s.ulimits.nofile.hard: the ulimit 12 is above the bound 10 (raise it with --limits ulimit=N)',
      ],
    ],
    [
      'tmpfs size',
      'services:\n  s:\n    image: a\n    volumes: [{type: tmpfs, target: /t, tmpfs: {size: 9m}}]\n',
      [
        's.yml:4: services.s.volumes[0].tmpfs.size: the size 9437184 bytes is above the bound 8388608 bytes (raise it with --limits bytes=N)',
      ],
    ],
    ['at the bounds', 'services:\n  s:\n    image: a\n    deploy: {replicas: 1}\n    ports: ["80"]\n', []],
  ])('%s', (_t, text, want) => expect(all(text)).toEqual(want));
});

describe('parseLimits: every key, blanks and bad values', () => {
  it('reads every key; blank parts and spaces around keys and values are ignored', () => {
    expect(
      parseLimits(
        ' replicas = 5 , ,replicasPerNode=2,services=3,ports=4,mounts=5,networks=6,ulimit=7,parallelism=8',
      ),
    ).toEqual({
      ...DEFAULT_LIMITS,
      replicas: 5,
      replicasPerNode: 2,
      services: 3,
      ports: 4,
      mounts: 5,
      networks: 6,
      ulimit: 7,
      parallelism: 8,
    });
    expect(parseLimits('')).toEqual(DEFAULT_LIMITS);
  });
  it('a fractional duration and a raised base', () => {
    expect(parseLimits('duration=1.5h').durationNs).toBe(5400e9);
    expect(parseLimits('ports=2', { ...DEFAULT_LIMITS, mounts: 7 })).toEqual({
      ...DEFAULT_LIMITS,
      mounts: 7,
      ports: 2,
    });
  });
  it.each([
    ['bytes=-1', '--limits bytes=-1: bytes=-1: expected a byte size such as 4t'],
    ['duration=-1h', '--limits duration=-1h: duration=-1h: expected a duration such as 87600h'],
    [
      'replicas=9007199254740993',
      '--limits replicas=9007199254740993: replicas=9007199254740993: expected a non-negative integer',
    ],
    ['ports=', '--limits ports=: ports=: expected a non-negative integer'],
    [
      '=5',
      '--limits =5: "=5" is not KEY=VALUE with KEY one of replicas, replicasPerNode, parallelism, services, ports, mounts, networks, ulimit, bytes, duration',
    ],
  ])('%s', (text, message) => expect(() => parseLimits(text)).toThrow(message));
});
