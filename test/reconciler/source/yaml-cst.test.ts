import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { type Document, Parser, parseAllDocuments, parseDocument } from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CACHE_CHARS, composeAll, composeOne, yamlCst } from '../../../reconciler/source/yaml-cst.js';

afterEach(() => vi.restoreAllMocks());

const TEXTS = [
  'a: 1\nb: [x, y]\n',
  'a: &x {k: 1}\nb: *x\nc: {<<: *x, d: 010}\n',
  'a: 1\n---\nb: 2\n',
  '',
  '# a comment only\n',
  'a: [1\n',
  'a: 1\na: 2\n',
  'x: !reset []\ny: 2020-01-01\nz: 1_0\n',
  '%YAML 1.1\n---\na: yes\n',
];

/** What a caller reads of a document: its value (or what toJS throws), errors and warnings. */
function view(d: Document.Parsed): { value: unknown; errors: unknown[]; warnings: unknown[] } {
  let value: unknown;
  try {
    value = d.errors.length > 0 ? undefined : d.toJS({ maxAliasCount: -1 });
  } catch (e) {
    value = `throws ${String(e)}`;
  }
  return {
    value,
    errors: d.errors.map((e) => [e.code, e.pos]),
    warnings: d.warnings.map((e) => [e.code, e.pos]),
  };
}

describe('yamlCst: one tokenisation of a text, composed by each schema', () => {
  it.each(TEXTS.flatMap((t) => [[t, {}] as const, [t, { version: '1.1', merge: true } as const]]))(
    '%j %j: the documents parseAllDocuments and parseDocument give',
    (text, options) => {
      const opts = { ...options, prettyErrors: false };
      expect(composeAll(text, opts).map(view)).toEqual([...parseAllDocuments(text, opts)].map(view));
      expect(view(composeOne(text, opts))).toEqual(view(parseDocument(text, opts)));
    },
  );

  it('any text: the same documents as the yaml package reads', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            'a',
            ':',
            ' ',
            '\n',
            '-',
            '[',
            ']',
            '&',
            '*',
            '#',
            '1',
            '{',
            '}',
            ',',
            '!',
            '"',
            "'",
            '<<',
            '---',
            '%YAML 1.1\n',
            '|',
            '?',
          ),
        }),
        (text) => {
          const opts = { prettyErrors: false };
          expect(composeAll(text, opts).map(view)).toEqual([...parseAllDocuments(text, opts)].map(view));
          expect(view(composeOne(text, opts))).toEqual(view(parseDocument(text, opts)));
        },
      ),
    );
  });

  it('a text read again is not tokenised again; one larger than the cache is', () => {
    const parse = vi.spyOn(Parser.prototype, 'parse');
    const small = `a: ${randomBytes(8).toString('hex')}\n`;
    const large = `a: "${'x'.repeat(CACHE_CHARS)}"\n`;
    expect(yamlCst(small)).toBe(yamlCst(small));
    expect(parse).toHaveBeenCalledTimes(1);
    yamlCst(large);
    yamlCst(large);
    expect(parse).toHaveBeenCalledTimes(3);
  });

  it('the oldest texts leave once the cache holds more than CACHE_CHARS characters', () => {
    const parse = vi.spyOn(Parser.prototype, 'parse');
    const texts = Array.from({ length: 3 }, (_, i) => `${i}: "${'y'.repeat(CACHE_CHARS / 2 - 10)}"\n`);
    for (const t of texts) yamlCst(t);
    yamlCst(texts[2]!);
    yamlCst(texts[1]!);
    expect(parse).toHaveBeenCalledTimes(3);
    yamlCst(texts[0]!); // evicted by the third
    expect(parse).toHaveBeenCalledTimes(4);
  });

  it('the line counter knows the lines of the text', () => {
    const { lineCounter } = yamlCst(`a: 1\nb: 2\nc: ${randomBytes(4).toString('hex')}\n`);
    expect(lineCounter.linePos(10)).toEqual({ line: 3, col: 1 });
  });
});
