import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { contentHash, secretHash, toSwarm } from '../../../reconciler/compose/to-swarm.js';
import { isSensitive } from '../../../reconciler/model/sensitive.js';
import { skError, type SwarmkeeperError } from '../../../reconciler/errors.js';
import type { FileReader } from '../../../reconciler/ports.js';
import { deploy, FILE, INSTANCE, memFiles, OWN, OWNER, SECRET_HASH_KEY } from './helpers.js';

const NS = { 'com.docker.stack.namespace': 'st' };

const STACK = `version: "3.9"
services:
  web:
    image: img:1
    networks: [front, back, out]
    configs: [app]
    secrets: [pw, ext]
  worker:
    image: img:1
networks:
  front:
    attachable: true
    driver_opts: {encrypted: ""}
    labels: [nl=1]
    ipam:
      config: [{subnet: 10.201.0.0/24, gateway: 10.201.0.1, ip_range: 10.201.0.0/25, aux_addresses: {h: 10.201.0.5}}]
  back: {name: custom_back, internal: true, driver: overlay}
  out: {external: true}
  unused: {}
volumes:
  data: {}
configs:
  app: {file: ./app.conf, labels: {cl: "1"}}
  inline: {content: "x=1", name: fixed}
secrets:
  pw: {file: pw.txt}
  ext: {external: true, name: shared_pw}
`;

describe('toSwarm: objects', () => {
  const files = memFiles({ '/stacks/st/app.conf': 'hello config\n', '/stacks/st/pw.txt': 's3cret\n' });
  const state = deploy(STACK, { files });

  it('emits networks, configs, secrets, services in that order, sorted by name, and no volumes', () => {
    expect(state.objects.map((o) => `${o.kind}:${o.name}`)).toEqual([
      'network:custom_back',
      'network:st_default',
      'network:st_front',
      'config:fixed-1f206b11c2',
      'config:st_app-de05fb016c',
      'secret:st_pw-aa112f4757',
      'service:st_web',
      'service:st_worker',
    ]);
    expect(state.owner).toEqual(OWNER);
    expect(state.external).toEqual([
      { kind: 'network', name: 'out', source: '/stacks/st/stack.yml: networks.out' },
      { kind: 'secret', name: 'shared_pw', source: '/stacks/st/stack.yml: secrets.ext' },
    ]);
  });

  it('builds network specs like docker stack deploy, with ownership labels', () => {
    const nets = state.objects.filter((o) => o.kind === 'network').map((o) => o.spec);
    expect(nets).toEqual([
      { Name: 'custom_back', Driver: 'overlay', Scope: 'swarm', Internal: true, Labels: { ...NS, ...OWN } },
      { Name: 'st_default', Driver: 'overlay', Scope: 'swarm', Labels: { ...NS, ...OWN } },
      {
        Name: 'st_front',
        Driver: 'overlay',
        Scope: 'swarm',
        Attachable: true,
        Options: { encrypted: '' },
        IPAM: {
          Driver: 'default',
          Config: [
            {
              Subnet: '10.201.0.0/24',
              Gateway: '10.201.0.1',
              IPRange: '10.201.0.0/25',
              AuxiliaryAddresses: { h: '10.201.0.5' },
            },
          ],
        },
        Labels: { nl: '1', ...NS, ...OWN },
      },
    ]);
  });

  it('names configs and secrets by content hash and labels them', () => {
    const cfg = state.objects.find((o) => o.name === 'st_app-de05fb016c');
    expect(cfg).toEqual({
      kind: 'config',
      name: 'st_app-de05fb016c',
      logicalName: 'st_app',
      hash: 'de05fb016c',
      spec: {
        Name: 'st_app-de05fb016c',
        Data: Buffer.from('hello config\n').toString('base64'),
        Labels: {
          cl: '1',
          ...NS,
          ...OWN,
          'swarmkeeper.io/logical-name': 'st_app',
          'swarmkeeper.io/content-hash': 'de05fb016c',
        },
      },
    });
    const fixed = state.objects.find((o) => o.kind === 'config' && o.logicalName === 'fixed');
    expect(fixed?.kind === 'config' && fixed.spec.Data).toBe(Buffer.from('x=1').toString('base64'));
  });

  it('wraps secret data in Sensitive', () => {
    const sec = state.objects.find((o) => o.kind === 'secret');
    if (sec?.kind !== 'secret') throw new Error('no secret');
    expect(isSensitive(sec.spec.Data)).toBe(true);
    expect(sec.spec.Data.reveal()).toBe(Buffer.from('s3cret\n').toString('base64'));
    expect(JSON.stringify(state)).not.toContain(Buffer.from('s3cret\n').toString('base64'));
    expect(sec.spec.Labels).toEqual({
      ...NS,
      ...OWN,
      'swarmkeeper.io/logical-name': 'st_pw',
      'swarmkeeper.io/content-hash': 'aa112f4757',
    });
  });

  it('puts ownership labels on object labels only, never inside the task template', () => {
    for (const o of state.objects) {
      if (o.kind !== 'service') continue;
      expect(o.spec.Labels).toMatchObject(OWN);
      expect(JSON.stringify(o.spec.TaskTemplate)).not.toContain('swarmkeeper.io');
    }
  });

  it('changes the config name when the content changes', () => {
    const other = deploy(STACK, {
      files: memFiles({ '/stacks/st/app.conf': 'changed\n', '/stacks/st/pw.txt': 's3cret\n' }),
    });
    const name = other.objects.find((o) => o.kind === 'config' && o.logicalName === 'st_app')?.name;
    expect(name).toBe(`st_app-${contentHash(new TextEncoder().encode('changed\n'))}`);
    expect(name).not.toBe('st_app-de05fb016c');
  });

  it('creates no default network when every service names its networks', () => {
    const s = deploy('services:\n  a: {image: i, networks: [net]}\nnetworks:\n  net: {}\n');
    expect(s.objects.filter((o) => o.kind === 'network').map((o) => o.name)).toEqual(['st_net']);
    expect(s.external).toBeUndefined();
  });

  it('is deterministic', () => {
    expect(JSON.stringify(deploy(STACK, { files }))).toBe(JSON.stringify(state));
  });
});

