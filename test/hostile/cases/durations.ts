import type { HostileCase } from '../case.js';

const F = 'bad/docker-compose.yml';
const GO =
  'is out of range: Go\'s time.ParseDuration keeps int64 nanoseconds (at most 2562047h47m16.854775807s) and fails with "time: invalid duration" beyond';

const svc = (body: string) => ({
  'docker-compose.yml': `services:\n  app:\n    image: local/busybox:1\n${body}`,
});

export const cases: HostileCase[] = [
  {
    name: 'dur-stop-grace-overflows-int64',
    class: 'durations',
    files: svc('    stop_grace_period: 2562048h\n'),
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:4: services.app.stop_grace_period: duration "2562048h" ${GO}`,
    },
  },
  {
    name: 'dur-one-nanosecond-past-int64',
    class: 'durations',
    files: svc('    healthcheck:\n      interval: 2562047h47m16.854775808s\n'),
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:5: services.app.healthcheck.interval: duration "2562047h47m16.854775808s" ${GO}`,
    },
  },
  {
    name: 'dur-int64-max-is-above-the-bound',
    class: 'durations',
    files: svc('    healthcheck:\n      interval: 2562047h47m16.854775807s\n'),
    expect: {
      code: 'SK_ERR_LIMIT_EXCEEDED',
      message: `${F}:5: services.app.healthcheck.interval: the duration 2562047.8h is above the bound 8760h (raise it with --limits duration=N)`,
    },
  },
  {
    name: 'dur-nanoseconds-overflow',
    class: 'durations',
    files: svc('    deploy:\n      restart_policy:\n        window: 99999999999999999999ns\n'),
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:6: services.app.deploy.restart_policy.window: duration "99999999999999999999ns" ${GO}`,
    },
  },
  {
    name: 'dur-healthcheck-interval-below-1ms',
    class: 'durations',
    files: svc('    healthcheck:\n      interval: 500us\n'),
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:5: services.app.healthcheck.interval: 500000ns is refused by Swarm: "ContainerSpec: Interval in HealthConfig cannot be less than 1ms" (swarmkit validateHealthCheck)`,
    },
  },
  {
    name: 'dur-healthcheck-timeout-negative',
    class: 'durations',
    files: svc('    healthcheck:\n      timeout: -1s\n'),
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:5: services.app.healthcheck.timeout: a negative duration is refused by Swarm: "ContainerSpec: Timeout in HealthConfig cannot be less than 1ms" (swarmkit validateHealthCheck)`,
    },
  },
  {
    name: 'dur-restart-delay-negative',
    class: 'durations',
    files: svc('    deploy:\n      restart_policy:\n        delay: -5s\n'),
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:6: services.app.deploy.restart_policy.delay: a negative duration is refused by Swarm: "TaskSpec: restart-delay cannot be negative" (swarmkit validateTaskSpec)`,
    },
  },
  {
    name: 'dur-update-monitor-negative',
    class: 'durations',
    files: svc('    deploy:\n      update_config:\n        monitor: -1m\n'),
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:6: services.app.deploy.update_config.monitor: a negative duration is refused by Swarm: "TaskSpec: update-monitor cannot be negative" (swarmkit validateTaskSpec)`,
    },
  },
  {
    name: 'dur-rollback-delay-above-bound',
    class: 'durations',
    files: svc('    deploy:\n      rollback_config:\n        delay: 9000h\n'),
    expect: {
      code: 'SK_ERR_LIMIT_EXCEEDED',
      message: `${F}:6: services.app.deploy.rollback_config.delay: the duration 9000h is above the bound 8760h (raise it with --limits duration=N)`,
    },
  },
  {
    name: 'dur-not-a-go-duration',
    class: 'durations',
    files: svc('    stop_grace_period: 10years\n'),
    expect: {
      code: 'SK_ERR_COMPOSE_INVALID',
      message: `${F}:4: services.app.stop_grace_period: invalid duration "10years"; expected e.g. 10s, 1m30s, 500ms`,
    },
  },
];
