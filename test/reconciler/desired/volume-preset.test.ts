// Volume presets -> driver and driver options (table-driven), and what differs from a node's volume.
// Secret values never appear in an error message, a difference or JSON output.
import { describe, expect, it } from 'vitest';
import { swarmVolumeSpecSchema, type SwarmVolumeSpecInput } from '../../../reconciler/api/swarm-volume.js';
import type { VolumePreset } from '../../../reconciler/api/volume-preset.js';
import { volumePresetSchema } from '../../../reconciler/api/volume-preset.js';
import {
  desiredVolume,
  redact,
  revealOptions,
  sensitiveValues,
  volumeDifferences,
} from '../../../reconciler/desired/volume.js';
import {
  presetDriver,
  presetSecretNeeds,
  type SecretValues,
} from '../../../reconciler/desired/volume-preset.js';
import { Sensitive } from '../../../reconciler/model/sensitive.js';

const SECRET_VALUES: Record<string, string> = {
  'ssh/id_ed25519':
    '-----BEGIN OPENSSH PRIVATE KEY-----\nS3CRETKEYMATERIAL\n-----END OPENSSH PRIVATE KEY-----\n',
  'ssh/bad name': 'x',
  's3/accessKeyId': 'AKIAS3CRETID\n',
  's3/secretAccessKey': 'S3CRETACCESSKEY',
  's3/custom-id': 'CUSTOMS3CRETID',
  's3/custom-key': 'CUSTOMS3CRETKEY',
  'blob/key': 'BL0BS3CRETKEY==',
  'empty/k': '\n',
  'multi/accessKeyId': 'LINE1S3CRET\nLINE2S3CRET',
  'multi/secretAccessKey': 'fine',
};
const ALL_SECRETS = [
  'S3CRETKEYMATERIAL',
  'AKIAS3CRETID',
  'S3CRETACCESSKEY',
  'CUSTOMS3CRET',
  'BL0BS3CRETKEY',
  'LINE1S3CRET',
];
const values: SecretValues = (name, key) => {
  const v = SECRET_VALUES[`${name}/${key}`];
  return v === undefined ? undefined : new Sensitive(v);
};
const RES = 'SwarmVolume/default/data';
const preset = (p: unknown): VolumePreset => volumePresetSchema.parse(p);
const translate = (p: unknown) => {
  const r = presetDriver(preset(p), values, RES, 'default');
  return {
    driver: r.driver,
    driverOpts: revealOptions(r.driverOpts),
    sensitive: sensitiveValues(r.driverOpts),
  };
};

