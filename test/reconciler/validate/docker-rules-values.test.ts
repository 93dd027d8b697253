/**
 * What the Swarm manager would refuse in a service's values, found offline with the rule quoted:
 * healthcheck and task durations, failure ratios, resources, ulimits, and the uniqueness of mount
 * targets, published ports and config/secret targets.
 */
import { describe, expect, it } from 'vitest';
import { type DockerRuleCase, dockerRuleProblems as problems } from './docker-rules-helpers.js';

const cases: DockerRuleCase[] = [
  [
    'health interval',
    'st',
    'services:\n  web:\n    image: a\n    healthcheck: {test: [CMD, x], interval: 500us, timeout: 999999ns, start_period: 1ms}\n',
    [
      's.yml:4: services.web.healthcheck.interval: 500000ns is refused by Swarm: "ContainerSpec: Interval in HealthConfig cannot be less than 1ms" (swarmkit validateHealthCheck)',
      's.yml:4: services.web.healthcheck.timeout: 999999ns is refused by Swarm: "ContainerSpec: Timeout in HealthConfig cannot be less than 1ms" (swarmkit validateHealthCheck)',
    ],
  ],
  [
    'health zero ok',
    'st',
    'services:\n  web:\n    image: a\n    healthcheck: {test: [CMD, x], interval: 0s}\n',
    [],
  ],
  [
    'health negative',
    'st',
    'services:\n  web:\n    image: a\n    healthcheck: {test: [CMD, x], timeout: -1s}\n',
    [
      's.yml:4: services.web.healthcheck.timeout: a negative duration is refused by Swarm: "ContainerSpec: Timeout in HealthConfig cannot be less than 1ms" (swarmkit validateHealthCheck)',
    ],
  ],
  [
    'negative restart',
    'st',
    'services:\n  web:\n    image: a\n    deploy: {restart_policy: {delay: -1s, window: -2s}}\n',
    [
      's.yml:4: services.web.deploy.restart_policy.delay: a negative duration is refused by Swarm: "TaskSpec: restart-delay cannot be negative" (swarmkit validateTaskSpec)',
      's.yml:4: services.web.deploy.restart_policy.window: a negative duration is refused by Swarm: "TaskSpec: restart-window cannot be negative" (swarmkit validateTaskSpec)',
    ],
  ],
  [
    'negative update',
    'st',
    'services:\n  web:\n    image: a\n    deploy: {update_config: {delay: -1s, monitor: -1s}, rollback_config: {delay: -1s, monitor: -1s}}\n',
    [
      's.yml:4: services.web.deploy.update_config.delay: a negative duration is refused by Swarm: "TaskSpec: update-delay cannot be negative" (swarmkit validateTaskSpec)',
      's.yml:4: services.web.deploy.update_config.monitor: a negative duration is refused by Swarm: "TaskSpec: update-monitor cannot be negative" (swarmkit validateTaskSpec)',
      's.yml:4: services.web.deploy.rollback_config.delay: a negative duration is refused by Swarm: "TaskSpec: rollback-delay cannot be negative" (swarmkit validateTaskSpec)',
      's.yml:4: services.web.deploy.rollback_config.monitor: a negative duration is refused by Swarm: "TaskSpec: rollback-monitor cannot be negative" (swarmkit validateTaskSpec)',
    ],
  ],
  [
    'ratio',
    'st',
    'services:\n  web:\n    image: a\n    deploy: {update_config: {max_failure_ratio: 1.5}, rollback_config: {max_failure_ratio: -0.1}}\n',
    [
      's.yml:4: services.web.deploy.update_config.max_failure_ratio: 1.5 is refused by Swarm: "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1" (swarmkit validateUpdate)',
      's.yml:4: services.web.deploy.rollback_config.max_failure_ratio: -0.1 is refused by Swarm: "TaskSpec: rollback-maxfailureratio cannot be less than 0 or bigger than 1" (swarmkit validateUpdate)',
    ],
  ],
  [
    'ratio bounds ok',
    'st',
    'services:\n  web:\n    image: a\n    deploy: {update_config: {max_failure_ratio: 1}, rollback_config: {max_failure_ratio: 0}}\n',
    [],
  ],
  [
    'memory',
    'st',
    'services:\n  web:\n    image: a\n    deploy: {resources: {limits: {memory: 1M}, reservations: {memory: 4194303}}}\n',
    [
      's.yml:4: services.web.deploy.resources.limits.memory: 1048576 bytes is refused by Swarm: "invalid memory value 1048576: Must be at least 4MiB" (swarmkit validateResources)',
      's.yml:4: services.web.deploy.resources.reservations.memory: 4194303 bytes is refused by Swarm: "invalid memory value 4194303: Must be at least 4MiB" (swarmkit validateResources)',
    ],
  ],
  [
    'memory ok',
    'st',
    'services:\n  web:\n    image: a\n    deploy: {resources: {limits: {memory: 4M}, reservations: {memory: 0}}}\n',
    [],
  ],
  [
    'cpus',
    'st',
    "services:\n  web:\n    image: a\n    deploy: {resources: {limits: {cpus: '0.0009'}, reservations: {cpus: '0.0001'}}}\n",
    [
      's.yml:4: services.web.deploy.resources.limits.cpus: 0.0009 is refused by Swarm: "invalid cpu value 0.0009: Must be at least 0.001" (swarmkit validateResources)',
      's.yml:4: services.web.deploy.resources.reservations.cpus: 0.0001 is refused by Swarm: "invalid cpu value 0.0001: Must be at least 0.001" (swarmkit validateResources)',
    ],
  ],
  [
    'cpus ok',
    'st',
    "services:\n  web:\n    image: a\n    deploy: {resources: {limits: {cpus: '0.001'}, reservations: {cpus: '0'}}}\n",
    [],
  ],
  [
    'ulimits',
    'st',
    'services:\n  web:\n    image: a\n    ulimits: {nofile: {soft: -2, hard: 10}, nproc: {soft: 20, hard: 10}, core: {soft: 5, hard: -1}, stack: {soft: -1, hard: 5}}\n',
    [
      's.yml:4: services.web.ulimits.nofile.soft: -2 is not a resource limit: Linux setrlimit takes unsigned values, and -1 alone means unlimited (RLIM_INFINITY)',
      's.yml:4: services.web.ulimits.nproc: soft 20 is above hard 10; Docker refuses it: "ulimit soft limit must be less than or equal to hard limit" (go-units ParseUlimit)',
    ],
  ],
  [
    'dup mounts',
    'st',
    "services:\n  web:\n    image: a\n    volumes: ['/a:/x', '/b:/y', '/c:/x']\n",
    [
      's.yml:4: services.web.volumes[2]: Swarm refuses it: "ContainerSpec: duplicate mount point: /x" (swarmkit validateMounts)',
    ],
  ],
  [
    'dnsrr ingress',
    'st',
    "services:\n  web:\n    image: a\n    deploy: {endpoint_mode: dnsrr}\n    ports: ['80:80', {target: 81, published: 81, mode: host}]\n",
    [
      's.yml:5: services.web.ports[0]: Swarm refuses it: "EndpointSpec: port published with ingress mode can\'t be used with dnsrr mode" (swarmkit validateEndpointSpec; use mode: host)',
    ],
  ],
  [
    'dup published',
    'st',
    "services:\n  web:\n    image: a\n    ports: ['80:80', '80:81', '80:80/udp', '81']\n",
    [
      's.yml:4: services.web.ports[1]: port 80/tcp is published twice; Swarm refuses it: "EndpointSpec: duplicate published ports provided" (swarmkit validateEndpointSpec)',
    ],
  ],
  [
    'config target conflict',
    'st',
    'services:\n  web:\n    image: a\n    configs: [a, {source: b, target: a}]\n    secrets: [{source: s1, target: /t}, {source: s2, target: /t}]\nconfigs:\n  a: {content: x}\n  b: {content: y}\nsecrets:\n  s1: {content: x}\n  s2: {content: y}\n',
    [
      "s.yml:4: services.web.configs[1]: Swarm refuses it: \"config references 'a' and 'b' have a conflicting target: 'a'\" (swarmkit validateConfigRefsSpec)",
      "s.yml:5: services.web.secrets[1]: Swarm refuses it: \"secret references 's1' and 's2' have a conflicting target: '/t'\" (swarmkit validateSecretRefsSpec)",
    ],
  ],
];

describe('checkDockerRules: values', () => {
  it.each(cases)('%s', (_title, stack, text, want) => expect(problems(stack, text)).toEqual(want));
});
