/**
 * The per-instance key of secret names (toSwarm's secretHashKey): a secret's Swarm name and its
 * content-hash label end in HMAC-SHA256(key, value)[:10] instead of an unsalted SHA-256 of the value,
 * so a name no longer lets whoever sees it confirm a guessed value offline.
 *
 * Where the key lives, so that the CLI, every controller replica and restarts agree:
 *  1. `--secret-hash-key-file FILE` or SWARMKEEPER_SECRET_HASH_KEY_FILE (at least 16 bytes; a trailing
 *     newline is dropped): the operator keeps it, e.g. in a Docker or Kubernetes secret mounted into
 *     every replica.
 *  2. Otherwise a Swarm config `swarmkeeper-secret-hash-key.<instance>` holding 32 random bytes (hex),
 *     created once by the first `run` or `apply` of the instance (a concurrent creator's 409 is
 *     resolved by reading theirs). `plan`, `status` and `validate` only read it; missing, they use a
 *     throw-away key (their secret names are then provisional).
 * Threat model: the key protects secret values against those who only see names (logs, plans,
 * status, Kubernetes Events and CR status, `docker secret ls`, monitoring). A Swarm config is
 * readable by anyone with access to the Docker API of a manager, who is root on the managers
 * anyway (able to mount and read any secret); use the key file when names are visible to API
 * readers you do not otherwise trust. Changing the key renames (rotates) every secret once.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';

export const HASH_KEY_LABEL = 'swarmkeeper.io/secret-hash-key-of';

export interface HashKeyOptions {
  docker: Docker;
  instanceId: string;
  /** `--secret-hash-key-file` (else SWARMKEEPER_SECRET_HASH_KEY_FILE). */
  file?: string;
  /** Create the Swarm config when it is missing (run, apply); otherwise a throw-away key. */
  create: boolean;
  env?: NodeJS.ProcessEnv;
  /** The config's read, started earlier (startHashKeyRead); absent: read now. */
  read?: Promise<Buffer | undefined>;
}

export interface HashKey {
  key: Buffer;
  /** Where it came from: the file, the Swarm config's name, or 'ephemeral'. */
  source: string;
}

/** The Swarm config's name: `swarmkeeper-secret-hash-key.<instance>` (characters Docker allows). */
export function hashKeyConfigName(instanceId: string): string {
  return `swarmkeeper-secret-hash-key.${instanceId.replace(/[^a-zA-Z0-9_.-]/g, '_')}`.slice(0, 64);
}

export function readHashKeyFile(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw new Error(
      `--secret-hash-key-file ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'EIO'})`,
    );
  }
  const text = raw.toString('utf8').replace(/\r?\n$/, '');
  const key = Buffer.from(text, 'utf8');
  if (key.length < 16) throw new Error(`--secret-hash-key-file ${file}: at least 16 bytes are required`);
  return key;
}

/**
 * Starts reading the instance's key config, for a later loadSecretHashKey({ read }): the CLI's
 * apply and plan start it before they parse their source, so that the round trip overlaps the
 * parse. Undefined when a key file is set (nothing to read). A failed read is reported where it is
 * awaited, and is harmless when it never is (a source without resources).
 */
export function startHashKeyRead(
  docker: Docker,
  instanceId: string,
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Buffer | undefined> | undefined {
  if (keyFileOf(file, env)) return undefined;
  const read = readConfig(docker, hashKeyConfigName(instanceId));
  read.catch(() => undefined);
  return read;
}

/** The key file in use: the option's, else SWARMKEEPER_SECRET_HASH_KEY_FILE (a key file is read, no config). */
function keyFileOf(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return file ?? env['SWARMKEEPER_SECRET_HASH_KEY_FILE'];
}

async function readConfig(docker: Docker, name: string): Promise<Buffer | undefined> {
  const found = await docker.listConfigs({ filters: { name: [name] } });
  const c = found.find((x) => x.Spec?.Name === name);
  if (!c) return undefined;
  const hex = Buffer.from(c.Spec?.Data ?? '', 'base64')
    .toString('utf8')
    .trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`Swarm config ${name} does not hold a 32-byte hex key`);
  return Buffer.from(hex, 'hex');
}

export async function loadSecretHashKey(opts: HashKeyOptions): Promise<HashKey> {
  const file = keyFileOf(opts.file, opts.env ?? process.env);
  if (file) return { key: readHashKeyFile(file), source: file };
  const name = hashKeyConfigName(opts.instanceId);
  const existing = await (opts.read ?? readConfig(opts.docker, name));
  if (existing) return { key: existing, source: `config ${name}` };
  if (!opts.create) return { key: randomBytes(32), source: 'ephemeral' };
  const key = randomBytes(32);
  try {
    await opts.docker.createConfig({
      Name: name,
      Labels: { [HASH_KEY_LABEL]: opts.instanceId },
      Data: Buffer.from(key.toString('hex')).toString('base64'),
    });
    return { key, source: `config ${name}` };
  } catch (e) {
    // another replica (or CLI) created it first: use theirs
    if ((e as { statusCode?: number }).statusCode !== 409) throw e;
    const theirs = await readConfig(opts.docker, name);
    if (!theirs) throw e;
    return { key: theirs, source: `config ${name}` };
  }
}