describe('toSwarm: secret names are keyed by the instance', () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  const sha10 = (t: string) => createHash('sha256').update(t).digest('hex').slice(0, 10);
  const text =
    'services:\n  a: {image: i, secrets: [db], configs: [c]}\nsecrets:\n  db: {content: "hunter2"}\nconfigs:\n  c: {content: "plain"}\n';
  const secretOf = (key: Uint8Array) => {
    const project = loadCompose({ file: FILE, text }, { env: {}, files: memFiles({}) });
    const s = toSwarm({ name: 'st', project }, { owner: OWNER, instanceId: INSTANCE, secretHashKey: key });
    const sec = s.objects.find((o) => o.kind === 'secret');
    const cfg = s.objects.find((o) => o.kind === 'config');
    if (sec?.kind !== 'secret' || cfg?.kind !== 'config') throw new Error('missing objects');
    return { sec, cfg };
  };

  it('the name is <base>-<10 hex> of HMAC-SHA256(key, value), not sha256(value)[:10]', () => {
    const { sec } = secretOf(SECRET_HASH_KEY);
    expect(sec.name).toMatch(/^st_db-[0-9a-f]{10}$/);
    expect(sec.name).not.toBe(`st_db-${sha10('hunter2')}`);
    expect(sec.hash).toBe(secretHash(SECRET_HASH_KEY, enc('hunter2')));
    expect(sec.spec.Labels?.['swarmkeeper.io/content-hash']).toBe(sec.hash);
    expect(sec.spec.Labels?.['swarmkeeper.io/content-hash']).not.toBe(sha10('hunter2'));
  });

  it('is stable across runs for one instance and different for another instance', () => {
    expect(secretOf(SECRET_HASH_KEY).sec.name).toBe(secretOf(enc('sk-test-secret-hash-key')).sec.name);
    expect(secretOf(enc('another-instance-secret-key')).sec.name).not.toBe(
      secretOf(SECRET_HASH_KEY).sec.name,
    );
  });

  it('configs keep the plain content hash (their content is not secret)', () => {
    expect(secretOf(SECRET_HASH_KEY).cfg.name).toBe(`st_c-${sha10('plain')}`);
    expect(secretOf(enc('another-instance-secret-key')).cfg.name).toBe(`st_c-${sha10('plain')}`);
  });

  it('refuses a key shorter than 16 bytes', () => {
    expect(() => secretHash(enc('short'), enc('v'))).toThrow('at least 16 bytes');
  });

  it('law: for any value and two keys, the hash is 10 hex, deterministic, and never the unkeyed one', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.uint8Array({ maxLength: 256 }),
        (k1, k2, v) => {
          const h = secretHash(k1, v);
          expect(h).toMatch(/^[0-9a-f]{10}$/);
          expect(secretHash(k1, v)).toBe(h);
          expect(h).not.toBe(contentHash(v));
          if (Buffer.compare(Buffer.from(k1), Buffer.from(k2)) !== 0) expect(secretHash(k2, v)).not.toBe(h);
        },
      ),
    );
  });
});

