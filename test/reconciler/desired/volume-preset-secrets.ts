// Shared by the volume-preset-*.test.ts and volume-differences.test.ts files: the Secret values a preset
// may read, and the preset parse and translate helpers.
import type { VolumePreset } from '../../../reconciler/api/volume-preset.js';
import { volumePresetSchema } from '../../../reconciler/api/volume-preset.js';
import { revealOptions, sensitiveValues } from '../../../reconciler/desired/volume.js';
import { presetDriver, type SecretValues } from '../../../reconciler/desired/volume-preset.js';
import { Sensitive } from '../../../reconciler/model/sensitive.js';

export const SECRET_VALUES: Record<string, string> = {
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
export const ALL_SECRETS = [
  'S3CRETKEYMATERIAL',
  'AKIAS3CRETID',
  'S3CRETACCESSKEY',
  'CUSTOMS3CRET',
  'BL0BS3CRETKEY',
  'LINE1S3CRET',
];
export const values: SecretValues = (name, key) => {
  const v = SECRET_VALUES[`${name}/${key}`];
  return v === undefined ? undefined : new Sensitive(v);
};
export const RES = 'SwarmVolume/default/data';
export const preset = (p: unknown): VolumePreset => volumePresetSchema.parse(p);
export const translate = (p: unknown) => {
  const r = presetDriver(preset(p), values, RES, 'default');
  return {
    driver: r.driver,
    driverOpts: revealOptions(r.driverOpts),
    sensitive: sensitiveValues(r.driverOpts),
  };
};
