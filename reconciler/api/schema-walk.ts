import type { z } from 'zod';

/** Minimal view of zod 4 definitions, enough to walk from a schema down a path. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  in?: z.ZodType;
}

const defOf = (s: z.ZodType): Def => s._zod.def as unknown as Def;
const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'nonoptional', 'readonly', 'catch']);

function unwrap(s: z.ZodType, input: unknown): z.ZodType {
  const d = defOf(s);
  if (WRAPPERS.has(d.type) && d.innerType) return unwrap(d.innerType, input);
  if (d.type === 'pipe' && d.in) return unwrap(d.in, input);
  if (d.type === 'union') {
    const option = pickOption(d, input);
    if (option) return unwrap(option, input);
  }
  return s;
}

/** The union member an object input belongs to (by discriminator, else the first object member). */
function pickOption(d: Def, input: unknown): z.ZodType | undefined {
  const objects = (d.options ?? []).filter((o) => defOf(o).type === 'object');
  if (d.discriminator && typeof input === 'object' && input !== null) {
    const tag = (input as Record<string, unknown>)[d.discriminator];
    const hit = objects.find((o) => defOf(o).shape?.[d.discriminator!]?.safeParse(tag).success);
    if (hit) return hit;
  }
  return objects[0];
}

/** The field names the object schema at `path` accepts, or undefined when there is no object there. */
export function supportedKeysAt(
  schema: z.ZodType,
  path: readonly PropertyKey[],
  input: unknown,
): string[] | undefined {
  let cur: z.ZodType | undefined = unwrap(schema, input);
  let value = input;
  for (const seg of path) {
    const d = defOf(cur);
    value =
      typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[seg] : undefined;
    const next: z.ZodType | undefined =
      d.type === 'object'
        ? d.shape?.[String(seg)]
        : d.type === 'array'
          ? d.element
          : d.type === 'record'
            ? d.valueType
            : undefined;
    if (!next) return undefined;
    cur = unwrap(next, value);
  }
  const d = defOf(cur);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : undefined;
}
