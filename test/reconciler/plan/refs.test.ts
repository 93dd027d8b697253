import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import { serviceRefs, usersOf } from '../../../reconciler/plan/refs.js';

const file = { Name: '/f', UID: '0', GID: '0', Mode: 0o444 };
const full = {
  Name: 'app_web',
  TaskTemplate: {
    Networks: [{ Target: 'app_front' }, { Aliases: ['x'] }],
    ContainerSpec: {
      Image: 'x:1',
      Mounts: [
        { Type: 'volume', Source: 'app_data', Target: '/d' },
        { Type: 'bind', Source: '/srv', Target: '/s' },
        { Type: 'volume', Target: '/anon' },
      ],
      Configs: [{ ConfigName: 'app_c-1', File: file }, { File: file }],
      Secrets: [
        { SecretName: 'app_s-1', File: file },
        { SecretName: '', File: file },
      ],
    },
  },
} as ServiceSpec;

describe('serviceRefs: the objects a service spec uses', () => {
  it.each<[string, unknown, string[]]>([
    ['no spec', undefined, []],
    ['a spec without TaskTemplate', { Name: 'x' }, []],
    [
      'a TaskTemplate without ContainerSpec',
      { TaskTemplate: { Networks: [{ Target: 'n' }] } },
      ['network/n'],
    ],
    ['a ContainerSpec without references', { TaskTemplate: { ContainerSpec: { Image: 'x:1' } } }, []],
    [
      'named networks, volume mounts, configs and secrets (no bind, no nameless reference)',
      full,
      ['network/app_front', 'volume/app_data', 'config/app_c-1', 'secret/app_s-1'],
    ],
  ])('%s', (_n, spec, want) => {
    expect([...serviceRefs(spec as ServiceSpec)]).toEqual(want);
  });
});

describe('usersOf: the services using an object', () => {
  it('are the services whose spec references it, sorted', () => {
    const specs: [string, ServiceSpec | undefined][] = [
      ['app_web', full],
      ['app_gone', undefined],
      ['app_api', full],
      ['app_bare', { Name: 'app_bare' } as ServiceSpec],
    ];
    expect(usersOf('volume', 'app_data', specs)).toEqual(['app_api', 'app_web']);
    expect(usersOf('network', 'app_data', specs)).toEqual([]);
  });
});
