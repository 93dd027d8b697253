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

/** A value that is not of the type (or of any of the union's types) expected where it is. */
function isWrongType(iss: Issue): boolean {
  if (iss.code === 'invalid_type') return true;
  return iss.code === 'invalid_union' && (iss.errors as Issue[][]).every((b) => b.every(isTypeMismatch));
}

/** A union branch's issue that only says the value is not of the branch's type. */
const isTypeMismatch = (iss: Issue): boolean => iss.path.length === 0 && isWrongType(iss);

/** The issues of one union branch whose type matched, if exactly one did. */

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

/**
 * The issues about a value's shape alone: a value of the wrong type, an unknown key, a value that is
 * none of a union's types. A missing key or a rule across fields is left to the merged project: one
 * compose file of several may be partial.
 */
export function shapeIssues(issues: readonly Issue[]): Issue[] {
  return issues.filter(
    (iss) => iss.code === 'unrecognized_keys' || (iss.input !== undefined && isWrongType(iss)),
  );
}
