import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type Document,
  type Node,
  type ScalarTag,
  type Tags,
} from 'yaml';
import { goTimestamp } from './units.js';
import { skError } from '../errors.js';
import { checkDocument, checkTextBounds } from '../source/yaml-guard.js';
import { composeOne, yamlCst } from '../source/yaml-cst.js';
import { formatPath, type LineLookup, type PathSegment } from './problems.js';

export interface ParsedYaml {
  value: unknown;
  lineOf: LineLookup;
  /** Values tagged `!reset` or `!override` (the compose spec's merge tags), by formatted path. */
  tags: Map<string, 'reset' | 'override'>;
}

/** go-yaml v3's booleans: only true/false (yes, no, on, off stay strings). */
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;

/** go-yaml v3's floats have a digit in the mantissa: `e5`, `.`, `-.` and `._5` stay strings. */
const FLOAT = 'tag:yaml.org,2002:float';
const GO_FLOAT = /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/;
const GO_FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$/;

function goFloat(t: ScalarTag): ScalarTag {
  if (t.tag !== FLOAT) return t;
  if (t.format === 'EXP') return { ...t, test: GO_FLOAT_EXP };
  // the plain float (the other one reads .inf and .nan, as go-yaml v3 does)
  return t.test?.test('1.5') ? { ...t, test: GO_FLOAT } : t;
}

/** The scalar types of docker/cli 28's YAML decoder (go-yaml v3 into interface{}). */
function goYamlV3Tags(tags: Tags): Tags {
  // YAML 1.1's tags, as objects: base-60 numbers (format TIME), timestamps and booleans are replaced
  const kept = (tags as ScalarTag[])
    .filter(
      (t) =>
        t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp' && t.tag !== 'tag:yaml.org,2002:bool',
    )
    .map(goFloat);
  const extra: ScalarTag[] = [
    {
      tag: 'tag:yaml.org,2002:bool',
      default: true,
      test: BOOL,
      resolve: (str) => str[0] === 't' || str[0] === 'T',
    },
    {
      // YAML 1.2 octal `0o17`; the 1.1 spelling `017` is still octal too, as in go-yaml v3.
      tag: 'tag:yaml.org,2002:int',
      format: 'OCT',
      default: true,
      test: /^[-+]?0o[0-7_]+$/,
      resolve: (str) => {
        const n = parseInt(str.replace(/[-+_]|0o/g, ''), 8);
        return str.startsWith('-') ? -n : n;
      },
    },
    {
      // A timestamp becomes the text fmt.Sprint gives for Go's time.Time.
      tag: 'tag:yaml.org,2002:timestamp',
      default: true,
      test: /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt ][0-9:.+Z-]+)?$/,
      resolve: (str) => goTimestamp(str) ?? str,
    },
  ];
  return [...kept, ...extra];
}

/**
 * Parses YAML the way docker/cli 28 does (go-yaml v3 into interface{}): `0644` and `0o644` are
 * octal, only true/false are booleans, unquoted timestamps read as Go times; merge keys `<<`, anchors
 * and aliases; `80:80` stays a string (no base-60 integers).
 */
