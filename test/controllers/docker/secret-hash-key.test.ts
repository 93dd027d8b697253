/**
 * The instance key's read can start before it is needed (the CLI starts it before parsing its
 * source): loadSecretHashKey then uses that read instead of listing the configs again.
 */
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import {
  hashKeyConfigName,
  loadSecretHashKey,
  startHashKeyRead,
} from '../../../controllers/docker/secret-hash-key.js';

const KEY = Buffer.alloc(32, 7);

/** A Docker whose listConfigs answers `configs` (or fails) and counts its calls. */
function fakeDocker(configs: 'fail' | { name: string; data: string }[]) {
  const calls = { list: 0, create: 0 };
  const docker = {
    listConfigs: async () => {
      calls.list++;
      if (configs === 'fail') throw new Error('connect ENOENT');
      return configs.map((c) => ({ Spec: { Name: c.name, Data: c.data } }));
    },
    createConfig: async () => {
      calls.create++;
      return {};
    },
  } as unknown as Docker;
  return { docker, calls };
}

const stored = [{ name: hashKeyConfigName('i1'), data: Buffer.from(KEY.toString('hex')).toString('base64') }];

describe('startHashKeyRead', () => {
  it.each([
    ['a key file option: nothing to read', 'key.txt', {}, false],
    [
      'SWARMKEEPER_SECRET_HASH_KEY_FILE: nothing to read',
      undefined,
      { SWARMKEEPER_SECRET_HASH_KEY_FILE: 'k' },
      false,
    ],
    ['no key file: the config is read', undefined, {}, true],
  ])('%s', async (_, file, env, reads) => {
    const { docker, calls } = fakeDocker(stored);
    const read = startHashKeyRead(docker, 'i1', file, env);
    expect(read !== undefined).toBe(reads);
    expect(calls.list).toBe(reads ? 1 : 0);
  });

  it.each([
    [
      'an existing config: its key, one list call in all',
      () => stored,
      `config ${hashKeyConfigName('i1')}`,
      0,
    ],
    [
      'a missing config read early is still created by apply',
      () => [],
      `config ${hashKeyConfigName('i1')}`,
      1,
    ],
  ] as const)('loadSecretHashKey with the started read: %s', async (_what, configs, source, creates) => {
    const { docker, calls } = fakeDocker(configs());
    const read = startHashKeyRead(docker, 'i1', undefined, {});
    const k = await loadSecretHashKey({
      docker,
      instanceId: 'i1',
      create: true,
      env: {},
      ...(read ? { read } : {}),
    });
    expect(k.source).toBe(source);
    if (creates === 0) expect(k.key).toStrictEqual(KEY);
    expect(calls).toStrictEqual({ list: 1, create: creates });
  });

  it('a failed read fails where it is awaited, and is no unhandled rejection when it is not', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      startHashKeyRead(fakeDocker('fail').docker, 'i1', undefined, {});
      const read = startHashKeyRead(fakeDocker('fail').docker, 'i1', undefined, {});
      await expect(
        loadSecretHashKey({
          docker: fakeDocker('fail').docker,
          instanceId: 'i1',
          create: true,
          env: {},
          ...(read ? { read } : {}),
        }),
      ).rejects.toThrow(/ENOENT/);
      // let the unawaited read settle: Node reports an unhandled rejection after the microtasks
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toStrictEqual([]);
  });
});
