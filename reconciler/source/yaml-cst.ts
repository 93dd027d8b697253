import {
  Composer,
  type CST,
  type Document,
  type DocumentOptions,
  LineCounter,
  type ParseOptions,
  Parser,
  type SchemaOptions,
  YAMLParseError,
} from 'yaml';

/**
 * One YAML text read once: the tokens of the `yaml` package's (schema-free) parser and the line
 * starts it saw. A file's text is classified (YAML 1.2, classify.ts), its references read
 * (compose-refs.ts) and, for a compose file, loaded (docker's YAML 1.1 rules, compose/parse.ts);
 * each composes its documents with its own schema from these same tokens, and the depth bound
 * (yaml-guard.ts) walks them, so the text is tokenised once however many of them read it.
 *
 * The last texts read are kept, up to CACHE_CHARS characters of text in all (a larger text is not
 * kept): the tokens take ~56 bytes a character, so at most ~3.5 MB stay held (a controller keeps
 * them between loads). A CLI source of up to 64 KiB of YAML is tokenised once; past that, a text
 * read again after others may be tokenised again, as before. A controller re-reads a file only when
 * its text changed. The tokens are never changed by the composer; the line counter is only read
 * once it is built.
 */
export interface YamlCst {
  tokens: readonly CST.Token[];
  lineCounter: LineCounter;
}

export const CACHE_CHARS = 64 * 1024;

const cache = new Map<string, YamlCst>();
let cachedChars = 0;

/** The tokens and line starts of `text`, read once while the text is among the last ones read. */
export function yamlCst(text: string): YamlCst {
  const known = cache.get(text);
  if (known) {
    cache.delete(text); // most recently used last
    cache.set(text, known);
    return known;
  }
  const lineCounter = new LineCounter();
  const cst: YamlCst = { tokens: [...new Parser(lineCounter.addNewLine).parse(text)], lineCounter };
  if (text.length <= CACHE_CHARS) {
    cache.set(text, cst);
    cachedChars += text.length;
    for (const [old] of cache) {
      if (cachedChars <= CACHE_CHARS) break;
      cache.delete(old);
      cachedChars -= old.length;
    }
  }
  return cst;
}

type ComposeOptions = ParseOptions & DocumentOptions & SchemaOptions;

/** `parseAllDocuments(text, options)` of the `yaml` package (without prettyErrors), from yamlCst. */
export function composeAll(text: string, options: ComposeOptions): Document.Parsed[] {
  return Array.from(new Composer(options).compose(yamlCst(text).tokens));
}

/**
 * `parseDocument(text, options)` of the `yaml` package (without prettyErrors), from yamlCst: the
 * first document, with an error when the text holds more than one.
 */
export function composeOne(text: string, options: ComposeOptions): Document.Parsed {
  let doc: Document.Parsed | undefined;
  for (const next of new Composer(options).compose(yamlCst(text).tokens, true, text.length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(
        new YAMLParseError(
          [next.range[0], next.range[1]],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  return doc!; // compose(…, true) always ends with a document
}
