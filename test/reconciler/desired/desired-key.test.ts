import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DesiredInputs,
  desiredKey,
  inputsKey,
  keyedDigest,
  recordingReader,
} from '../../../reconciler/desired/desired-key.js';
import { skError } from '../../../reconciler/errors.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import { propertyRuns } from '../../support/property-runs.js';

const digest = keyedDigest(new TextEncoder().encode('desired-key-test'));
type Tree = Record<string, Uint8Array>;

/** Reads `paths` in order from `tree` through a recording reader (a missing file is a miss); the key. */
function keyOf(tree: Tree, paths: readonly string[], base = 'base'): string {
  const rec = recordingReader((p) => {
    const b = tree[p];
    if (b === undefined)
      throw skError('FILE_UNREADABLE', `${p}: no such file, or a dangling symbolic link (ENOENT)`);
    return b;
  }, digest);
  for (const p of paths)
    try {
      rec.files.readBytes(p);
    } catch {
      // a miss: recorded, and the computation goes on (as a missing .env does)
    }
  return desiredKey(base, rec.reads, digest);
}

const PATHS = ['stack/compose.yml', 'stack/.env', 'stack/app.env', 'stack/config.txt', 'stack/secret.txt'];
const tree = fc.dictionary(fc.constantFrom(...PATHS), fc.uint8Array({ maxLength: 64 }));
const withRead = tree.chain((t) =>
  fc.record({
    t: fc.constant(t),
    reads: fc.array(fc.constantFrom(...PATHS), { minLength: 1, maxLength: 6 }),
  }),
);

describe('the desired-state cache key of the files read', () => {
  it('same bytes, same key (a copy of the tree, read in the same order)', () => {
    fc.assert(
      fc.property(withRead, ({ t, reads }) => {
        const copy = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Uint8Array.from(v)]));
        expect(keyOf(copy, reads)).toBe(keyOf(t, reads));
      }),
      propertyRuns(200),
    );
  });

  it('any byte change in any file read changes the key (a byte changed, added or removed)', () => {
    const change = fc.record({ at: fc.nat(), byte: fc.integer({ min: 1, max: 255 }), how: fc.nat(2) });
    fc.assert(
      fc.property(withRead, change, ({ t, reads }, c) => {
        const path = reads[c.at % reads.length] as string;
        const old = t[path];
        fc.pre(old !== undefined);
        let next: Uint8Array;
        if (c.how === 0 && old.length > 0) {
          next = Uint8Array.from(old);
          const i = c.at % old.length;
          next[i] = (old[i]! + c.byte) % 256;
        } else if (c.how === 1 || old.length === 0) next = Uint8Array.from([...old, c.byte]);
        else next = old.subarray(0, old.length - 1);
        expect(keyOf({ ...t, [path]: next }, reads)).not.toBe(keyOf(t, reads));
      }),
      propertyRuns(300),
    );
  });

  it('a miss is recorded: a file read that did not exist and now does (even empty) changes the key', () => {
    fc.assert(
      fc.property(withRead, fc.uint8Array({ maxLength: 8 }), fc.nat(), ({ t, reads }, bytes, at) => {
        const path = reads[at % reads.length] as string;
        const without = { ...t };
        delete without[path];
        expect(keyOf({ ...without, [path]: bytes }, reads)).not.toBe(keyOf(without, reads));
      }),
      propertyRuns(200),
    );
  });

  it('a file that is not read does not change the key; the inputs key does', () => {
    const t = { 'stack/compose.yml': new Uint8Array([1]), 'stack/other.txt': new Uint8Array([2]) };
    const reads = ['stack/compose.yml'];
    expect(keyOf({ ...t, 'stack/other.txt': new Uint8Array([3]) }, reads)).toBe(keyOf(t, reads));
    expect(keyOf(t, reads, 'other base')).not.toBe(keyOf(t, reads));
  });

  it('text reads are recorded by their bytes (a BOM is a change), then decoded', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
    const plain = new Uint8Array([0x41]);
    const rec = (b: Uint8Array) => {
      const r = recordingReader(() => b, digest);
      return { text: r.files.readText('f'), key: desiredKey('b', r.reads, digest) };
    };
    expect(rec(bom).text).toBe(rec(plain).text);
    expect(rec(bom).key).not.toBe(rec(plain).key);
  });

  it('the digests are keyed: another key gives other digests of the same bytes', () => {
    const other = keyedDigest(new TextEncoder().encode('another process'));
    expect(other('x')).not.toBe(digest('x'));
    expect(digest('x')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the inputs key (everything but the files)', () => {
  const res: DesiredResource = {
    key: 'SwarmStack/default/app',
    kind: 'SwarmStack',
    namespace: 'default',
    name: 'app',
    spec: { composeFile: 'compose.yml', env: { A: '1' } },
    origin: { file: 'app/stack.yaml', source: 'dir:x', revision: 'sha256:1' },
    baseDir: 'app',
  };
  const base: DesiredInputs = {
    resource: res,
    instanceId: 'i1',
    secretHashKey: new Uint8Array([1, 2, 3]),
    processEnv: { APP_TAG: '1' },
    limits: { services: 100 },
    policy: { rules: { privileged: 'allow' }, from: 'default' },
    secrets: { db: new Uint8Array([9]) },
  };
  const key = (i: DesiredInputs) => inputsKey(i, digest);
  const spec = (s: Record<string, unknown>) => ({ ...base, resource: { ...res, spec: s } });

  it.each<[string, DesiredInputs]>([
    ['the spec', spec({ composeFile: 'compose.yml', env: { A: '2' } })],
    ['the compose text of a plain compose file', { ...base, resource: { ...res, text: 'services: {}\n' } }],
    ['the file it came from', { ...base, resource: { ...res, origin: { ...res.origin, file: 'b.yaml' } } }],
    ['the base directory', { ...base, resource: { ...res, baseDir: 'other' } }],
    ['the instance', { ...base, instanceId: 'i2' }],
    ['the secret-name key', { ...base, secretHashKey: new Uint8Array([1, 2, 4]) }],
    ['an allowed process variable', { ...base, processEnv: { APP_TAG: '2' } }],
    ['a new allowed process variable', { ...base, processEnv: { APP_TAG: '1', APP_DB: 'x' } }],
    ['the limits', { ...base, limits: { services: 99 } }],
    ['the stack policy', { ...base, policy: { rules: { privileged: 'deny' }, from: 'default' } }],
    ['the bind root', { ...base, bindRoot: '/srv' }],
    ['a secretRefs value', { ...base, secrets: { db: new Uint8Array([8]) } }],
  ])('%s changes it', (_what, changed) => {
    expect(key(changed)).not.toBe(key(base));
  });

  it.each<[string, DesiredInputs]>([
    [
      'the source revision (any other file of the source changed)',
      { ...base, resource: { ...res, origin: { ...res.origin, revision: 'sha256:2' } } },
    ],
    ['a copy of every input', structuredClone(base)],
    ['a copy of the secret values', { ...base, secrets: { db: new Uint8Array([9]) } }],
  ])('%s does not change it', (_what, same) => {
    expect(key(same)).toBe(key(base));
  });

  it('holds no secret value in clear', () => {
    expect(key(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});
