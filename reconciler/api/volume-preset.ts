import { z } from 'zod';
import { count, nonEmpty, secretKeyRef, secretRef } from './common.js';

/**
 * Volume presets: common remote/local storage set up without hand-written driverOpts.
 * Credentials come only from Kubernetes Secrets; no preset has an inline password field.
 */
const local = z.strictObject({
  type: z.literal('local'),
  path: nonEmpty.optional().describe('Bind this host directory (must exist on every selected node).'),
  tmpfs: z.boolean().optional().describe('Back the volume with tmpfs (memory).'),
  size: nonEmpty.optional().describe('tmpfs size, e.g. 64m.'),
});

const nfs = z.strictObject({
  type: z.literal('nfs'),
  server: nonEmpty.describe('NFS server host name or IP.'),
  path: nonEmpty.describe('Exported path on the server.'),
  version: z.enum(['3', '4', '4.1', '4.2']).default('4'),
  readOnly: z.boolean().optional(),
  options: z.array(nonEmpty).optional().describe('Extra mount options, e.g. [nolock, soft].'),
});

const sshfs = z.strictObject({
  type: z.literal('sshfs'),
  host: nonEmpty,
  port: z.int().min(1).max(65535).optional(),
  user: nonEmpty,
  path: nonEmpty.describe('Remote directory.'),
  privateKeySecretRef: secretKeyRef.describe('Secret key holding the SSH private key.'),
  options: z.array(nonEmpty).optional(),
});

const s3fs = z.strictObject({
  type: z.literal('s3fs'),
  bucket: nonEmpty,
  path: nonEmpty.optional().describe('Prefix inside the bucket.'),
  endpoint: nonEmpty.optional().describe('S3-compatible endpoint URL (AWS when unset).'),
  region: nonEmpty.optional(),
  credentialsSecretRef: secretRef
    .extend({
      accessKeyIdKey: nonEmpty.default('accessKeyId'),
      secretAccessKeyKey: nonEmpty.default('secretAccessKey'),
    })
    .describe('Secret with the access key ID and secret access key.'),
  options: z.array(nonEmpty).optional(),
});

const blobfs = z.strictObject({
  type: z.literal('blobfs'),
  accountName: nonEmpty.describe('Azure storage account.'),
  container: nonEmpty.describe('Blob container.'),
  accountKeySecretRef: secretKeyRef.describe('Secret key holding the storage account key.'),
  cacheSizeMB: count.optional(),
});

export const volumePresetSchema = z
  .discriminatedUnion('type', [local, nfs, sshfs, s3fs, blobfs])
  .describe('Storage preset; translated into driver and driverOpts.');

export const PRESET_TYPES = ['local', 'nfs', 'sshfs', 's3fs', 'blobfs'] as const;
export type VolumePreset = z.output<typeof volumePresetSchema>;
