// Volume presets -> driver and driver options (table-driven), and the Secret keys each needs.
import { describe, expect, it } from 'vitest';
import { sensitiveValues } from '../../../reconciler/desired/volume.js';
import { presetDriver, presetSecretNeeds } from '../../../reconciler/desired/volume-preset.js';
import { ALL_SECRETS, values, RES, preset, translate } from './volume-preset-secrets.js';

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