describe('toSwarm: network specs and unreadable files', () => {
  const load = (text: string) =>
    loadCompose({ file: '/st/stack.yml', text }, { env: {}, files: memFiles({}) });
  const opts = { owner: OWNER, instanceId: INSTANCE, secretHashKey: SECRET_HASH_KEY };
  const LABELS = { ...NS, ...OWN };

  it('IPAM only when a driver or a pool is given (the Engine reads no driver as "default"); empty driver_opts kept', () => {
    const p = load(
      'services:\n  s:\n    image: a\n    networks: [a, b, c, d]\nnetworks:\n' +
        '  a: {driver: weave, ipam: {driver: custom}}\n  b: {ipam: {config: [{subnet: 10.0.0.0/24}]}}\n  c: {ipam: {}, driver_opts: {}}\n' +
        '  d: {ipam: {options: {o: "1"}}}\n',
    );
    expect(toSwarm({ name: 'st', project: p }, opts).objects.map((o) => o.spec)).toStrictEqual([
      { Name: 'st_a', Driver: 'weave', Scope: 'swarm', Labels: LABELS, IPAM: { Driver: 'custom' } },
      {
        Name: 'st_b',
        Driver: 'overlay',
        Scope: 'swarm',
        Labels: LABELS,
        IPAM: { Driver: 'default', Config: [{ Subnet: '10.0.0.0/24' }] },
      },
      { Name: 'st_c', Driver: 'overlay', Scope: 'swarm', Labels: LABELS, Options: {} },
      // options alone make an IPAM section too
      {
        Name: 'st_d',
        Driver: 'overlay',
        Scope: 'swarm',
        Labels: LABELS,
        IPAM: { Driver: 'default', Options: { o: '1' } },
      },
      expect.objectContaining({ Name: 'st_s' }),
    ]);
  });

  const cfg = load('services:\n  s:\n    image: a\n    configs: [c]\nconfigs:\n  c: {file: ./c.txt}\n');
  it.each<[string, unknown, string, string]>([
    ['no reader', undefined, 'SK_ERR_FILE_UNREADABLE', 'no file reader is available'],
    [
      "the reader's code and message, without its path",
      {
        readText: () => '',
        readBytes: (path: string) => {
          throw skError('FILE_REFUSED', `${path}: a symlink leaves the source`);
        },
      },
      'SK_ERR_FILE_REFUSED',
      'a symlink leaves the source',
    ],
    [
      'a thrown non-error',
      {
        readText: () => '',
        readBytes: () => {
          throw 'plain';
        },
      },
      'SK_ERR_FILE_UNREADABLE',
      'plain',
    ],
  ])('a config file that cannot be read: %s', (_t, files, code, why) => {
    let err: SwarmkeeperError | undefined;
    try {
      toSwarm({ name: 'st', project: cfg }, { ...opts, ...(files ? { files: files as FileReader } : {}) });
    } catch (e) {
      err = e as SwarmkeeperError;
    }
    expect(err?.code).toBe(code);
    expect(err?.message).toBe(`/st/stack.yml: configs.c.file: cannot read "/st/c.txt": ${why}`);
  });
});