describe('presetDriver', () => {
  it.each([
    ['local, plain', { type: 'local' }, 'local', {}],
    [
      'local, bind path',
      { type: 'local', path: '/srv/data' },
      'local',
      { type: 'none', o: 'bind', device: '/srv/data' },
    ],
    ['local, tmpfs', { type: 'local', tmpfs: true }, 'local', { type: 'tmpfs', device: 'tmpfs' }],
    [
      'local, tmpfs with size',
      { type: 'local', tmpfs: true, size: '64m' },
      'local',
      { type: 'tmpfs', device: 'tmpfs', o: 'size=64m' },
    ],
    [
      'nfs, defaults',
      { type: 'nfs', server: '10.0.0.5', path: '/exports/data' },
      'local',
      { type: 'nfs', o: 'addr=10.0.0.5,nfsvers=4', device: ':/exports/data' },
    ],
    [
      'nfs, v3 read-only with options',
      {
        type: 'nfs',
        server: 'nas',
        path: '/e',
        version: '3',
        readOnly: true,
        options: ['nolock', 'soft', 'timeo=30'],
      },
      'local',
      { type: 'nfs', o: 'addr=nas,nfsvers=3,ro,nolock,soft,timeo=30', device: ':/e' },
    ],
    [
      'sshfs, key by reference',
      {
        type: 'sshfs',
        host: 'files.example',
        user: 'backup',
        path: '/srv/share',
        port: 2222,
        privateKeySecretRef: { name: 'ssh', key: 'id_ed25519' },
        options: ['allow_other', 'reconnect', 'ServerAliveInterval=15'],
      },
      'vieux/sshfs',
      {
        sshcmd: 'backup@files.example:/srv/share',
        port: '2222',
        IdentityFile: '/root/.ssh/id_ed25519',
        allow_other: '',
        reconnect: '',
        ServerAliveInterval: '15',
      },
    ],
    [
      's3fs, AWS with prefix and region',
      {
        type: 's3fs',
        bucket: 'backups',
        path: '/nightly',
        region: 'eu-west-1',
        credentialsSecretRef: { name: 's3' },
      },
      's3fs',
      {
        bucket: 'backups:/nightly',
        endpoint: 'eu-west-1',
        AWSACCESSKEYID: 'AKIAS3CRETID',
        AWSSECRETACCESSKEY: 'S3CRETACCESSKEY',
      },
    ],
    [
      's3fs, S3-compatible endpoint, custom keys, options',
      {
        type: 's3fs',
        bucket: 'b',
        endpoint: 'http://minio:9000',
        credentialsSecretRef: { name: 's3', accessKeyIdKey: 'custom-id', secretAccessKeyKey: 'custom-key' },
        options: ['allow_other', 'mp_umask=0022'],
      },
      's3fs',
      {
        bucket: 'b',
        url: 'http://minio:9000',
        use_path_request_style: '',
        AWSACCESSKEYID: 'CUSTOMS3CRETID',
        AWSSECRETACCESSKEY: 'CUSTOMS3CRETKEY',
        allow_other: '',
        mp_umask: '0022',
      },
    ],
    [
      'blobfs',
      {
        type: 'blobfs',
        accountName: 'acct',
        container: 'c1',
        accountKeySecretRef: { name: 'blob', key: 'key' },
        cacheSizeMB: 512,
      },
      'blobfs',
      { accountname: 'acct', containername: 'c1', accountkey: 'BL0BS3CRETKEY==', cachesizemb: '512' },
    ],
  ])('%s', (_, p, driver, opts) => {
    const r = translate(p);
    expect(r.driver).toBe(driver);
    expect(r.driverOpts).toEqual(opts);
  });

  it('marks every credential option as sensitive: JSON shows no value', () => {
    const r = presetDriver(
      preset({ type: 's3fs', bucket: 'b', credentialsSecretRef: { name: 's3' } }),
      values,
      RES,
      'default',
    );
    const json = JSON.stringify(r);
    for (const s of ALL_SECRETS) expect(json).not.toContain(s);
    expect(sensitiveValues(r.driverOpts)).toEqual(['AKIAS3CRETID', 'S3CRETACCESSKEY']);
  });

  it.each([
    [
      'local path and tmpfs',
      { type: 'local', path: '/a', tmpfs: true },
      `${RES}: spec.preset: path and tmpfs exclude each other; set one of them`,
    ],
    [
      'local size without tmpfs',
      { type: 'local', size: '1g' },
      `${RES}: spec.preset.size: only a tmpfs volume has a size; set tmpfs: true`,
    ],
    [
      'local relative path',
      { type: 'local', path: 'data' },
      `${RES}: spec.preset.path: must be an absolute host path, got "data"`,
    ],
    [
      'local bad size',
      { type: 'local', tmpfs: true, size: 'lots' },
      `${RES}: spec.preset.size: expected a size like 64m or 1g, got "lots"`,
    ],
    [
      'nfs relative path',
      { type: 'nfs', server: 's', path: 'e' },
      `${RES}: spec.preset.path: must be an absolute export path, got "e"`,
    ],
    [
      'nfs option with a comma',
      { type: 'nfs', server: 's', path: '/e', options: ['a,b'] },
      `${RES}: spec.preset.options[0]: one option per entry (no ","), got "a,b"`,
    ],
    [
      'nfs addr in options',
      { type: 'nfs', server: 's', path: '/e', options: ['soft', 'addr=x'] },
      `${RES}: spec.preset.options[1]: "addr" is set from server/version`,
    ],
    [
      'sshfs inline password',
      {
        type: 'sshfs',
        host: 'h',
        user: 'u',
        path: '/p',
        privateKeySecretRef: { name: 'ssh', key: 'id_ed25519' },
        options: ['password=hunter2'],
      },
      `${RES}: spec.preset.options[0]: "password" is set by the preset itself (no inline passwords: use the Secret reference)`,
    ],
    [
      'sshfs key name not a file name',
      {
        type: 'sshfs',
        host: 'h',
        user: 'u',
        path: '/p',
        privateKeySecretRef: { name: 'ssh', key: 'bad name' },
      },
      `${RES}: spec.preset.privateKeySecretRef.key: "bad name" is used as the key file name: letters, digits, ".", "_" and "-" only`,
    ],
    [
      'sshfs key name .. (a path out of the key folder)',
      { type: 'sshfs', host: 'h', user: 'u', path: '/p', privateKeySecretRef: { name: 'ssh', key: '..' } },
      `${RES}: spec.preset.privateKeySecretRef.key: ".." is used as the key file name: letters, digits, ".", "_" and "-" only`,
    ],
    [
      'sshfs key name . (a path out of the key folder)',
      { type: 'sshfs', host: 'h', user: 'u', path: '/p', privateKeySecretRef: { name: 'ssh', key: '.' } },
      `${RES}: spec.preset.privateKeySecretRef.key: "." is used as the key file name: letters, digits, ".", "_" and "-" only`,
    ],
    [
      'sshfs sshcmd in options',
      {
        type: 'sshfs',
        host: 'h',
        user: 'u',
        path: '/p',
        privateKeySecretRef: { name: 'ssh', key: 'id_ed25519' },
        options: ['sshcmd=x@y:/z'],
      },
      `${RES}: spec.preset.options[0]: "sshcmd" is set by the preset itself`,
    ],
    [
      'sshfs port in options',
      {
        type: 'sshfs',
        host: 'h',
        user: 'u',
        path: '/p',
        privateKeySecretRef: { name: 'ssh', key: 'id_ed25519' },
        options: ['port=2222'],
      },
      `${RES}: spec.preset.options[0]: "port" is set by the preset itself`,
    ],
    [
      'sshfs IdentityFile in options',
      {
        type: 'sshfs',
        host: 'h',
        user: 'u',
        path: '/p',
        privateKeySecretRef: { name: 'ssh', key: 'id_ed25519' },
        options: ['IdentityFile=/etc/shadow'],
      },
      `${RES}: spec.preset.options[0]: "IdentityFile" is set by the preset itself`,
    ],
    [
      'sshfs option without a name',
      {
        type: 'sshfs',
        host: 'h',
        user: 'u',
        path: '/p',
        privateKeySecretRef: { name: 'ssh', key: 'id_ed25519' },
        options: ['=x'],
      },
      `${RES}: spec.preset.options[0]: expected KEY=VALUE or FLAG, got "=x"`,
    ],
    [
      'nfs nfsvers in options',
      { type: 'nfs', server: 's', path: '/e', options: ['nfsvers=3'] },
      `${RES}: spec.preset.options[0]: "nfsvers" is set from server/version`,
    ],
    [
      'nfs vers in options',
      { type: 'nfs', server: 's', path: '/e', options: ['vers=4'] },
      `${RES}: spec.preset.options[0]: "vers" is set from server/version`,
    ],
    [
      'local size with a suffix after the unit',
      { type: 'local', tmpfs: true, size: '1gb' },
      `${RES}: spec.preset.size: expected a size like 64m or 1g, got "1gb"`,
    ],
    [
      'local size with text before it',
      { type: 'local', tmpfs: true, size: 'x1g' },
      `${RES}: spec.preset.size: expected a size like 64m or 1g, got "x1g"`,
    ],
    [
      'sshfs missing Secret',
      { type: 'sshfs', host: 'h', user: 'u', path: '/p', privateKeySecretRef: { name: 'nope', key: 'id' } },
      `${RES}: spec.preset.privateKeySecretRef: Secret default/nope key "id" was not resolved`,
    ],
    [
      's3fs empty credential',
      {
        type: 's3fs',
        bucket: 'b',
        credentialsSecretRef: { name: 'empty', accessKeyIdKey: 'k', secretAccessKeyKey: 'k' },
      },
      `${RES}: spec.preset.credentialsSecretRef: Secret default/empty key "k" is empty`,
    ],
    [
      's3fs multi-line credential',
      { type: 's3fs', bucket: 'b', credentialsSecretRef: { name: 'multi' } },
      `${RES}: spec.preset.credentialsSecretRef: Secret default/multi key "accessKeyId" must be a single line`,
    ],
    [
      's3fs credentials in options',
      { type: 's3fs', bucket: 'b', credentialsSecretRef: { name: 's3' }, options: ['AWSSECRETACCESSKEY=x'] },
      `${RES}: spec.preset.options[0]: "AWSSECRETACCESSKEY" is set by the preset itself`,
    ],
  ])('refuses %s with a message naming the field', (_, p, message) => {
    let err: unknown;
    try {
      presetDriver(preset(p), values, RES, 'default');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'SK_ERR_RESOURCE_INVALID', message });
    for (const s of ALL_SECRETS) expect((err as Error).message).not.toContain(s);
  });

  it.each([
    ['local', { type: 'local' }, []],
    [
      'sshfs',
      { type: 'sshfs', host: 'h', user: 'u', path: '/p', privateKeySecretRef: { name: 'ssh', key: 'id' } },
      ['ssh/id'],
    ],
    [
      's3fs',
      { type: 's3fs', bucket: 'b', credentialsSecretRef: { name: 's3' } },
      ['s3/accessKeyId', 's3/secretAccessKey'],
    ],
    [
      'blobfs',
      { type: 'blobfs', accountName: 'a', container: 'c', accountKeySecretRef: { name: 'blob', key: 'key' } },
      ['blob/key'],
    ],
  ])('%s needs the Secret keys %j', (_, p, needs) => {
    expect(presetSecretNeeds(preset(p)).map((n) => `${n.name}/${n.key}`)).toEqual(needs);
  });
});

