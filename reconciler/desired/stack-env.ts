import { posix } from 'node:path';
import { parseEnvFile } from '../compose/env-file.js';
import { errorName, skError } from '../errors.js';
import type { FileReader } from '../ports.js';

/** Which variables of a process environment interpolation may read. */
export interface EnvSettings {
  /** The process environment: the CLI user's shell, or the controller's own. */
  vars: Readonly<Record<string, string | undefined>>;
  /**
   * `all`: every variable, for plain compose files (the CLI: docker's behaviour). Otherwise only
   * these names, or prefixes written `APP_*` (the controller's `--allow-env`), for every stack.
   */
  allow: 'all' | readonly string[];
}

const ALLOW_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*\*?$|^\*$/;

/** Checks `--allow-env` values: a variable name, or a prefix ending in `*`. */
export function checkAllowEnv(patterns: readonly string[]): string[] {
  for (const p of patterns)
    if (!ALLOW_PATTERN.test(p))
      throw new Error(
        `--allow-env ${p}: expected a variable name (APP_TOKEN) or a prefix ending in * (APP_*)`,
      );
  return [...patterns];
}

export function envAllowed(name: string, allow: EnvSettings['allow']): boolean {
  if (allow === 'all') return true;
  return allow.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/** The variables of the process environment this stack may read. */
export function allowedProcessEnv(
  settings: EnvSettings | undefined,
  plainCompose: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!settings || (settings.allow === 'all' && !plainCompose)) return out;
  for (const [k, v] of Object.entries(settings.vars))
    if (v !== undefined && envAllowed(k, settings.allow)) out[k] = v;
  return out;
}

/**
 * The `.env` file beside a compose file (docker compose's project .env), read through the
 * source's FileReader; none is no variables.
 */
export function readDotEnv(composeFile: string, files: FileReader): Record<string, string> {
  const path = posix.join(posix.dirname(composeFile), '.env');
  let text: string;
  try {
    text = files.readText(path);
  } catch (e) {
    const message = (e as Error).message;
    if (/ENOENT/.test(message)) return {};
    throw skError('FILE_UNREADABLE', `${path}: cannot read the .env file beside ${composeFile}: ${message}`);
  }
  try {
    return Object.fromEntries(parseEnvFile(text, {}));
  } catch (e) {
    throw skError('COMPOSE_INTERPOLATION', `${path}: ${(e as Error).message}`);
  }
}

/**
 * An env file a stack lists (spec.envFiles): it must exist; `where` names the stack and field in
 * errors. Bare `NAME` lines take no value (there is no environment to take it from).
 */
export function readListedEnvFile(path: string, files: FileReader, where: string): Record<string, string> {
  let text: string;
  try {
    text = files.readText(path);
  } catch (e) {
    throw skError(
      errorName(e) ?? 'FILE_UNREADABLE',
      `${where}: cannot read the env file "${path}": ${(e as Error).message.replace(`${path}: `, '')}`,
    );
  }
  try {
    return Object.fromEntries(parseEnvFile(text, {}));
  } catch (e) {
    throw skError('COMPOSE_INTERPOLATION', `${where}: ${path}: ${(e as Error).message}`);
  }
}
