/**
 * Mounts, network attachments and healthchecks as docker/cli 28's convert package makes them
 * (cli/compose/convert/volume.go and service.go); empty options are sent as docker sends them.
 */
import { describe, expect, it } from 'vitest';
import type { ContainerSpec, TaskSpec } from '../../../reconciler/model/engine-types.js';
import { deploy, serviceOf } from './helpers.js';

const NS = { 'com.docker.stack.namespace': 'st' };
const svc = (body: string, top = ''): string => `services:\n  s:\n    image: img:1\n${body}\n${top}`;
const task = (yaml: string): TaskSpec => serviceOf(deploy(yaml), 'st_s').TaskTemplate;
const container = (yaml: string): ContainerSpec => task(yaml).ContainerSpec as ContainerSpec;

describe('mounts', () => {
  it.each<[string, string, string, unknown]>([
    [
      'an anonymous volume takes no volume options (docker returns before reading them)',
      '{type: volume, target: /anon, volume: {nocopy: true}}',
      '',
      { Type: 'volume', Target: '/anon' },
    ],
    [
      'bind consistency and empty bind options',
      '{type: bind, source: /h, target: /c, consistency: cached, bind: {}}',
      '',
      { Type: 'bind', Source: '/h', Target: '/c', Consistency: 'cached', BindOptions: {} },
    ],
    [
      'bind without options',
      '{type: bind, source: /h, target: /c}',
      '',
      { Type: 'bind', Source: '/h', Target: '/c' },
    ],
    [
      'tmpfs with empty options',
      '{type: tmpfs, target: /t, tmpfs: {}}',
      '',
      { Type: 'tmpfs', Target: '/t', TmpfsOptions: {} },
    ],
    ['tmpfs without options', '{type: tmpfs, target: /t}', '', { Type: 'tmpfs', Target: '/t' }],
    [
      'read_only false sends no ReadOnly',
      '{type: bind, source: /h, target: /c, read_only: false}',
      '',
      { Type: 'bind', Source: '/h', Target: '/c' },
    ],
    [
      'a stack volume with a driver and no options',
      '{type: volume, source: v, target: /v}',
      'volumes:\n  v: {driver: local, labels: {a: "1"}}\n',
      {
        Type: 'volume',
        Source: 'st_v',
        Target: '/v',
        VolumeOptions: { Labels: { a: '1', ...NS }, DriverConfig: { Name: 'local' } },
      },
    ],
    [
      // docker sends an empty driver name too (omitted from its JSON, the same to the Engine)
      'a stack volume with driver options and no driver',
      '{type: volume, source: v, target: /v}',
      'volumes:\n  v: {driver_opts: {type: nfs}}\n',
      {
        Type: 'volume',
        Source: 'st_v',
        Target: '/v',
        VolumeOptions: { Labels: NS, DriverConfig: { Name: '', Options: { type: 'nfs' } } },
      },
    ],
    [
      'a stack volume without driver: stack label only',
      '{type: volume, source: v, target: /v, volume: {nocopy: false}}',
      'volumes:\n  v: {}\n',
      { Type: 'volume', Source: 'st_v', Target: '/v', VolumeOptions: { Labels: NS } },
    ],
    [
      'external volume named by external.name: no labels, no driver',
      '{type: volume, source: ext, target: /e}',
      'volumes:\n  ext:\n    external: {name: real}\n',
      { Type: 'volume', Source: 'real', Target: '/e', VolumeOptions: {} },
    ],
    [
      'external volume with name: wins over the key',
      '{type: volume, source: ext, target: /e}',
      'volumes:\n  ext: {external: true, name: real, driver: local}\n',
      { Type: 'volume', Source: 'real', Target: '/e', VolumeOptions: {} },
    ],
  ])('%s', (_t, volume, top, want) => {
    expect(container(svc(`    volumes:\n      - ${volume}`, top)).Mounts).toStrictEqual([want]);
  });
});

describe('network attachments', () => {
  it.each<[string, string, string, unknown]>([
    [
      'external network named host, bridge or none: no service alias (not user-defined)',
      '[h, b, n]',
      'networks:\n  h: {external: true, name: host}\n  b: {external: true, name: bridge}\n  n: {external: true, name: none}\n',
      [{ Target: 'bridge' }, { Target: 'host' }, { Target: 'none' }],
    ],
    [
      "a container's network namespace takes no alias",
      '[c]',
      'networks:\n  c: {external: true, name: "container:abc"}\n',
      [{ Target: 'container:abc' }],
    ],
    [
      'external network without a name keeps its key',
      '[shared]',
      'networks:\n  shared: {external: true}\n',
      [{ Target: 'shared', Aliases: ['s'] }],
    ],
    [
      'external.name names the network',
      '[en]',
      'networks:\n  en:\n    external: {name: realnet}\n',
      [{ Target: 'realnet', Aliases: ['s'] }],
    ],
    [
      'empty driver_opts and aliases send the service alias only',
      '{n: {driver_opts: {}, aliases: []}}',
      'networks:\n  n: {}\n',
      [{ Target: 'st_n', Aliases: ['s'] }],
    ],
  ])('%s', (_t, nets, top, want) => {
    expect(task(svc(`    networks: ${nets}`, top)).Networks).toStrictEqual(want);
  });
});

describe('healthcheck', () => {
  it.each<[string, string, unknown]>([
    ['interval only', '{interval: 5s}', { Interval: 5e9 }],
    ['timeout only', '{timeout: 2s}', { Timeout: 2e9 }],
    ['start_period only', '{start_period: 1s}', { StartPeriod: 1e9 }],
    ['retries only', '{retries: 4}', { Retries: 4 }],
    [
      'zero retries and durations are not sent',
      '{retries: 0, interval: 0s, test: [CMD, x]}',
      { Test: ['CMD', 'x'] },
    ],
    ['disable false keeps the test', '{disable: false, test: [CMD, x]}', { Test: ['CMD', 'x'] }],
  ])('%s', (_t, hc, want) => {
    expect(container(svc(`    healthcheck: ${hc}`)).Healthcheck).toStrictEqual(want);
  });
});
