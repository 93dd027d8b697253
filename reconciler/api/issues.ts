import type { z } from 'zod';

/**
 * Turns zod issues into one-line problems: `<path>: <problem>`, naming what is supported.
 * Values are echoed only for enums and numbers (never strings that might be secret).
 */
type Issue = z.core.$ZodIssue;
type Segment = PropertyKey;

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(root: string, path: readonly Segment[]): string {
  return path.reduce<string>((acc, seg) => {
    if (typeof seg === 'number') return `${acc}[${seg}]`;
    const key = String(seg);
    return IDENT.test(key) ? `${acc}.${key}` : `${acc}[${JSON.stringify(key)}]`;
  }, root);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const quoteList = (vs: readonly unknown[]) => vs.map((v) => JSON.stringify(v)).join(', ');
const EXPECTED: Record<string, string> = { int: 'integer', record: 'object', map: 'object' };
const CREDENTIAL = /pass(word)?|passwd|secret$|token|key$/i;

function sizeProblem(issue: Issue & { code: 'too_small' | 'too_big' }): string {
  const small = issue.code === 'too_small';
  const bound = Number(
    small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum,
  );
  const op = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  if (issue.origin === 'string') {
    if (small && bound === 1) return 'must not be empty';
    return `must be ${small ? 'at least' : 'at most'} ${bound} characters`;
  }
  if (issue.origin === 'array') return `must have ${small ? 'at least' : 'at most'} ${bound} items`;
  return `must be ${op} ${bound} (got ${String(issue.input)})`;
}

function problem(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required field is missing';
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${kindOf(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])} (got ${JSON.stringify(issue.input)})`
        : `must be one of ${quoteList(issue.values)} (got ${JSON.stringify(issue.input)})`;
    case 'invalid_union': {
      const u = issue as { options?: unknown[]; discriminator?: string; input?: unknown };
      if (u.options) {
        const tag = u.discriminator && typeof u.input === 'object' && u.input !== null;
        const got = tag ? (u.input as Record<string, unknown>)[u.discriminator!] : u.input;
        if (got === undefined) return `required field is missing (one of ${quoteList(u.options)})`;
        return `must be one of ${quoteList(u.options)} (got ${JSON.stringify(got)})`;
      }
      return 'does not match any allowed form';
    }
    case 'too_small':
    case 'too_big':
      return sizeProblem(issue);
    case 'invalid_format':
      if (issue.format === 'regex') return issue.message;
      if (issue.format === 'datetime') return 'must be an RFC 3339 date-time (e.g. 2024-01-02T03:04:05Z)';
      return `must be a valid ${issue.format}`;
    case 'invalid_key':
      return `invalid key: ${issue.issues.map(problem).join('; ')}`;
    default:
      return issue.message;
  }
}

/** `path: problem` lines for one issue (an unknown-keys issue gives one line per key). */
export function issueLines(
  root: string,
  issue: Issue,
  supportedKeys: (path: readonly Segment[]) => readonly string[] | undefined,
): string[] {
  if (issue.code === 'unrecognized_keys') {
    const supported = supportedKeys(issue.path);
    return issue.keys.map((key) => {
      const hint = CREDENTIAL.test(key)
        ? '; credentials are read from Kubernetes Secrets (a *SecretRef field)'
        : '';
      const list = supported ? ` (supported: ${[...supported].sort().join(', ')})` : '';
      return `${formatPath(root, [...issue.path, key])}: unknown field${list}${hint}`;
    });
  }
  return [`${formatPath(root, issue.path)}: ${problem(issue)}`];
}
