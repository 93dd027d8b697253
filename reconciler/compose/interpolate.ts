import { X_SWARMKEEPER } from './hooks.js';
import type { PathSegment, Problems } from './problems.js';

/** Mappings whose keys are user data, never extension fields. */
const DATA_MAPS = new Set([
  'labels',
  'environment',
  'sysctls',
  'driver_opts',
  'options',
  'extra_hosts',
  'aux_addresses',
]);
/** Mappings whose keys are object names (services, networks, ...). */
const NAME_MAPS = new Set(['services', 'networks', 'volumes', 'configs', 'secrets']);

const TEMPLATE = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([^}]*)\}|)/g;
const BRACED = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?)([-?])([\s\S]*))?$/;

export class InterpolationError extends Error {}

/**
 * Substitutes `${VAR}`, `$VAR`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`,
 * `${VAR?err}` and `$$` from an explicit environment (compose semantics: unset -> "").
 */
export function interpolateString(
  text: string,
  env: Readonly<Record<string, string>>,
  used: (value: string) => void = () => {},
  unset: (name: string) => void = () => {},
): string {
  return text.replace(
    TEMPLATE,
    (whole, escaped: string | undefined, named: string | undefined, braced: string | undefined) => {
      if (escaped) return '$';
      if (named) return use(lookup(named));
      if (braced === undefined)
        throw new InterpolationError(
          `invalid interpolation format in "${text}": a "$" must start a variable or be escaped as "$$"`,
        );
      const m = BRACED.exec(braced);
      if (!m)
        throw new InterpolationError(
          `invalid interpolation format in "${text}": "${whole}" is not a valid variable`,
        );
      const [, name, colon, op, arg] = m as unknown as [
        string,
        string,
        string | undefined,
        string | undefined,
        string | undefined,
      ];
      const value = env[name];
      const missing = value === undefined || (colon === ':' && value === '');
      if (op === undefined) return use(lookup(name));
      if (op === '-') return missing ? (arg ?? '') : use(value as string);
      if (missing) throw new InterpolationError(`required variable ${name} is missing a value: ${arg ?? ''}`);
      return use(value as string);
    },
  );
  function use(v: string): string {
    used(v);
    return v;
  }
  function lookup(name: string): string {
    const v = env[name];
    if (v === undefined) unset(name);
    return v ?? '';
  }
}

const NUL_RULE =
  'contains a NUL byte; Docker cannot pass it on (Linux takes arguments, environment and paths as C strings: Go\'s syscall.ByteSliceFromString fails with "invalid argument")';

/**
 * Drops `x-*` extension fields and interpolates every string value, collecting errors. A variable
 * that is not set becomes "" with a warning naming it (docker's behaviour); a NUL byte in any key or
 * value is an error.
 */
export function prepareTree(
  value: unknown,
  env: Readonly<Record<string, string>>,
  problems: Problems,
  path: PathSegment[] = [],
): unknown {
  if (typeof value === 'string') {
    try {
      const unset: string[] = [];
      const out = interpolateString(
        value,
        env,
        (v) => problems.redact(v),
        (name) => unset.push(name),
      );
      for (const name of new Set(unset))
        problems.warn(path, `variable ${name} is not set; substituting an empty string (as docker does)`);
      if (out.includes('\0')) problems.add('COMPOSE_INVALID', path, NUL_RULE);
      return out;
    } catch (e) {
      if (!(e instanceof InterpolationError)) throw e;
      problems.add('COMPOSE_INTERPOLATION', path, e.message);
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => prepareTree(v, env, problems, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const parentKey = path[path.length - 1];
    const isData = typeof parentKey === 'string' && DATA_MAPS.has(parentKey) && path.length > 1;
    const isNames = path.length === 1 && typeof parentKey === 'string' && NAME_MAPS.has(parentKey);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      // `x-swarmkeeper` on a service is read by swarmkeeper (deploy hooks); other `x-*` are dropped
      const ours = k === X_SWARMKEEPER && path.length === 2 && path[0] === 'services';
      if (!isData && !isNames && !ours && k.startsWith('x-')) continue;
      if (k.includes('\0')) {
        problems.add('COMPOSE_INVALID', path, `the key ${JSON.stringify(k)} ${NUL_RULE}`);
        continue;
      }
      out[k] = prepareTree(v, env, problems, [...path, k]);
    }
    return out;
  }
  return value;
}
