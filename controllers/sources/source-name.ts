/** What sourceName reads of a SourceSpec (source-spec.ts); structural, so that this module imports nothing. */
export type NamedSource = { type: 'dir'; name?: string; path: string } | { type: 'git'; name: string };

/**
 * The name a source's resources carry in their origin. Its own module: the stack settings of the
 * CLI's validate/plan/apply need it without the source implementations (git, prom-client).
 */
export function sourceName(s: NamedSource): string {
  return s.type === 'git' ? s.name : (s.name ?? `dir:${s.path}`);
}
