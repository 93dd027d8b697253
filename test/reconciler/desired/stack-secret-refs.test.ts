// A SwarmStack's spec.secretRefs: the compose secret named by a reference takes its value from
// the resolved Secret (content-hashed name, so a rotated value is a new Swarm secret); every
// mistake is a terminal error naming the field, and the value never appears in a message.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { desiredFor } from '../../../reconciler/desired/desired-for.js';
import type { SwarmkeeperError } from '../../../reconciler/errors.js';
import type { DesiredSecret, DesiredService } from '../../../reconciler/model/objects.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { memFiles } from '../compose/helpers.js';

const VALUE = 's3cr3t-value-never-printed';
const enc = (s: string) => new TextEncoder().encode(s);

function stack(compose: Record<string, unknown>, secretRefs?: unknown[]): DesiredResource {
  const spec: Record<string, unknown> = { compose, ...(secretRefs ? { secretRefs } : {}) };
  return {
    key: 'SwarmStack/team/shop',
    kind: 'SwarmStack',
    namespace: 'team',
    name: 'shop',
    spec,
    origin: { file: 'k8s:SwarmStack/team/shop', source: 'kube' },
    baseDir: '.',
    document: {
      apiVersion: 'swarmkeeper.io/v1alpha1',
      kind: 'SwarmStack',
      metadata: { name: 'shop', namespace: 'team' },
      spec,
    },
  };
}

const app = { image: 'img:1', secrets: ['db'] };
const ref = { name: 'db', secretRef: { name: 'db-creds', key: 'password' } };

function build(res: DesiredResource, secrets?: Record<string, Uint8Array>) {
  return desiredFor(res, {
    instanceId: 'i',
    files: memFiles({}),
    secretHashKey: new TextEncoder().encode('stack-secret-refs-test-key'),
    ...(secrets ? { secrets } : {}),
  });
}

function failure(fn: () => unknown): SwarmkeeperError {
  try {
    fn();
  } catch (e) {
    return e as SwarmkeeperError;
  }
  throw new Error('expected an error');
}

describe('SwarmStack spec.secretRefs', () => {
  it.each([
    ['an empty mapping', {}],
    ['external: false', { external: false }],
    ['only labels', { labels: { tier: 'db' } }],
  ])('a compose secret declared as %s gets the resolved value', (_what, decl) => {
    const d = build(stack({ services: { app }, secrets: { db: decl } }, [ref]), { db: enc(VALUE) });
    const sec = d.desired.objects.find((o): o is DesiredSecret => o.kind === 'secret')!;
    expect(sec.name).toMatch(/^shop_db-[0-9a-f]{10}$/);
    expect(Buffer.from(sec.spec.Data.reveal(), 'base64').toString()).toBe(VALUE);
    const svc = d.desired.objects.find((o): o is DesiredService => o.kind === 'service')!;
    expect(svc.spec.TaskTemplate.ContainerSpec?.Secrets?.[0]?.SecretName).toBe(sec.name);
    // nothing printable carries the value
    expect(JSON.stringify(d)).not.toContain(VALUE);
    expect(inspect(d, { depth: 20 })).not.toContain(VALUE);
  });

  it('a rotated value gives a new content-hashed secret name, and the service follows it', () => {
    const res = stack({ services: { app }, secrets: { db: {} } }, [ref]);
    const names = ['one', 'two'].map((v) => {
      const d = build(res, { db: enc(v) });
      const svc = d.desired.objects.find((o): o is DesiredService => o.kind === 'service')!;
      return svc.spec.TaskTemplate.ContainerSpec?.Secrets?.[0]?.SecretName;
    });
    expect(names[0]).not.toBe(names[1]);
    expect(names.every((n) => /^shop_db-[0-9a-f]{10}$/.test(n ?? ''))).toBe(true);
  });

  it.each([
    [
      'a reference naming no compose secret',
      stack({ services: { app: { image: 'img:1' } }, secrets: { db: { content: 'x' } } }, [
        { name: 'nope', secretRef: { name: 's', key: 'k' } },
      ]),
      { nope: enc(VALUE) },
      'k8s:SwarmStack/team/shop: SwarmStack/team/shop: spec.secretRefs[0].name: "nope" is not a secret of the compose document (its top-level secrets: db)',
    ],
    [
      'a reference while the compose document declares no secrets',
      stack({ services: { app: { image: 'img:1' } } }, [
        { name: 'nope', secretRef: { name: 's', key: 'k' } },
      ]),
      { nope: enc(VALUE) },
      'spec.secretRefs[0].name: "nope" is not a secret of the compose document (it declares no top-level secrets)',
    ],
    [
      'a referenced secret that also has a file',
      stack({ services: { app }, secrets: { db: { file: './db.txt' } } }, [ref]),
      { db: enc(VALUE) },
      'k8s:SwarmStack/team/shop: secrets.db.file: the value comes from a secret reference (spec.secretRefs): remove file',
    ],
    [
      'a referenced secret that is external',
      stack({ services: { app }, secrets: { db: { external: true } } }, [ref]),
      { db: enc(VALUE) },
      'secrets.db.external: the value comes from a secret reference (spec.secretRefs): remove external',
    ],
    [
      'an unreferenced secret without a source',
      stack({ services: { app }, secrets: { db: {} } }),
      undefined,
      'k8s:SwarmStack/team/shop: secrets.db: exactly one of file, content, environment or external: true is required',
    ],
    [
      'a reference whose value was not resolved (no Secret store)',
      stack({ services: { app }, secrets: { db: {} } }, [ref]),
      undefined,
      'spec.secretRefs[0]: the value of Secret team/db-creds key "password" was not resolved',
    ],
  ])('%s is a terminal error naming the field', (_what, res, secrets, message) => {
    const err = failure(() => build(res, secrets));
    expect(err.policy).toBe('terminal');
    expect(err.message).toContain(message);
    expect(err.message).not.toContain(VALUE);
  });

  it('two sources on one compose secret are still refused by the schema', () => {
    const err = failure(() =>
      build(stack({ services: { app }, secrets: { db: { file: 'a', content: 'b' } } })),
    );
    expect(err.message).toContain(
      'secrets.db: exactly one of file, content, environment or external: true is required',
    );
  });
});