describe('desiredVolume and volumeDifferences', () => {
  const owner = { kind: 'SwarmVolume', namespace: 'default', name: 'data' };
  const spec = (s: unknown) => swarmVolumeSpecSchema.parse(s as SwarmVolumeSpecInput);
  const OWNER = { 'swarmkeeper.io/owner': 'SwarmVolume/default/data', 'swarmkeeper.io/instance': 'i1' };

  it.each([
    ['defaults', {}, { name: 'data', driver: 'local', driverOpts: {}, labels: OWNER }],
    [
      'driver, options, labels, name',
      { name: 'vol_1', driver: 'swlvol', driverOpts: { size: '1' }, labels: { tier: 'db' } },
      { name: 'vol_1', driver: 'swlvol', driverOpts: { size: '1' }, labels: { tier: 'db', ...OWNER } },
    ],
    [
      'owner labels win over user labels',
      { labels: { 'swarmkeeper.io/owner': 'x' } },
      { name: 'data', driver: 'local', driverOpts: {}, labels: OWNER },
    ],
    [
      'preset',
      { preset: { type: 'local', tmpfs: true, size: '8m' } },
      {
        name: 'data',
        driver: 'local',
        driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=8m' },
        labels: OWNER,
      },
    ],
  ])('%s', (_, s, want) => {
    expect(desiredVolume(owner, spec(s), 'i1', values)).toEqual(want);
  });

  const d = desiredVolume(owner, spec({ driver: 'swlvol', driverOpts: { a: '1' } }), 'i1', values);
  it.each([
    [
      'same (plugin listed as name:latest)',
      { Name: 'data', Driver: 'swlvol:latest', Options: { a: '1' }, Labels: OWNER },
      true,
      [],
    ],
    [
      'other driver',
      { Name: 'data', Driver: 'local', Options: { a: '1' }, Labels: OWNER },
      true,
      ['driver (local -> swlvol)'],
    ],
    [
      'option changed, added, removed',
      { Name: 'data', Driver: 'swlvol', Options: { a: '2', b: 'x' }, Labels: OWNER },
      true,
      ['driverOpts.a', 'driverOpts.b'],
    ],
    [
      'no options at all',
      { Name: 'data', Driver: 'swlvol', Options: null, Labels: OWNER },
      true,
      ['driverOpts.a'],
    ],
    [
      'labels differ',
      { Name: 'data', Driver: 'swlvol', Options: { a: '1' }, Labels: { x: '1' } },
      true,
      ['labels.swarmkeeper.io/instance', 'labels.swarmkeeper.io/owner', 'labels.x'],
    ],
    [
      'labels ignored (adopted)',
      { Name: 'data', Driver: 'swlvol', Options: { a: '1' }, Labels: null },
      false,
      [],
    ],
  ])('%s', (_, observed, labels, diff) => {
    expect(volumeDifferences(d, observed, { labels })).toEqual(diff);
  });

  it('names changed credential options without their values', () => {
    const s3 = desiredVolume(
      owner,
      spec({ preset: { type: 's3fs', bucket: 'b', credentialsSecretRef: { name: 's3' } } }),
      'i1',
      values,
    );
    const diff = volumeDifferences(s3, {
      Name: 'data',
      Driver: 's3fs',
      Options: { bucket: 'b', AWSACCESSKEYID: 'OLDID', AWSSECRETACCESSKEY: 'S3CRETACCESSKEY' },
      Labels: s3.labels,
    });
    expect(diff).toEqual(['driverOpts.AWSACCESSKEYID']);
    expect(redact('mount failed: key S3CRETACCESSKEY rejected', sensitiveValues(s3.driverOpts))).toBe(
      'mount failed: key [redacted] rejected',
    );
  });
});

