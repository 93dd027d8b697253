/**
 * The key of a resource's desired state (what `desiredFor` computes), for a cache of it: everything
 * the computation reads. That is the resource itself (its spec, document, compose text and where
 * it came from, but not the source's revision, which changes with any other file), the settings
 * that feed it (instance, secret-name key, allowed process variables, limits, stack policy, bind
 * root, resolved secretRefs values), and every file it read through its FileReader, recorded as it
 * reads: the path and what the read found (a digest of the bytes, or the error, so a file that
 * was missing and now exists changes the key too). Since the computation is deterministic, a
 * replay of the same reads in the same order that finds the same outcomes proves that it would
 * read the same files and compute the same state: the key is complete by construction. The source's
 * root folder is not part of it: the computation sees the files only through the reader (paths
 * relative to the root), so the same files in another folder (a git source's next commit) give the
 * same key, while a relative bind resolves against the bind root, which is.
 *
 * Digests are keyed (HMAC-SHA256 under a key the caller holds, a random one per process): the key
 * of a secret file's content cannot be checked against guesses outside the process.
 */
import { createHmac, createSecretKey } from 'node:crypto';
import { errorName } from '../errors.js';
import type { FileReader } from '../ports.js';
import type { DesiredResource } from '../source/resource.js';
import { decodeText } from '../source/decode.js';

export type Digest = (data: string | Uint8Array) => string;

/** HMAC-SHA256 under `key`, hex. The key object is made once: not once per digest of every file read. */
export function keyedDigest(key: Uint8Array): Digest {
  const k = createSecretKey(key);
  return (data) => createHmac('sha256', k).update(data).digest('hex');
}

/** One read of a computation: the path asked for and what it found (`b:<digest>` or `x:<code>:<digest>`). */
export interface FileRead {
  path: string;
  found: string;
}

/** What reading `path` finds, as a FileRead records it. */
export function readOutcome(readBytes: (path: string) => Uint8Array, path: string, digest: Digest): string {
  try {
    return `b:${digest(readBytes(path))}`;
  } catch (e) {
    return errorOutcome(e, digest);
  }
}

/** A failed read: its error code and a digest of its message (which names the path and the cause). */
function errorOutcome(e: unknown, digest: Digest): string {
  return `x:${errorName(e) ?? (e as { code?: string }).code ?? ''}:${digest(String((e as Error).message))}`;
}

/**
 * A FileReader over `readBytes` that records every read (hits and misses) in `reads`, in order.
 * Text is decoded from the bytes as the source readers do (decodeText), so the digest covers the
 * bytes, not only the text they decode to.
 */
export function recordingReader(
  readBytes: (path: string) => Uint8Array,
  digest: Digest,
): { files: FileReader; reads: FileRead[] } {
  const reads: FileRead[] = [];
  const read = (path: string): Uint8Array => {
    let bytes: Uint8Array;
    try {
      bytes = readBytes(path);
    } catch (e) {
      reads.push({ path, found: errorOutcome(e, digest) });
      throw e;
    }
    reads.push({ path, found: `b:${digest(bytes)}` });
    return bytes;
  };
  return { files: { readText: (path) => decodeText(path, read(path)), readBytes: read }, reads };
}

/** The settings a resource's desired state is computed with, besides its files. */
export interface DesiredInputs {
  resource: DesiredResource;
  instanceId: string;
  secretHashKey: Uint8Array;
  /** The process variables the stack may read (allowedProcessEnv for this resource). */
  processEnv: Readonly<Record<string, string>>;
  limits: unknown;
  policy: unknown;
  bindRoot?: string;
  /** Resolved spec.secretRefs values (digested, never kept). */
  secrets?: Readonly<Record<string, Uint8Array>>;
}

/**
 * The key of everything but the files: a change of any input (or of a setting) changes it. Plain
 * JSON (the same parse gives the same key order; another order is only another key, a miss);
 * byte arrays by their digest.
 */
export function inputsKey(inputs: DesiredInputs, digest: Digest): string {
  const { resource, secretHashKey, secrets, ...settings } = inputs;
  const res = { ...resource, origin: { ...resource.origin, revision: undefined } };
  const values =
    secrets === undefined
      ? null
      : Object.keys(secrets)
          .sort()
          .map((k) => [k, digest(secrets[k] as Uint8Array)]);
  return digest(JSON.stringify([res, settings, digest(secretHashKey), values]));
}

/** The whole key: the inputs' key and every read, in order. */
export function desiredKey(base: string, reads: readonly FileRead[], digest: Digest): string {
  return digest([base, ...reads.map((r) => `${r.path}\u0000${r.found}`)].join('\n'));
}
