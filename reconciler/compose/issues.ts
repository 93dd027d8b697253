import type { z } from 'zod';
import { describeValue, type PathSegment, type Problems } from './problems.js';

type Issue = z.core.$ZodIssue;

/** Messages for zod's built-in checks (schemas set their own where they know better). */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined
        ? 'required key is missing'
        : `expected ${article(iss.expected)}, got ${describeValue(iss.input)}`;
    case 'invalid_value':
      return `expected one of: ${iss.values.map((v) => String(v)).join(', ')}, got ${JSON.stringify(iss.input)}`;
    case 'too_small':
      return `must be at least ${String(iss.minimum)}`;
    default:
      return undefined;
  }
};

function article(expected: string): string {
  if (expected === 'object' || expected === 'record') return 'a mapping';
  if (expected === 'array') return 'a list';
  if (expected === 'int' || expected === 'integer') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** The issues of one union branch whose type matched, if exactly one did. */
function isTypeMismatch(iss: Issue): boolean {
  if (iss.path.length > 0) return false;
  if (iss.code === 'invalid_type') return true;
  return iss.code === 'invalid_union' && (iss.errors as Issue[][]).every((b) => b.every(isTypeMismatch));
}

function matchedBranch(errors: Issue[][]): Issue[] | undefined {
  const matched = errors.filter((branch) => !branch.every(isTypeMismatch));
  return matched.length === 1 ? matched[0] : undefined;
}

/** Turns zod issues into `<file>:<line>: <path>: <problem>` problems. */
export function reportIssues(
  issues: readonly Issue[],
  problems: Problems,
  base: readonly PathSegment[] = [],
): void {
  for (const iss of issues) {
    const path = [...base, ...(iss.path as PathSegment[])];
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys)
        problems.add('COMPOSE_INVALID', [...path, key], `unknown key "${key}"; ${iss.message}`);
    } else if (iss.code === 'invalid_union') {
      const branch = matchedBranch(iss.errors as Issue[][]);
      if (branch) reportIssues(branch, problems, path);
      else problems.add('COMPOSE_INVALID', path, iss.message);
    } else {
      problems.add('COMPOSE_INVALID', path, iss.message);
    }
  }
}
