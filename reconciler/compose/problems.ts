import { AggregateSwarmkeeperError, skError, type ErrorName, type SwarmkeeperError } from '../errors.js';

export type PathSegment = string | number;

/** `services.web.ports[0].target` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Finds the source line of a YAML path (the deepest known prefix). */
export type LineLookup = (path: readonly PathSegment[]) => number | undefined;

/** Where a value is written: its file, and its line there when known. */
export interface Location {
  file: string;
  line?: number | undefined;
}

/**
 * Where the values of a file that came from another file are written (services resolved by
 * `extends`); undefined for the file's own values.
 */
export type Origins = (path: readonly PathSegment[]) => Location | undefined;

/** Collects every problem of one compose file, then throws them together. */
export class Problems {
  readonly #errors: SwarmkeeperError[] = [];
  readonly #seen = new Set<string>();
  /** Values substituted from the env map: they may be secret, so errors never print them. */
  readonly #sensitive = new Set<string>();

  /** Where a path is (file and line): several compose files are merged into one tree. */
  #locate: (path: readonly PathSegment[]) => { file: string; line?: number | undefined };

  constructor(
    readonly file: string,
    readonly lineOf: LineLookup,
  ) {
    this.#locate = (path) => ({ file, line: lineOf(path) });
  }

  /** Later problems name the file and line `locate` gives for their path. */
  locateWith(locate: (path: readonly PathSegment[]) => { file: string; line?: number | undefined }): void {
    this.#locate = locate;
  }

  /** Marks an interpolated value; it is replaced by [redacted] in every later message. */
  redact(value: string): void {
    if (value.length >= 4) this.#sensitive.add(value);
  }

  /** Things that do not stop the load (e.g. an unset variable), formatted like errors. */
  readonly warnings: string[] = [];

  /** `<file>:<line>: <path>: <problem>` with interpolated values redacted. */
  format(path: readonly PathSegment[], problem: string): string {
    for (const v of this.#sensitive) problem = problem.split(v).join('[redacted]');
    const { file, line } = this.#locate(path);
    const where = line === undefined ? file : `${file}:${line}`;
    return path.length === 0 ? `${where}: ${problem}` : `${where}: ${formatPath(path)}: ${problem}`;
  }

  warn(path: readonly PathSegment[], problem: string): void {
    const message = this.format(path, problem);
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  add(code: ErrorName, path: readonly PathSegment[], problem: string): void {
    const message = this.format(path, problem);
    if (this.#seen.has(message)) return;
    this.#seen.add(message);
    this.#errors.push(skError(code, message));
  }

  get size(): number {
    return this.#errors.length;
  }

  throwIfAny(): void {
    if (this.#errors.length > 0) throw new AggregateSwarmkeeperError([...this.#errors]);
  }
}

/** Short description of a value for error messages (never its content: it may be secret). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}
