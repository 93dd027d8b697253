import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import { skError } from '../errors.js';
import { yamlCst } from './yaml-cst.js';

/**
 * Bounds on parsing an untrusted YAML file, checked before anything is built from it: the size of
 * the text, the nesting depth (before the recursive composer runs, so 3,000-deep nesting is a
 * precise error, not a stack overflow), and the size of the document once its aliases are
 * expanded (a billion-laughs document is refused before toJS builds it). Undefined aliases,
 * merge keys whose value is not a mapping, recursive aliases and `__proto__` keys are precise
 * errors with the line.
 */
export interface YamlBounds {
  /** Characters in one file (raised with --max-file-size). */
  maxChars: number;
  /** Nesting of collections, aliases expanded. */
  maxDepth: number;
  /** Nodes of one document once its aliases are expanded. */
  maxNodes: number;
}

export const YAML_BOUNDS: YamlBounds = {
  maxChars: 4 * 1024 * 1024,
  maxDepth: 100,
  maxNodes: 250_000,
};

/** Sets the bounds process-wide (the CLI's --max-file-size raises maxChars with it). */
export function setYamlBounds(next: Partial<YamlBounds>): void {
  Object.assign(YAML_BOUNDS, next);
}

type CstToken = { type: string; offset?: number; [k: string]: unknown };

/** Size and nesting depth of the raw text, from the (iterative) CST parser. */
export function checkTextBounds(file: string, text: string): void {
  if (text.length > YAML_BOUNDS.maxChars)
    throw skError(
      'YAML_LIMIT',
      `${file}: ${text.length} characters, more than the ${YAML_BOUNDS.maxChars} a YAML file may have`,
    );
  const stack: { t: unknown; depth: number }[] = [];
  const { tokens, lineCounter } = yamlCst(text);
  for (const tok of tokens) stack.push({ t: tok, depth: 0 });
  while (stack.length > 0) {
    const { t, depth } = stack.pop()!;
    if (!t || typeof t !== 'object') continue;
    const tok = t as CstToken;
    let d = depth;
    if (tok.type === 'block-map' || tok.type === 'block-seq' || tok.type === 'flow-collection') {
      d = depth + 1;
      if (d > YAML_BOUNDS.maxDepth) {
        const line = lineCounter.linePos(tok.offset ?? 0).line;
        throw skError('YAML_LIMIT', `${file}:${line}: nested more than ${YAML_BOUNDS.maxDepth} levels deep`);
      }
    }
    if (tok.type === 'document') stack.push({ t: tok['value'], depth: d });
    const items = tok['items'];
    if (Array.isArray(items))
      for (const it of items as { key?: unknown; value?: unknown }[]) {
        stack.push({ t: it.key, depth: d });
        stack.push({ t: it.value, depth: d });
      }
  }
}

/** Undefined or recursive aliases, bad merge keys, `__proto__`, and the expanded size and depth. */
export function checkDocument(file: string, doc: Document, lineCounter: LineCounter): void {
  const lineOf = (n: { range?: [number, number, number] | null } | null | undefined): string => {
    const at = n?.range?.[0];
    return at === undefined ? '' : `:${lineCounter.linePos(at).line}`;
  };
  const memo = new Map<Node, { size: number; depth: number }>();
  const active = new Set<Node>();
  const measure = (node: unknown, level: number, path: string): { size: number; depth: number } => {
    if (!node || typeof node !== 'object') return { size: 1, depth: 0 };
    const n = node as Node;
    if (isAlias(n)) {
      const target = n.resolve(doc) as Node | undefined;
      if (!target)
        throw skError(
          'YAML_SYNTAX',
          `${file}${lineOf(n)}: ${path || '(top level)'}: undefined alias "*${n.source}" (no anchor &${n.source} before it)`,
        );
      if (active.has(target))
        throw skError(
          'YAML_SYNTAX',
          `${file}${lineOf(n)}: ${path || '(top level)'}: alias "*${n.source}" refers to a node that contains it (a recursive document)`,
        );
      const m = measure(target, level, path);
      if (m.size > YAML_BOUNDS.maxNodes) throw expanded(n);
      return m;
    }
    const known = memo.get(n);
    if (known) {
      if (level + known.depth > YAML_BOUNDS.maxDepth) throw tooDeep(n);
      return known;
    }
    if (!isMap(n) && !isSeq(n)) return { size: 1, depth: 0 };
    if (level + 1 > YAML_BOUNDS.maxDepth) throw tooDeep(n);
    active.add(n);
    let size = 1;
    let depth = 0;
    for (const item of n.items) {
      let child: unknown = item;
      let childPath = path;
      if (isPair(item)) {
        const raw = isScalar(item.key) ? item.key.value : undefined;
        // a merge key is the symbol yaml uses for `<<` (or the string, depending on the schema)
        const k = typeof raw === 'symbol' ? String(raw.description) : raw;
        if (k === '__proto__')
          throw skError(
            'COMPOSE_INVALID',
            `${file}${lineOf(item.key as Node)}: ${path ? `${path}.` : ''}__proto__: the key "__proto__" is not supported (it would be lost); rename it`,
          );
        childPath = `${path ? `${path}.` : ''}${String(k ?? '?')}`;
        if (k === '<<') checkMerge(item.value, childPath);
        child = item.value;
        if (item.key && typeof item.key === 'object' && !isScalar(item.key)) {
          const km = measure(item.key, level + 1, childPath);
          size += km.size;
        }
      } else if (isSeq(n)) childPath = `${path}[${n.items.indexOf(item)}]`;
      const m = measure(child, level + 1, childPath);
      size += m.size;
      depth = Math.max(depth, m.depth);
      if (size > YAML_BOUNDS.maxNodes) throw expanded(n);
    }
    active.delete(n);
    const out = { size, depth: depth + 1 };
    memo.set(n, out);
    return out;
  };
  const checkMerge = (value: unknown, path: string): void => {
    const target = isAlias(value) ? (value.resolve(doc) as Node | undefined) : (value as Node | null);
    const ok = (x: unknown): boolean => {
      const t = isAlias(x) ? (x.resolve(doc) as Node | undefined) : x;
      return isMap(t) || (isAlias(x) && t === undefined);
    };
    if (isMap(target) || (isAlias(value) && target === undefined)) return;
    if (isSeq(target) && target.items.every(ok)) return;
    throw skError(
      'YAML_SYNTAX',
      `${file}${lineOf(value as Node)}: ${path}: a merge key (<<) takes a mapping, an alias of one, or a list of them`,
    );
  };
  const tooDeep = (n: Node) =>
    skError(
      'YAML_LIMIT',
      `${file}${lineOf(n)}: nested more than ${YAML_BOUNDS.maxDepth} levels deep once aliases are expanded`,
    );
  const expanded = (n: Node) =>
    skError(
      'YAML_LIMIT',
      `${file}${lineOf(n)}: more than ${YAML_BOUNDS.maxNodes} nodes once aliases are expanded (an alias bomb?)`,
    );
  measure(doc.contents, 0, '');
}
