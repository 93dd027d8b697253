// Properties of the loader over generated hostile YAML: whatever the text or bytes (random
// nesting, anchors and aliases, merge keys, odd keys and scalars, invalid bytes, bombs), the loader
// (decodeText, classifyFile, loadCompose) throws nothing but a coded SwarmkeeperError naming the
// file, and returns within a generous deadline per document (the bounds hold, not a timing test).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadCompose } from '../../../reconciler/compose/load.js';
import { isSwarmkeeperError, type SwarmkeeperError } from '../../../reconciler/errors.js';
import { classifyFile } from '../../../reconciler/source/classify.js';
import { decodeText } from '../../../reconciler/source/decode.js';
import { propertyRuns } from '../../support/property-runs.js';

const FILE = 'stack/docker-compose.yml';
const OPTS = { baseDir: 'stack', rootName: 'root' };
const DEADLINE_MS = 5_000;

const oddKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '<<',
    '',
    ' ',
    'services',
  ),
  fc.constantFrom(
    'image',
    'environment',
    'x-a',
    'networks',
    'configs',
    'deploy',
    'name',
    '0',
    '1e3',
    'yes',
    '~',
  ),
  fc.string({ maxLength: 6 }),
);
const oddScalar = fc.oneof(
  fc.constantFrom(
    '~',
    'null',
    '.nan',
    '-.inf',
    '1e400',
    '0x1F',
    '0o17',
    '0777',
    '2024-01-31',
    'yes',
    'NO',
    '80:80',
  ),
  fc.constantFrom(
    "'",
    '"',
    '\\',
    '\u0000',
    '\uFEFF',
    '\u2028',
    '${X}',
    '${X:?boom}',
    '$$',
    '*a',
    '&a',
    '!!binary',
    '#',
  ),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    oddScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(oddKey, tie('value'), { maxKeys: 4 }),
  ),
}));

/** A fragment spliced into a document: anchors, aliases, merge keys, tags, flow and block noise. */
const fragment = fc.constantFrom(
  '&a ',
  '*a',
  '*b',
  '<<: *a\n',
  '<<: [*a, *b]\n',
  '<<: 1\n',
  '&b [*a, *a, *a]',
  '!!str ',
  '!!map ',
  '!custom ',
  '? [x]\n: y\n',
  '[',
  ']',
  '{',
  '}',
  '- ',
  ': ',
  '\n  ',
  '\t',
  '---\n',
  '...\n',
  '|\n  text\n',
  '%YAML 1.1\n',
  '"\\x00"',
);

const spliced = fc
  .tuple(value, fc.array(fc.tuple(fc.nat(), fragment), { maxLength: 6 }))
  .map(([v, edits]) => {
    let text = stringify({ services: { app: v }, 'x-v': v });
    for (const [at, f] of edits) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + f + text.slice(i);
    }
    return text;
  });

const raw = fc.string({
  unit: fc.constantFrom(...'ab:-[]{}&*<>!|\'",# \n\t?%~@`0'.split('')),
  maxLength: 200,
});

const bomb = fc
  .record({
    levels: fc.integer({ min: 1, max: 14 }),
    width: fc.integer({ min: 1, max: 12 }),
    deep: fc.nat(4000),
  })
  .map(({ levels, width, deep }) => {
    let out = 'x0: &l0 [lol]\n';
    for (let i = 1; i <= levels; i++)
      out += `x${i}: &l${i} [${Array.from({ length: width }, () => `*l${i - 1}`).join(',')}]\n`;
    return `${out}services: {}\nd: ${'['.repeat(deep)}${']'.repeat(deep)}\n`;
  });

function expectCoded(e: unknown): void {
  expect(isSwarmkeeperError(e), String(e)).toBe(true);
  const err = e as SwarmkeeperError;
  expect(err.code).not.toBe('SK_ERR_INTERNAL');
  for (const line of err.message.split('\n')) expect(line.startsWith(FILE), line).toBe(true);
}

function loadAll(text: string): void {
  const started = Date.now();
  const c = classifyFile(FILE, text, OPTS);
  for (const e of c.errors) expectCoded(e);
  for (const r of c.resources) if (r.loadError) expectCoded(r.loadError);
  expect(() => JSON.stringify(c.resources)).not.toThrow(); // the store compares snapshots so
  try {
    loadCompose({ file: FILE, text }, { env: {} });
  } catch (e) {
    expectCoded(e);
  }
  expect(Date.now() - started).toBeLessThan(DEADLINE_MS);
}

describe('loader properties', () => {
  it('generated documents with aliases, merge keys and odd keys/scalars: only coded errors naming the file', () => {
    fc.assert(fc.property(spliced, loadAll), propertyRuns(300));
  }, 120_000);

  it('random YAML-ish text: only coded errors naming the file', () => {
    fc.assert(fc.property(raw, loadAll), propertyRuns(400));
  }, 120_000);

  it('alias bombs and deep nesting of any size fail fast, with a coded error', () => {
    fc.assert(fc.property(bomb, loadAll), propertyRuns(40));
  }, 120_000);

  it('random bytes: decoded strictly or refused with a coded error naming the file', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        let text: string;
        try {
          text = decodeText(FILE, bytes);
        } catch (e) {
          expectCoded(e);
          return;
        }
        loadAll(text);
      }),
      propertyRuns(300),
    );
  });

  it('decodeText agrees with a strict UTF-8 decoder on every input without a byte order mark', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), (bytes) => {
        fc.pre(!(bytes[0] === 0xff || bytes[0] === 0xfe || bytes[0] === 0 || bytes[0] === 0xef));
        let strict: string | undefined;
        try {
          strict = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          strict = undefined;
        }
        if (strict === undefined) expect(() => decodeText(FILE, bytes)).toThrow(/not valid UTF-8/);
        else expect(decodeText(FILE, bytes)).toBe(strict);
      }),
      propertyRuns(500),
    );
  });
});
