// dirSecrets (`run --secrets-dir`) on a real temp directory, and noSecrets: values come back as
// bytes; a missing Secret waits; a name that could leave the directory is refused; no error
// message carries a value.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirSecrets, noSecrets } from '../../../controllers/sources/dir-secrets.js';
import type { SwarmkeeperError } from '../../../reconciler/errors.js';

let dir: string;
const VALUE = 'v4lue-never-in-errors';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sk-secrets-'));
  mkdirSync(join(dir, 'prod', 'db'), { recursive: true });
  writeFileSync(join(dir, 'prod', 'db', 'password'), VALUE);
  writeFileSync(join(dir, 'prod', 'db', 'user'), 'app');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(p: Promise<unknown>): Promise<SwarmkeeperError> {
  try {
    await p;
  } catch (e) {
    return e as SwarmkeeperError;
  }
  throw new Error('expected a failure');
}

describe('dirSecrets', () => {
  it('reads DIR/<namespace>/<name>/<key> as bytes, and every key of a Secret', async () => {
    const s = dirSecrets(dir);
    expect((await s.get('prod', 'db', 'password')).toString()).toBe(VALUE);
    const all = await s.getAll!('prod', 'db');
    expect(Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.toString()]))).toEqual({
      password: VALUE,
      user: 'app',
    });
  });

  it.each([
    { what: 'a missing key', args: ['prod', 'db', 'token'], code: 'SK_ERR_DEPENDENCY_NOT_READY' },
    { what: 'a missing Secret', args: ['prod', 'cache', 'password'], code: 'SK_ERR_DEPENDENCY_NOT_READY' },
    { what: 'a ".." name', args: ['prod', '..', 'password'], code: 'SK_ERR_RESOURCE_INVALID' },
    { what: 'a path in a key', args: ['prod', 'db', '../db/password'], code: 'SK_ERR_RESOURCE_INVALID' },
  ])('$what is $code, naming the reference and not the value', async ({ args, code }) => {
    const [ns, name, key] = args as [string, string, string];
    const err = await failure(dirSecrets(dir).get(ns, name, key));
    expect(err.code).toBe(code);
    expect(err.message).not.toContain(VALUE);
    if (code === 'SK_ERR_DEPENDENCY_NOT_READY') {
      expect(err.policy).toBe('waiting');
      expect(err.message).toContain(`${ns}/${name}`);
    }
  });
});

describe('noSecrets', () => {
  it('is a terminal error that says how to configure a Secret store', async () => {
    const err = await failure(noSecrets.get('prod', 'db', 'password'));
    expect(err.policy).toBe('terminal');
    expect(err.message).toContain('prod/db key "password"');
    expect(err.message).toContain('--kube');
    expect(err.message).toContain('--secrets-dir');
  });
});
