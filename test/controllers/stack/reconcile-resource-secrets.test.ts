import { describe, expect, it } from 'vitest';
import type { SecretResolver } from '../../../controllers/ports.js';
import { reconcileResource } from '../../../controllers/stack/reconcile-resource.js';
import { resolveSecretRefs } from '../../../controllers/stack/secret-refs.js';
import { skError } from '../../../reconciler/errors.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { stackRes, svc, world } from './reconcile-world.js';

// spec.secretRefs: the values of compose secrets come from the resolver, by the resource's
// namespace, the Secret's name and key. Errors name the resource's file, the field and the Secret;
// the value never shows in logs or status.

const VALUE = 'hunter2-do-not-log';

const withRefs = (refs: { name: string; secretRef: { name: string; key: string } }[]) => {
  const res = stackRes(
    { web: svc('web:1', { secrets: ['db', 'api'] }) },
    { specExtra: { secretRefs: refs } },
  );
  (res.spec['compose'] as Record<string, unknown>)['secrets'] = { db: {}, api: {} };
  return res;
};
const REFS = [
  { name: 'db', secretRef: { name: 'db-creds', key: 'password' } },
  { name: 'api', secretRef: { name: 'api-creds', key: 'token' } },
];

function resolver(values: Record<string, string | Error>): SecretResolver & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    get: async (namespace, name, key) => {
      calls.push(`${namespace}/${name}/${key}`);
      const v = values[`${name}/${key}`];
      if (v instanceof Error) throw v;
      if (v === undefined) throw skError('RESOURCE_INVALID', `secret ${name} has no key ${key}`);
      return Buffer.from(v);
    },
  };
}

describe('reconcileResource: secretRefs', () => {
  it('reads each value by namespace, Secret and key; the values never reach logs or status', async () => {
    const w = world();
    const secrets = resolver({ 'db-creds/password': VALUE, 'api-creds/token': 'tok' });
    const r = await reconcileResource(withRefs(REFS), { mode: 'apply' }, { ...w.deps, secrets });
    expect(r.error).toBeUndefined();
    expect(secrets.calls).toStrictEqual(['default/db-creds/password', 'default/api-creds/token']);
    expect(r.desiredNames.filter((n) => n.startsWith('app_db-') || n.startsWith('app_api-'))).toHaveLength(2);
    const seen = JSON.stringify([w.lines, r.status, r.outcome]);
    expect(seen).not.toContain(VALUE);
    expect(seen).not.toContain(Buffer.from(VALUE).toString('base64'));
  });

  it('another value is another secret name (the name hashes the value)', async () => {
    const names = async (v: string) => {
      const w = world();
      const secrets = resolver({ 'db-creds/password': v, 'api-creds/token': 'tok' });
      return (await reconcileResource(withRefs(REFS), { mode: 'plan' }, { ...w.deps, secrets })).desiredNames;
    };
    const [a, b] = [await names('one'), await names('two')];
    expect(a.find((n) => n.startsWith('app_db-'))).not.toBe(b.find((n) => n.startsWith('app_db-')));
    expect(a.find((n) => n.startsWith('app_api-'))).toBe(b.find((n) => n.startsWith('app_api-')));
  });

  it('without a resolver: a terminal error naming the file, the field and the Secret', async () => {
    const w = world();
    const r = await reconcileResource(withRefs(REFS), { mode: 'apply' }, w.deps);
    expect(r.error).toMatchObject({
      code: 'SK_ERR_RESOURCE_INVALID',
      policy: 'terminal',
      message: expect.stringMatching(
        /^app\.yaml: spec\.secretRefs\[0\]: secret reference default\/db-creds key "password": no Secret store is configured/,
      ),
    });
    // nothing was computed: no names, no plan, no services, no drift
    expect(r.desiredNames).toStrictEqual([]);
    expect(r.warnings).toStrictEqual([]);
    expect(r.services).toStrictEqual([]);
    expect(r.drift).toBe(false);
    expect(r).not.toHaveProperty('plan');
    expect(r.outcome).toStrictEqual({ applied: false, services: [], progressing: [], error: r.error });
    expect(w.observes).toStrictEqual([]);
    expect(getReady(r.status)).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
  });

  it('a waiting error keeps its code and requeue delay, with the index of the failing ref', async () => {
    const w = world();
    const secrets = resolver({
      'db-creds/password': VALUE,
      'api-creds/token': skError('DEPENDENCY_NOT_READY', 'Secret default/api-creds not found', {
        requeueAfterMs: 5000,
      }),
    });
    const r = await reconcileResource(withRefs(REFS), { mode: 'apply' }, { ...w.deps, secrets });
    expect(r.error).toMatchObject({
      code: 'SK_ERR_DEPENDENCY_NOT_READY',
      policy: 'waiting',
      requeueAfterMs: 5000,
      message: 'app.yaml: spec.secretRefs[1]: Secret default/api-creds not found',
    });
    expect(w.lines.map((l) => l.msg)).toStrictEqual(['reconcile waiting']);
    expect(w.lines[0]).toMatchObject({
      level: 30,
      code: 'SK_ERR_DEPENDENCY_NOT_READY',
      reason: 'app.yaml: spec.secretRefs[1]: Secret default/api-creds not found',
    });
    expect(JSON.stringify(w.lines)).not.toContain(VALUE);
  });

  it('an error without a delay has none', async () => {
    const secrets = resolver({});
    await expect(resolveSecretRefs(withRefs(REFS), secrets)).rejects.toMatchObject({
      requeueAfterMs: undefined,
      message: 'app.yaml: spec.secretRefs[0]: secret db-creds has no key password',
    });
  });
});

describe('resolveSecretRefs', () => {
  const net: DesiredResource = {
    ...stackRes({}),
    key: 'SwarmNetwork/default/n',
    kind: 'SwarmNetwork',
    spec: { secretRefs: REFS },
  };
  it.each([
    ['another kind', net],
    ['no secretRefs', stackRes({ web: svc('web:1') })],
    ['an empty list', stackRes({ web: svc('web:1') }, { specExtra: { secretRefs: [] } })],
    ['not a list', stackRes({ web: svc('web:1') }, { specExtra: { secretRefs: 'db' } })],
  ])('%s: nothing is resolved', async (_, res) => {
    const secrets = resolver({ 'db-creds/password': VALUE });
    expect(await resolveSecretRefs(res, secrets)).toBeUndefined();
    expect(secrets.calls).toStrictEqual([]);
  });

  it('the values by compose secret name', async () => {
    const out = await resolveSecretRefs(
      withRefs(REFS),
      resolver({ 'db-creds/password': 'a', 'api-creds/token': 'b' }),
    );
    expect(out).toStrictEqual({
      db: new Uint8Array(Buffer.from('a')),
      api: new Uint8Array(Buffer.from('b')),
    });
  });
});

function getReady(s: { conditions: { type: string }[] }) {
  return s.conditions.find((c) => c.type === 'Ready');
}
