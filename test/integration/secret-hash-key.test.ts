// Secret names carry a keyed hash (HMAC-SHA256 with the instance's key), not sha256(value): the
// CLI's `apply` creates the instance's key once (a Swarm config) and every later run of the instance
// reuses it, so names are stable; another instance gets other names; `--secret-hash-key-file`
// gives the operator's own key.
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKeyConfigName } from '../../controllers/docker/secret-hash-key.js';
import { cleanupSwarm, engine, uniq } from './helpers/controller-swarm.js';
import { assertBuilt, show, swarmkeeper } from './helpers/run.js';

const VALUE = 'correct horse battery staple';
const a = uniq('skhka');
const b = uniq('skhkb');
const c = uniq('skhkc');
const dir = mkdtempSync(join(tmpdir(), 'sk-hashkey-'));
const STACK = uniq('hk');
/** One stack per instance (stack objects of one name cannot have two owners). */
const stackOf = (instance: string) => `${STACK}${[a, b, c].indexOf(instance)}`;
const suffix = (name: string | undefined) => name?.slice(-10);
const sha10 = createHash('sha256').update(VALUE).digest('hex').slice(0, 10);

async function secretNames(instance: string): Promise<string[]> {
  const list = await engine().listSecrets({ filters: { label: [`swarmkeeper.io/instance=${instance}`] } });
  return list.map((s) => s.Spec!.Name!).sort();
}

async function apply(instance: string, extra: string[] = []): Promise<void> {
  const r = await swarmkeeper({ instanceId: instance }, [
    ...extra,
    'apply',
    '-f',
    join(dir, stackOf(instance)),
  ]);
  expect(r.code, show(r)).toBe(0);
}

describe('secret names: a keyed hash per instance', () => {
  beforeAll(() => {
    assertBuilt();
    for (const i of [a, b, c]) {
      mkdirSync(join(dir, stackOf(i)));
      writeFileSync(
        join(dir, stackOf(i), 'docker-compose.yml'),
        `services:\n  app:\n    image: local/busybox:1\n    command: ["sleep", "100000"]\n    secrets: [db]\n    deploy:\n      replicas: 0\n      endpoint_mode: dnsrr\nsecrets:\n  db:\n    content: "${VALUE}"\n`,
      );
    }
  });

  afterAll(async () => {
    for (const i of [a, b, c]) {
      await cleanupSwarm(i);
      for (const s of await engine().listSecrets({ filters: { label: [`swarmkeeper.io/instance=${i}`] } }))
        await engine()
          .getSecret(s.ID)
          .remove()
          .catch(() => undefined);
      await engine()
        .getConfig(hashKeyConfigName(i))
        .remove()
        .catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('apply creates the instance key once; the name is <base>-<10 hex>, not sha256(value)', async () => {
    await apply(a);
    const names = await secretNames(a);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(new RegExp(`^${stackOf(a)}_db-[0-9a-f]{10}$`));
    expect(names[0]).not.toBe(`${stackOf(a)}_db-${sha10}`);
    const key = await engine().getConfig(hashKeyConfigName(a)).inspect();
    expect(key.Spec?.Labels).toEqual({ 'swarmkeeper.io/secret-hash-key-of': a });
    // and it is the HMAC under the key kept in that config
    const k = Buffer.from(Buffer.from(key.Spec!.Data!, 'base64').toString('utf8'), 'hex');
    const hmac = createHmac('sha256', k).update(VALUE).digest('hex').slice(0, 10);
    expect(names[0]).toBe(`${stackOf(a)}_db-${hmac}`);
  });

  it('a second apply of the same instance keeps the name (the key is reused)', async () => {
    const before = await secretNames(a);
    await apply(a);
    expect(await secretNames(a)).toEqual(before);
  });

  it('another instance names the same value differently', async () => {
    await apply(b);
    const [na] = await secretNames(a);
    const [nb] = await secretNames(b);
    expect(nb).toMatch(new RegExp(`^${stackOf(b)}_db-[0-9a-f]{10}$`));
    expect(suffix(nb)).not.toBe(suffix(na));
  });

  it('--secret-hash-key-file: the operator key', async () => {
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, 'an operator key of enough length\n');
    await apply(c, ['--secret-hash-key-file', keyFile]);
    const hmac = createHmac('sha256', 'an operator key of enough length')
      .update(VALUE)
      .digest('hex')
      .slice(0, 10);
    expect(await secretNames(c)).toEqual([`${stackOf(c)}_db-${hmac}`]);
    // no Swarm config is made for an instance that brings its own key
    await expect(engine().getConfig(hashKeyConfigName(c)).inspect()).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});
