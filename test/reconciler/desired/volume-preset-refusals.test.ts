// Volume presets that are refused: the message names the field and never carries a Secret value.
import { describe, expect, it } from 'vitest';
import { presetDriver } from '../../../reconciler/desired/volume-preset.js';
import { ALL_SECRETS, values, RES, preset } from './volume-preset-secrets.js';

describe('presetDriver', () => {
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
});
