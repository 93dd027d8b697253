import { describe, expect, it } from 'vitest';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { secretHash, toSwarm } from '../../../reconciler/compose/to-swarm.js';
import type { FileReader } from '../../../reconciler/ports.js';
import { errorOf } from '../../support/error-of.js';
import { deploy, INSTANCE, memFiles, OWNER, SECRET_HASH_KEY } from './helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('toSwarm: the order of objects does not follow the order of the file', () => {
  // written in reverse: services, secrets and networks whose keys sort unlike their names
  const state = deploy(
    [
      'services:',
      '  zeta: {image: img:1, networks: [nb, na, xb, xa], secrets: [sb, sa], configs: [ec]}',
      '  alpha: {image: img:1}',
      'networks:',
      '  na: {name: zz_net}',
      '  nb: {}',
      '  xb: {external: true, name: ext_b}',
      '  xa: {external: true, name: ext_a}',
      'secrets:',
      '  sb: {file: ./b.txt}',
      '  sa: {file: ./a.txt}',
      'configs:',
      '  ec: {external: true, name: ext_cfg}',
      '',
    ].join('\n'),
    { files: memFiles({ '/stacks/st/a.txt': 'a', '/stacks/st/b.txt': 'b' }) },
  );

  it('networks, secrets and services each sorted by Swarm name', () => {
    expect(state.objects.map((o) => `${o.kind}:${'logicalName' in o ? o.logicalName : o.name}`)).toEqual([
      'network:st_default',
      'network:st_nb',
      'network:zz_net',
      'secret:st_sa',
      'secret:st_sb',
      'service:st_alpha',
      'service:st_zeta',
    ]);
  });

  it('external networks in the order of their keys, and an external config is a config', () => {
    expect(state.external).toEqual([
      { kind: 'network', name: 'ext_a', source: '/stacks/st/stack.yml: networks.xa' },
      { kind: 'network', name: 'ext_b', source: '/stacks/st/stack.yml: networks.xb' },
      { kind: 'config', name: 'ext_cfg', source: '/stacks/st/stack.yml: configs.ec' },
    ]);
  });
});

describe('toSwarm: where a secret value comes from', () => {
  const secretData = (text: string, env: Record<string, string> = {}) => {
    const s = deploy(text, { env }).objects.find((o) => o.kind === 'secret');
    if (s?.kind !== 'secret') throw new Error('no secret');
    return Buffer.from(s.spec.Data.reveal(), 'base64').toString();
  };

  it('an environment secret holds the variable of the stack environment', () =>
    expect(
      secretData('services:\n  s: {image: a, secrets: [pw]}\nsecrets:\n  pw: {environment: PW}\n', {
        PW: 'from-env',
      }),
    ).toBe('from-env'));

  it('a legacy external name (external: {name}) names the existing secret', () => {
    const state = deploy(
      'services:\n  s: {image: a, secrets: [pw]}\nsecrets:\n  pw: {external: {name: legacy_pw}}\n',
    );
    expect(state.external).toEqual([
      { kind: 'secret', name: 'legacy_pw', source: '/stacks/st/stack.yml: secrets.pw' },
    ]);
  });

  it("a reader's failure is kept as the cause of the error", () => {
    const failure = new Error('EACCES: permission denied');
    const files: FileReader = {
      readText: () => '',
      readBytes: () => {
        throw failure;
      },
    };
    const project = loadCompose(
      {
        file: '/st/stack.yml',
        text: 'services:\n  s: {image: a, secrets: [pw]}\nsecrets:\n  pw: {file: pw}\n',
      },
      { env: {}, files },
    );
    const opts = { owner: OWNER, instanceId: INSTANCE, secretHashKey: SECRET_HASH_KEY, files };
    let caught: unknown;
    try {
      toSwarm({ name: 'st', project }, opts);
    } catch (e) {
      caught = e;
    }
    expect((caught as Error).cause).toBe(failure);
    expect(errorOf(() => toSwarm({ name: 'st', project }, opts)).code).toBe('SK_ERR_FILE_UNREADABLE');
  });

  it('a template driver is part of the secret version', () => {
    const key = enc('sixteen-byte-key-0123');
    expect(secretHash(key, enc('v'), 'golang')).not.toBe(secretHash(key, enc('v')));
    expect(secretHash(key, enc('v'), 'golang')).not.toBe(secretHash(key, enc('v'), 'other'));
    expect(secretHash(key, enc('v'), 'golang')).toBe(secretHash(key, enc('v'), 'golang'));
  });
});
