import { z } from 'zod';
import { GO_DURATION_RULE, goDurationOverflows } from '../validate/go-duration.js';
import { parseDuration } from '../units/duration.js';
import { parseByteSize } from '../units/size.js';
import { goScalarString, parseCPUs, shellSplit } from './units.js';
import { describeValue } from './problems.js';

/** A strict mapping: unknown keys are rejected, and the error lists the supported ones. */
export function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const supported = Object.keys(shape).sort().join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `supported keys: ${supported}` : undefined),
  });
}

/** A union's message; a missing required key says so instead. */
export function expected(message: string): (iss: { input?: unknown }) => string {
  return (iss) => (iss.input === undefined ? 'required key is missing' : message);
}

function fail(ctx: z.core.$RefinementCtx, input: unknown, message: string): never {
  ctx.issues.push({ code: 'custom', message, input });
  return z.NEVER as never;
}

/** A string; numbers are accepted and converted (YAML `user: 1000`). */
export const text = z
  .union([z.string(), z.number()], {
    error: (iss) =>
      iss.input === undefined
        ? 'required key is missing'
        : typeof iss.input === 'boolean'
          ? 'expected a string, got a boolean (quote it)'
          : 'expected a string',
  })
  .transform((v) => String(v));

/** An integer; an interpolated numeric string is accepted. */
export const int = z
  .union([z.number(), z.string()], { error: expected('expected an integer') })
  .transform((v, ctx) => {
    // strconv.Atoi, as docker casts an interpolated value: a sign, digits, nothing around them
    const n = typeof v === 'number' ? v : /^[-+]?\d+$/.test(v) ? Number(v) : NaN;
    return Number.isInteger(n) ? n : fail(ctx, v, `expected an integer, got ${JSON.stringify(v)}`);
  });

export const uint = int.refine((n) => n >= 0, { message: 'expected a non-negative integer' });

export const num = z
  .union([z.number(), z.string()], { error: expected('expected a number') })
  .transform((v, ctx) => {
    const n = typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v);
    return Number.isFinite(n) ? n : fail(ctx, v, `expected a number, got ${JSON.stringify(v)}`);
  });

export const bool = z
  .union([z.boolean(), z.string()], { error: expected('expected a boolean (true or false)') })
  .transform((v, ctx) => {
    if (typeof v === 'boolean') return v;
    // docker's toBoolean for an interpolated value: these words in any case, nothing around them
    const s = v.toLowerCase();
    if (['true', 'yes', 'on', 'y'].includes(s)) return true;
    if (['false', 'no', 'off', 'n'].includes(s)) return false;
    return fail(ctx, v, `expected a boolean (true or false), got ${JSON.stringify(v)}`);
  });

/** A Go duration (`1m30s`, `10s`, `500ms`) -> nanoseconds. */
export const duration = z
  .string({ error: expected('expected a duration string such as 10s, 1m30s or 500ms') })
  .transform((v, ctx) => {
    const ns = parseDuration(v);
    if (ns === undefined)
      return fail(ctx, v, `invalid duration ${JSON.stringify(v)}; expected e.g. 10s, 1m30s, 500ms`);
    if (goDurationOverflows(v))
      return fail(ctx, v, `duration ${JSON.stringify(v)} is out of range: ${GO_DURATION_RULE}`);
    return ns;
  });

/** A byte size (`512M`, `1g`, `100k`, or a number of bytes) -> bytes. */
export const bytes = z
  .union([z.string(), z.number()], { error: expected('expected a byte size such as 512M, 1g or 100k') })
  .transform((v, ctx) => {
    const b = parseByteSize(v);
    if (b === undefined && /^\s*-/.test(String(v)))
      return fail(
        ctx,
        v,
        `invalid byte size ${JSON.stringify(v)}: a size cannot be negative (go-units RAMInBytes: "invalid size")`,
      );
    if (b === undefined)
      return fail(ctx, v, `invalid byte size ${JSON.stringify(v)}; expected e.g. 512M, 1g, 100k`);
    if (b > Number.MAX_SAFE_INTEGER)
      return fail(
        ctx,
        v,
        `byte size ${JSON.stringify(v)} is out of range: Docker keeps sizes as int64 bytes (go-units RAMInBytes); at most 8 PiB is accepted here`,
      );
    return b;
  });

/** CPUs (`0.5`) -> NanoCPUs. */
export const cpus = z
  .union([z.string(), z.number()], { error: expected('expected a number of CPUs such as 0.5') })
  .transform((v, ctx) => {
    const n = parseCPUs(v);
    return n === undefined
      ? fail(ctx, v, `invalid cpus ${JSON.stringify(v)}; expected a decimal such as 0.5`)
      : n;
  });

/** A string or a list of strings -> list. */
export const stringOrList = z
  .union([text, z.array(text)], { error: expected('expected a string or a list of strings') })
  .transform((v) => (Array.isArray(v) ? v : [v]));

export const stringList = z.array(text, { error: expected('expected a list of strings') });

/** A command: a list, or a string split into words like docker/cli does. */
export const command = z
  .union([z.string(), z.array(text)], { error: expected('expected a string or a list of strings') })
  .transform((v, ctx) => {
    if (Array.isArray(v)) return v;
    try {
      return shellSplit(v);
    } catch (e) {
      return fail(ctx, v, `cannot split command string: ${(e as Error).message}`);
    }
  });

/** A value of a KEY=VALUE mapping: nested lists and mappings are named, not a bare "Invalid input". */
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: (iss) => `expected a string, a number, a boolean or null, got ${describeValue(iss.input)}`,
});

/**
 * A list of `KEY=VALUE` strings, or a mapping. `keepNull`: a value-less entry stays null
 * (environment); otherwise it becomes "" (labels).
 */
export function listOrDict(keepNull: boolean) {
  return z
    .union([z.array(text), z.record(z.string(), scalar)], {
      error: 'expected a list of "KEY=VALUE" strings or a mapping',
    })
    .transform((v) => {
      const out: Record<string, string | null> = {};
      if (Array.isArray(v)) {
        for (const item of v) {
          const eq = item.indexOf('=');
          if (eq < 0) out[item] = keepNull ? null : '';
          else out[item.slice(0, eq)] = item.slice(eq + 1);
        }
      } else {
        for (const [k, val] of Object.entries(v))
          out[k] = val === null ? (keepNull ? null : '') : goScalarString(val);
      }
      return out;
    });
}

export const stringMap = listOrDict(false).transform((m) => m as Record<string, string>);

/** A mapping of string options (`driver_opts`, `logging.options`). */
export const optionsMap = z
  .record(z.string(), scalar, { error: expected('expected a mapping of option names to values') })
  .transform((m) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v === null ? '' : goScalarString(v)])),
  );

export const external = z
  .union([bool, strict({ name: text })], { error: expected('expected true, false or {name: ...}') })
  .transform((v) => (typeof v === 'boolean' ? { external: v } : { external: true, name: v.name }));

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expected(`expected one of: ${values.join(', ')}`) });
}
