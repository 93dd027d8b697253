/**
 * The hostile-input corpus: each case is a bad stack folder `bad/` written beside a valid sibling
 * stack `good/` in a fresh source root. Runners (`test/hostile/*.test.ts` in process, and the
 * integration runners through `apply` and a running controller with a dir and a git source) assert
 * the exact error for `bad/`, that nothing of `bad` is written, and that `good` still converges.
 * Cases live in `test/hostile/cases/<class>.ts`, each exporting `cases: HostileCase[]`.
 */
export type FileSpec =
  | string
  | { bytes: number[] }
  /** A symbolic link; the target is written as given (absolute, or relative to the link's folder). */
  | { symlink: string }
  | { fifo: true }
  | { dir: true }
  /** A large generated file: `repeat` copies of `chunk`. */
  | { repeat: number; chunk: string };

export type HostileExpectation =
  /** The stack is refused with this error code and a message that contains or matches `message`. */
  | { code: string; message: string | RegExp }
  /** The stack is accepted (e.g. a key docker ignores), optionally with these warnings. */
  | { ok: true; warnings?: (string | RegExp)[] };

export interface HostileCase {
  /** Unique across the corpus, kebab-case. */
  name: string;
  /** symlink, special-file, size, yaml, encoding, names, references, durations, bounds, interpolation, policy, … */
  class: string;
  /** Files of the bad stack, relative to its folder `bad/` (the stack is named `bad` unless it sets `name:`). */
  files: Record<string, FileSpec>;
  expect: HostileExpectation;
  /** Environment of the process under test (to prove it never reaches a service). */
  env?: Record<string, string>;
  /** Extra source options for the controller's dir/git source, e.g. `name=…` (comma-separated). */
  sourceOptions?: string;
  /**
   * A stack policy file (YAML) the runner writes outside the source and passes as `policy=FILE` on
   * the controller's source and `--policy FILE` to validate/plan/apply; denials name that file.
   */
  policy?: string;
  /** `run --allow-env` values: the only variables of `env` a running controller lets stacks read. */
  allowEnv?: string[];
  /** Only meaningful for some runners (e.g. a FIFO cannot be committed to git). */
  skip?: ('validate' | 'plan' | 'apply' | 'dir' | 'git')[];
}
