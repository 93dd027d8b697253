import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DesiredCache, deepFreeze } from '../../../controllers/stack/desired-cache.js';
import { desiredFor } from '../../../reconciler/desired/desired-for.js';
import type { StackContext } from '../../../reconciler/desired/stack.js';
import { skError } from '../../../reconciler/errors.js';
import type { DesiredSecret, DesiredService } from '../../../reconciler/model/objects.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { memFiles } from '../../reconciler/compose/helpers.js';

// The inputs besides the files that key an entry (process variables by the kind of resource,
// secretRefs values), a resource that failed to load, forgetting a key, and the freezing of what
// the cache hands out.

const COMPOSE =
  'services:\n  web:\n    image: local/busybox:1\n    environment: { MODE: "${APP_MODE:-none}" }\n';
const FILES = { 'app/compose.yml': COMPOSE };
const source = { root: '/srv', files: () => memFiles(FILES) };
const ctx: Omit<StackContext, 'files'> = {
  instanceId: 'i1',
  secretHashKey: new TextEncoder().encode('desired-cache-inputs-test-key'),
};
const base = {
  kind: 'SwarmStack',
  namespace: 'default',
  origin: { file: 'app/stack.yaml', source: 'dir:t' },
  baseDir: 'app',
} as const;
/** A SwarmStack file: with `allow: 'all'` (the CLI) it reads no process variable. */
const stackFile: DesiredResource = {
  ...base,
  key: 'SwarmStack/default/app',
  name: 'app',
  spec: { composeFile: 'compose.yml' },
};
/** A plain compose file: with `allow: 'all'` it reads the whole shell, as docker does. */
const plain: DesiredResource = {
  ...base,
  key: 'SwarmStack/default/plain',
  name: 'plain',
  spec: { stackName: 'plain', composeFile: 'compose.yml' },
  origin: { file: 'app/compose.yml', source: 'dir:t' },
  fromComposeFile: true,
  text: COMPOSE,
};
const shell = (mode: string): StackContext['env'] => ({ vars: { APP_MODE: mode }, allow: 'all' });
const modeOf = (d: ReturnType<typeof desiredFor>) =>
  (d.desired.objects.find((o) => o.kind === 'service') as DesiredService).spec.TaskTemplate.ContainerSpec.Env;

describe('DesiredCache: the process variables of the CLI shell key only the plain compose files', () => {
  it.each<[string, DesiredResource, 'hit' | 'miss', string[]]>([
    ['a SwarmStack file reads none of them: a hit', stackFile, 'hit', ['MODE=none']],
    ['a plain compose file reads them: a miss with the new value', plain, 'miss', ['MODE=green']],
  ])('%s', (_, res, expected, env) => {
    const cache = new DesiredCache();
    cache.desiredFor(res, { ...ctx, env: shell('blue') }, source);
    const after = cache.desiredFor(res, { ...ctx, env: shell('green') }, source);
    expect(cache.stats()).toStrictEqual(
      expected === 'hit' ? { hits: 1, misses: 1, entries: 1 } : { hits: 0, misses: 2, entries: 1 },
    );
    expect(modeOf(after)).toStrictEqual(env);
  });
});

describe('DesiredCache: other inputs and operations', () => {
  it('a rotated secretRefs value is a miss: the new value gives a new secret', () => {
    const res: DesiredResource = {
      ...stackFile,
      spec: {
        compose: { services: { web: { image: 'local/busybox:1', secrets: ['db'] } }, secrets: { db: {} } },
        secretRefs: [{ name: 'db', secretRef: { name: 'db-creds', key: 'password' } }],
      },
    };
    const cache = new DesiredCache();
    const secretOf = (v: string) => {
      const d = cache.desiredFor(res, { ...ctx, secrets: { db: new TextEncoder().encode(v) } }, source);
      return d.desired.objects.find((o): o is DesiredSecret => o.kind === 'secret')?.name;
    };
    const [one, two, again] = [secretOf('one'), secretOf('two'), secretOf('two')];
    expect(one).not.toBe(two);
    expect(again).toBe(two);
    expect(cache.stats()).toStrictEqual({ hits: 1, misses: 2, entries: 1 });
  });

  it('a resource that failed to load throws its load error, and nothing is computed or kept', () => {
    const loadError = skError('RESOURCE_INVALID', 'app/stack.yaml: bad YAML at line 3');
    const cache = new DesiredCache();
    const res: DesiredResource = { ...stackFile, loadError };
    for (let i = 0; i < 2; i++) expect(() => cache.desiredFor(res, ctx, source)).toThrow(loadError);
    expect(cache.stats()).toStrictEqual({ hits: 0, misses: 0, entries: 0 });
  });

  it('delete forgets a resource: its next lookup computes again', () => {
    const cache = new DesiredCache();
    cache.desiredFor(stackFile, ctx, source);
    cache.delete(stackFile.key);
    expect(cache.stats()).toStrictEqual({ hits: 0, misses: 1, entries: 0 });
    cache.desiredFor(stackFile, ctx, source);
    expect(cache.stats()).toStrictEqual({ hits: 0, misses: 2, entries: 1 });
  });

  it('a hit leaves the stack trace limit as it was (errors keep their stacks)', () => {
    const cache = new DesiredCache();
    const saved = Error.stackTraceLimit;
    Error.stackTraceLimit = 17;
    try {
      cache.desiredFor(stackFile, ctx, source);
      cache.desiredFor(stackFile, ctx, source);
      expect(cache.stats().hits).toBe(1);
      expect(Error.stackTraceLimit).toBe(17);
    } finally {
      Error.stackTraceLimit = saved;
    }
  });
});

describe('deepFreeze', () => {
  it('freezes every object and array it holds, and returns it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const frozen = deepFreeze(structuredClone(v));
        expect(frozen).toStrictEqual(v);
        const all = (x: unknown): boolean =>
          x === null || typeof x !== 'object' || (Object.isFrozen(x) && Object.values(x).every(all));
        expect(all(frozen)).toBe(true);
      }),
    );
  });

  it('keeps typed arrays as they are (they cannot be frozen), frozen around them', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const v = deepFreeze({ data: bytes, list: [{ n: 1 }] });
    expect(v.data).toBe(bytes);
    expect(Object.isFrozen(bytes)).toBe(false);
    expect(Object.isFrozen(v) && Object.isFrozen(v.list) && Object.isFrozen(v.list[0])).toBe(true);
  });
});
