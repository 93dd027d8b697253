/**
 * Task and service settings as docker/cli 28's convert package sends them (service.go): the
 * restart policy and its legacy fallback, update config defaults, resources, placement, logging,
 * and fields docker leaves out when false or empty. Compared strictly: no key docker omits.
 */
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import { deploy, memFiles, serviceOf } from './helpers.js';

const svc = (body: string, top = ''): string => `services:\n  s:\n    image: img:1\n${body}\n${top}`;
const spec = (yaml: string, files: Record<string, string> = {}): ServiceSpec =>
  serviceOf(deploy(yaml, { files: memFiles(files) }), 'st_s');

describe('restart policy', () => {
  it.each<[string, string, unknown]>([
    ['restart: no sends none', '    restart: "no"', undefined],
    ['restart: always -> any', '    restart: always', { Condition: 'any' }],
    ['restart: on-failure', '    restart: on-failure', { Condition: 'on-failure' }],
    ['restart: on-failure:0 sends no MaxAttempts', '    restart: on-failure:0', { Condition: 'on-failure' }],
    ['restart: on-failure:5', '    restart: on-failure:5', { Condition: 'on-failure', MaxAttempts: 5 }],
    ['empty restart_policy', '    deploy: {restart_policy: {}}', {}],
    [
      'zero delay, attempts and window are sent (docker keeps pointers)',
      '    deploy: {restart_policy: {delay: 0s, max_attempts: 0, window: 0s}}',
      { Delay: 0, MaxAttempts: 0, Window: 0 },
    ],
    [
      'restart_policy wins over restart',
      '    restart: always\n    deploy: {restart_policy: {condition: none}}',
      { Condition: 'none' },
    ],
  ])('%s', (_t, body, want) => expect(spec(svc(body)).TaskTemplate.RestartPolicy).toStrictEqual(want));
});

describe('update and rollback config', () => {
  it.each<[string, string, unknown]>([
    ['empty: parallelism 1 and ratio 0', '{}', { Parallelism: 1, MaxFailureRatio: 0 }],
    ['parallelism 0 is kept (all at once)', '{parallelism: 0}', { Parallelism: 0, MaxFailureRatio: 0 }],
    [
      'failure action and monitor alone',
      '{failure_action: pause, monitor: 5s}',
      { Parallelism: 1, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0 },
    ],
  ])('%s', (_t, cfg, want) => {
    const s = spec(svc(`    deploy:\n      update_config: ${cfg}\n      rollback_config: ${cfg}`));
    expect(s.UpdateConfig).toStrictEqual(want);
    expect(s.RollbackConfig).toStrictEqual(want);
  });

  it('neither is sent when not given', () => {
    const s = spec(svc(''));
    expect(s).not.toHaveProperty('UpdateConfig');
    expect(s).not.toHaveProperty('RollbackConfig');
  });
});

describe('resources, placement, mode, logging', () => {
  it.each<[string, string, (s: ServiceSpec) => unknown, unknown]>([
    [
      'empty limits',
      '    deploy: {resources: {limits: {}}}',
      (s) => s.TaskTemplate.Resources,
      { Limits: {} },
    ],
    [
      'pids limit alone',
      '    deploy: {resources: {limits: {pids: 10}}}',
      (s) => s.TaskTemplate.Resources,
      { Limits: { Pids: 10 } },
    ],
    [
      'memory reservation alone',
      '    deploy: {resources: {reservations: {memory: 8M}}}',
      (s) => s.TaskTemplate.Resources,
      { Reservations: { MemoryBytes: 8388608 } },
    ],
    [
      'empty generic_resources send none',
      '    deploy: {resources: {reservations: {generic_resources: []}}}',
      (s) => s.TaskTemplate.Resources,
      { Reservations: {} },
    ],
    [
      'a generic resource without discrete_resource_spec is sent empty, as docker does',
      '    deploy: {resources: {reservations: {generic_resources: [{}]}}}',
      (s) => s.TaskTemplate.Resources,
      { Reservations: { GenericResources: [{}] } },
    ],
    [
      'empty constraints and zero max_replicas_per_node',
      '    deploy: {placement: {constraints: [], preferences: [], max_replicas_per_node: 0}}',
      (s) => s.TaskTemplate.Placement,
      {},
    ],
    [
      'preferences alone',
      '    deploy: {placement: {preferences: [{spread: node.id}, {spread: node.labels.rack}]}}',
      (s) => s.TaskTemplate.Placement,
      {
        Preferences: [
          { Spread: { SpreadDescriptor: 'node.id' } },
          { Spread: { SpreadDescriptor: 'node.labels.rack' } },
        ],
      },
    ],
    ['replicas 0 is kept', '    deploy: {replicas: 0}', (s) => s.Mode, { Replicated: { Replicas: 0 } }],
    [
      'explicit replicated mode',
      '    deploy: {mode: replicated, replicas: 2}',
      (s) => s.Mode,
      { Replicated: { Replicas: 2 } },
    ],
    [
      'logging driver without options',
      '    logging: {driver: syslog}',
      (s) => s.TaskTemplate.LogDriver,
      { Name: 'syslog' },
    ],
    ['no logging: no LogDriver', '', (s) => s.TaskTemplate.LogDriver, undefined],
    [
      'host-mode port without published port',
      '    ports: [{target: 80, mode: host}]',
      (s) => s.EndpointSpec,
      { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishMode: 'host' }] },
    ],
  ])('%s', (_t, body, pick, want) => expect(pick(spec(svc(body)))).toStrictEqual(want));
});

describe('container fields docker leaves out when false or empty', () => {
  it('false flags, empty lists and maps send nothing', () => {
    const c = spec(
      svc(
        '    tty: false\n    stdin_open: false\n    read_only: false\n    sysctls: {}\n    ulimits: {}\n' +
          '    extra_hosts: []\n    configs: []\n    secrets: []\n    environment: {}\n    cap_add: []\n    volumes: []',
      ),
    ).TaskTemplate.ContainerSpec;
    expect(c).toStrictEqual({
      Image: 'img:1',
      Labels: { 'com.docker.stack.namespace': 'st' },
      Privileges: { CredentialSpec: null, SELinuxContext: null, NoNewPrivileges: false },
    });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['init true', '    init: true', { Init: true }],
    ['stop_grace_period 0s is sent', '    stop_grace_period: 0s', { StopGracePeriod: 0 }],
    [
      'credential_spec registry',
      '    credential_spec: {registry: my-spec}',
      {
        Privileges: { CredentialSpec: { Registry: 'my-spec' }, SELinuxContext: null, NoNewPrivileges: false },
      },
    ],
  ])('%s', (_t, body, want) => {
    expect(spec(svc(body)).TaskTemplate.ContainerSpec).toStrictEqual({
      Image: 'img:1',
      Labels: { 'com.docker.stack.namespace': 'st' },
      Privileges: { CredentialSpec: null, SELinuxContext: null, NoNewPrivileges: false },
      ...want,
    });
  });
});