describe('volume helpers', () => {
  it.each([
    ['no secrets', 'mount failed', [], 'mount failed'],
    ['an empty secret is no pattern', 'mount failed', [''], 'mount failed'],
    [
      'every occurrence of every secret',
      'a S1 b S2 c S1',
      ['S1', 'S2'],
      'a [redacted] b [redacted] c [redacted]',
    ],
  ])('redact: %s', (_n, message, secrets, want) => {
    expect(redact(message, secrets)).toBe(want);
  });

  it('sensitiveValues: only Secret values, and no empty one', () => {
    expect(sensitiveValues({ a: 'plain', b: new Sensitive('S1'), c: new Sensitive('') })).toEqual(['S1']);
  });

  it.each([
    ['name:latest is name', { Driver: 'vieux/sshfs:latest' }, []],
    ['another tag differs', { Driver: 'vieux/sshfs:1.0' }, ['driver (vieux/sshfs:1.0 -> vieux/sshfs)']],
    [
      'latest inside a name differs',
      { Driver: 'vieux/sshfs:latest-x' },
      ['driver (vieux/sshfs:latest-x -> vieux/sshfs)'],
    ],
  ])('volumeDifferences, driver: %s', (_n, observed, want) => {
    const desired = { name: 'v', driver: 'vieux/sshfs', driverOpts: {}, labels: {} };
    expect(volumeDifferences(desired, { Name: 'v', Options: {}, Labels: {}, ...observed })).toEqual(want);
  });

  it('volumeDifferences compares labels unless told not to (an adopted volume keeps its own)', () => {
    const desired = { name: 'v', driver: 'local', driverOpts: {}, labels: { tier: 'db' } };
    const observed = { Name: 'v', Driver: 'local', Options: {}, Labels: { tier: 'web' } };
    expect(volumeDifferences(desired, observed)).toEqual(['labels.tier']);
    expect(volumeDifferences(desired, observed, { labels: false })).toEqual([]);
  });
});