export function parseYaml(file: string, text: string): ParsedYaml {
  checkTextBounds(file, text);
  const { lineCounter } = yamlCst(text); // the tokens checkTextBounds read, composed below
  const doc = composeOne(text, {
    version: '1.1',
    merge: true,
    uniqueKeys: true,
    prettyErrors: false,
    customTags: (tags) => goYamlV3Tags(tags),
  });
  const first = doc.errors[0];
  if (first) {
    const line = lineCounter.linePos(first.pos[0]).line;
    throw skError('YAML_SYNTAX', `${file}:${line}: ${first.message.split('\n')[0]}`);
  }
  checkDocument(file, doc, lineCounter);
  // Mapping keys stay the text written (go-yaml decodes keys into strings: `N:` is "N", not false).
  visit(doc, {
    Pair(_, pair) {
      const k = pair.key;
      // (the merge key `<<` is a symbol: it becomes the string "<<", which toJS still merges)
      if (isScalar(k) && typeof k.value !== 'string') k.value = k.source ?? String(k.value);
    },
  });
  const lines = new Map<string, number>();
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  const tags = new Map<string, 'reset' | 'override'>();
  walk(doc, doc.contents as Node | null, [], { lines, lineAt, tags }, 0);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: -1 }); // bounded by checkDocument
  } catch (e) {
    throw skError('YAML_SYNTAX', `${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { value, lineOf: lookupIn(lines), tags };
}

export function lookupIn(lines: Map<string, number>): LineLookup {
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const line = lines.get(formatPath(path.slice(0, n)));
      if (line !== undefined) return line;
    }
    return undefined;
  };
}

/**
 * `Alias.resolve` searches the whole document each time: an alias met again and again while the
 * line map walks an expanded document (thousands of times for a small alias tree) is resolved once.
 */
const MAX_LINE_PATHS = 10_000;
const walkedAliases = new WeakSet<Node>();

const resolved = new WeakMap<Node, Node | undefined>();
function resolveAlias(doc: Document, alias: Node): Node | undefined {
  if (!resolved.has(alias)) resolved.set(alias, (alias as Alias).resolve(doc) as Node | undefined);
  return resolved.get(alias);
}

interface WalkState {
  lines: Map<string, number>;
  lineAt: (offset: number | undefined) => number | undefined;
  tags: Map<string, 'reset' | 'override'>;
}

function walk(
  doc: Document,
  node: Node | null | undefined,
  path: PathSegment[],
  state: WalkState,
  depth: number,
): void {
  const { lines, lineAt } = state;
  // Lines of an alias-expanded document: the first paths are enough for errors (a lookup falls
  // back to the deepest known prefix), and a large expansion must not cost seconds.
  if (!node || depth > 64 || lines.size >= MAX_LINE_PATHS) return;
  if (isAlias(node)) {
    // An alias met for the first time is walked (its paths point at the anchored lines); met
    // again, its paths fall back to the alias's own line: the walk stays linear in the text.
    if (walkedAliases.has(node)) {
      const line = lineAt(node.range?.[0]);
      if (line !== undefined && !lines.has(formatPath(path))) lines.set(formatPath(path), line);
      return;
    }
    walkedAliases.add(node);
    walk(doc, resolveAlias(doc, node), path, state, depth + 1);
    return;
  }
  const key = formatPath(path);
  if (node.tag === '!reset' || node.tag === '!override')
    state.tags.set(key, node.tag === '!reset' ? 'reset' : 'override');
  if (!lines.has(key)) {
    const line = lineAt(node.range?.[0]);
    if (line !== undefined) lines.set(key, line);
  }
  if (isMap(node)) {
    const merges: Node[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (k === '<<') {
        merges.push(pair.value as Node);
        continue;
      }
      const child = [...path, String(k)];
      const keyLine = lineAt((pair.key as Node | null)?.range?.[0]);
      if (keyLine !== undefined) lines.set(formatPath(child), keyLine);
      walk(doc, pair.value as Node | null, child, state, depth + 1);
    }
    for (const m of merges) {
      const target = isAlias(m) ? resolveAlias(doc, m) : m;
      const sources = isSeq(target) ? target.items : [target];
      for (const s of sources) walkMerged(doc, s as Node, path, state, depth + 1);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walk(doc, item as Node, [...path, i], state, depth + 1));
  }
}

/** Merged keys point at the anchored mapping's lines, unless the mapping sets them itself. */
function walkMerged(
  doc: Document,
  node: Node | undefined,
  path: PathSegment[],
  state: WalkState,
  depth: number,
): void {
  const { lines, lineAt } = state;
  const target = node && isAlias(node) ? resolveAlias(doc, node) : node;
  if (!target || !isMap(target)) return;
  for (const pair of target.items) {
    if (!isPair(pair)) continue;
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    const child = [...path, String(k)];
    if (lines.has(formatPath(child))) continue;
    walk(doc, pair.value as Node | null, child, state, depth + 1);
    const keyLine = lineAt((pair.key as Node | null)?.range?.[0]);
    if (keyLine !== undefined) lines.set(formatPath(child), keyLine);
  }
}
