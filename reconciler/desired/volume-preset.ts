/**
 * Volume presets -> volume driver and driver options. Pure: the Secret values a preset needs are
 * looked up by the caller (`presetSecretNeeds`) and handed in wrapped as Sensitive; they only ever
 * leave as driver options (revealed by the adapter for the create call), never in a message.
 *
 *   local  {path}        -> local, type=none, o=bind, device=PATH
 *   local  {tmpfs, size} -> local, type=tmpfs, device=tmpfs, o=size=SIZE
 *   local  {}            -> local, no options (a plain named volume)
 *   nfs                  -> local, type=nfs, o=addr=SERVER,nfsvers=V[,ro][,OPTIONS], device=:PATH
 *   sshfs                -> vieux/sshfs: sshcmd=USER@HOST:PATH, port, IdentityFile=/root/.ssh/<key>
 *   s3fs                 -> s3fs: bucket=BUCKET[:/PATH], url, endpoint (region), AWSACCESSKEYID, AWSSECRETACCESSKEY
 *   blobfs               -> blobfs: accountname, containername, accountkey, cachesizemb
 *
 * sshfs: vieux/sshfs takes a password or an IdentityFile path (read inside the plugin, from the
 * directory its `sshkey` mount brings in, /root/.ssh), never the key itself; and the Docker API offers
 * no way to write a file on a node. So the key is passed by reference: the Secret must exist (it is
 * resolved, its value is never used or sent anywhere), and its key name is the file name the plugin
 * reads (`privateKeySecretRef.key: id_ed25519` -> IdentityFile=/root/.ssh/id_ed25519). Installing the
 * key file under the plugin's sshkey source on each node is the operator's job (documented choice).
 * No preset has a password option, and `password` is refused in `options`.
 *
 * s3fs/blobfs: FUSE volume plugins take the credentials as driver options (the names s3fs-fuse and
 * blobfuse read from their environment); the plugin is installed with the alias `s3fs`/`blobfs`
 * (a SwarmPlugin with that alias). Docker keeps driver options in its volume store, so anyone with
 * access to the node's Docker API can read them with `docker volume inspect`: that is the plugin's
 * interface, not swarmkeeper's choice; swarmkeeper itself never logs or reports them.
 */
import type { VolumePreset } from '../api/volume-preset.js';
import { skError } from '../errors.js';
import { Sensitive } from '../model/sensitive.js';

/** A driver option value: plain, or a Secret value that must never be shown. */
export type OptValue = string | Sensitive<string>;

export interface PresetDriver {
  driver: string;
  driverOpts: Record<string, OptValue>;
}

/** A Secret key a preset needs; `field` is the spec path, for messages. */
export interface SecretNeed {
  field: string;
  name: string;
  key: string;
  /** Single-line credentials (a trailing newline is dropped); a private key is multi-line. */
  singleLine: boolean;
}

/** The value of Secret `name` key `key` (same namespace as the resource), looked up by the caller. */
export type SecretValues = (name: string, key: string) => Sensitive<string> | undefined;

export const PRESET_DRIVERS = { sshfs: 'vieux/sshfs', s3fs: 's3fs', blobfs: 'blobfs' } as const;

/** Where vieux/sshfs sees the files of its `sshkey` mount. */
export const SSHFS_KEY_DIR = '/root/.ssh';

const SAFE_FILE = /^[A-Za-z0-9._-]+$/;

export function presetSecretNeeds(preset: VolumePreset): SecretNeed[] {
  switch (preset.type) {
    case 'sshfs':
      return [
        {
          field: 'spec.preset.privateKeySecretRef',
          name: preset.privateKeySecretRef.name,
          key: preset.privateKeySecretRef.key,
          singleLine: false,
        },
      ];
    case 's3fs': {
      const ref = preset.credentialsSecretRef;
      const field = 'spec.preset.credentialsSecretRef';
      return [
        { field, name: ref.name, key: ref.accessKeyIdKey, singleLine: true },
        { field, name: ref.name, key: ref.secretAccessKeyKey, singleLine: true },
      ];
    }
    case 'blobfs':
      return [
        {
          field: 'spec.preset.accountKeySecretRef',
          name: preset.accountKeySecretRef.name,
          key: preset.accountKeySecretRef.key,
          singleLine: true,
        },
      ];
    default:
      return [];
  }
}

/** Options given as `KEY=VALUE` or `FLAG` (the way `-o` takes them). */
function extraOptions(
  where: string,
  options: readonly string[] | undefined,
  reserved: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  (options ?? []).forEach((o, i) => {
    const eq = o.indexOf('=');
    const key = eq < 0 ? o : o.slice(0, eq);
    if (key === '')
      throw skError('RESOURCE_INVALID', `${where}.options[${i}]: expected KEY=VALUE or FLAG, got "${o}"`);
    if (reserved.includes(key))
      throw skError(
        'RESOURCE_INVALID',
        `${where}.options[${i}]: "${key}" is set by the preset itself${key === 'password' ? ' (no inline passwords: use the Secret reference)' : ''}`,
      );
    out[key] = eq < 0 ? '' : o.slice(eq + 1);
  });
  return out;
}

function secret(resource: string, need: SecretNeed, values: SecretValues, ns: string): Sensitive<string> {
  const v = values(need.name, need.key);
  const at = `${resource}: ${need.field}: Secret ${ns}${need.name} key "${need.key}"`;
  if (v === undefined) throw skError('RESOURCE_INVALID', `${at} was not resolved`);
  const raw = v.reveal();
  const text = need.singleLine ? raw.replace(/\r?\n$/, '') : raw;
  if (text.trim() === '') throw skError('RESOURCE_INVALID', `${at} is empty`);
  if (need.singleLine && /[\r\n]/.test(text))
    throw skError('RESOURCE_INVALID', `${at} must be a single line`);
  return text === raw ? v : new Sensitive(text);
}

