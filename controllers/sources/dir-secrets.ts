/**
 * SecretResolvers (ports.ts) of the CLI and of `run` without --kube: none configured, or a directory
 * of files (--secrets-dir). The value never goes into logs, status, events or error messages.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { skError } from '../../reconciler/errors.js';
import type { SecretResolver } from '../ports.js';

/** No Secret store configured: every reference is a precise terminal error. */
export const noSecrets: SecretResolver = {
  get(namespace, name, key) {
    return Promise.reject(
      skError(
        'RESOURCE_INVALID',
        `secret reference ${namespace}/${name} key "${key}": no Secret store is configured (run with --kube for Kubernetes Secrets, or --secrets-dir DIR)`,
      ),
    );
  },
};

/** `--secrets-dir DIR`: the value of `key` in Secret `name` of `namespace` is the file DIR/namespace/name/key. */
export function dirSecrets(dir: string): SecretResolver {
  const SAFE = /^[A-Za-z0-9._-]+$/;
  const path = (...parts: string[]) => {
    for (const p of parts)
      if (!SAFE.test(p) || p === '.' || p === '..')
        throw skError('RESOURCE_INVALID', `secret reference: "${p}" is not a valid Secret name or key`);
    return join(dir, ...parts);
  };
  const read = (namespace: string, name: string, key: string): Buffer => {
    const file = path(namespace, name, key); // a bad name is its own error, not "not found"
    try {
      return readFileSync(file);
    } catch (e) {
      if ((e as { code?: string }).code)
        throw skError(
          'DEPENDENCY_NOT_READY',
          `secret reference ${namespace}/${name} key "${key}": not found in the secrets directory`,
          { requeueAfterMs: 10_000 },
        );
      throw e;
    }
  };
  return {
    get: async (namespace, name, key) => read(namespace, name, key),
    getAll: async (namespace, name) => {
      const out: Record<string, Buffer> = {};
      const base = path(namespace, name);
      try {
        statSync(base);
      } catch {
        throw skError(
          'DEPENDENCY_NOT_READY',
          `secret ${namespace}/${name}: not found in the secrets directory`,
          {
            requeueAfterMs: 10_000,
          },
        );
      }
      const { readdirSync } = await import('node:fs');
      for (const f of readdirSync(base)) out[f] = read(namespace, name, f);
      return out;
    },
  };
}