/**
 * The driver and driver options of a preset. `resource` (e.g. `SwarmVolume/default/data`) and the
 * field name every message; `namespace` is the resource's (Secret references are namespaced).
 * Throws SK_ERR_RESOURCE_INVALID naming the field; never a Secret value.
 */
export function presetDriver(
  preset: VolumePreset,
  values: SecretValues,
  resource: string,
  namespace: string,
): PresetDriver {
  const where = `${resource}: spec.preset`;
  const ns = `${namespace}/`;
  switch (preset.type) {
    case 'local': {
      if (preset.path !== undefined && preset.tmpfs === true)
        throw skError('RESOURCE_INVALID', `${where}: path and tmpfs exclude each other; set one of them`);
      if (preset.size !== undefined && preset.tmpfs !== true)
        throw skError('RESOURCE_INVALID', `${where}.size: only a tmpfs volume has a size; set tmpfs: true`);
      if (preset.path !== undefined) {
        if (!preset.path.startsWith('/'))
          throw skError(
            'RESOURCE_INVALID',
            `${where}.path: must be an absolute host path, got "${preset.path}"`,
          );
        return { driver: 'local', driverOpts: { type: 'none', o: 'bind', device: preset.path } };
      }
      if (preset.tmpfs === true) {
        if (preset.size !== undefined && !/^\d+[kmgKMG]?$/.test(preset.size))
          throw skError(
            'RESOURCE_INVALID',
            `${where}.size: expected a size like 64m or 1g, got "${preset.size}"`,
          );
        return {
          driver: 'local',
          driverOpts: {
            type: 'tmpfs',
            device: 'tmpfs',
            ...(preset.size !== undefined ? { o: `size=${preset.size}` } : {}),
          },
        };
      }
      return { driver: 'local', driverOpts: {} };
    }
    case 'nfs': {
      if (!preset.path.startsWith('/'))
        throw skError(
          'RESOURCE_INVALID',
          `${where}.path: must be an absolute export path, got "${preset.path}"`,
        );
      const reserved = ['addr', 'nfsvers', 'vers'];
      const extra = (preset.options ?? []).map((o, i) => {
        if (o.includes(','))
          throw skError(
            'RESOURCE_INVALID',
            `${where}.options[${i}]: one option per entry (no ","), got "${o}"`,
          );
        const key = o.split('=')[0] ?? '';
        if (reserved.includes(key))
          throw skError('RESOURCE_INVALID', `${where}.options[${i}]: "${key}" is set from server/version`);
        return o;
      });
      const o = [
        `addr=${preset.server}`,
        `nfsvers=${preset.version}`,
        ...(preset.readOnly === true ? ['ro'] : []),
        ...extra,
      ].join(',');
      return { driver: 'local', driverOpts: { type: 'nfs', o, device: `:${preset.path}` } };
    }
    case 'sshfs': {
      const [need] = presetSecretNeeds(preset) as [SecretNeed];
      if (!SAFE_FILE.test(need.key) || need.key === '.' || need.key === '..')
        throw skError(
          'RESOURCE_INVALID',
          `${where}.privateKeySecretRef.key: "${need.key}" is used as the key file name: letters, digits, ".", "_" and "-" only`,
        );
      secret(resource, need, values, ns); // must exist and be non-empty; the value itself is not passed on
      const extra = extraOptions(where, preset.options, ['sshcmd', 'password', 'port', 'IdentityFile']);
      return {
        driver: PRESET_DRIVERS.sshfs,
        driverOpts: {
          sshcmd: `${preset.user}@${preset.host}:${preset.path}`,
          ...(preset.port !== undefined ? { port: String(preset.port) } : {}),
          IdentityFile: `${SSHFS_KEY_DIR}/${need.key}`,
          ...extra,
        },
      };
    }
    case 's3fs': {
      const [idNeed, keyNeed] = presetSecretNeeds(preset) as [SecretNeed, SecretNeed];
      const accessKeyId = secret(resource, idNeed, values, ns);
      const secretAccessKey = secret(resource, keyNeed, values, ns);
      const extra = extraOptions(where, preset.options, [
        'bucket',
        'url',
        'endpoint',
        'use_path_request_style',
        'AWSACCESSKEYID',
        'AWSSECRETACCESSKEY',
        'passwd_file',
      ]);
      const prefix = preset.path?.replace(/^\/+/, '');
      return {
        driver: PRESET_DRIVERS.s3fs,
        driverOpts: {
          bucket: prefix ? `${preset.bucket}:/${prefix}` : preset.bucket,
          ...(preset.endpoint !== undefined ? { url: preset.endpoint, use_path_request_style: '' } : {}),
          ...(preset.region !== undefined ? { endpoint: preset.region } : {}),
          AWSACCESSKEYID: accessKeyId,
          AWSSECRETACCESSKEY: secretAccessKey,
          ...extra,
        },
      };
    }
    case 'blobfs': {
      const [need] = presetSecretNeeds(preset) as [SecretNeed];
      return {
        driver: PRESET_DRIVERS.blobfs,
        driverOpts: {
          accountname: preset.accountName,
          containername: preset.container,
          accountkey: secret(resource, need, values, ns),
          ...(preset.cacheSizeMB !== undefined ? { cachesizemb: String(preset.cacheSizeMB) } : {}),
        },
      };
    }
  }
}
