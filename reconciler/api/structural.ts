/**
 * Converts the JSON Schema zod emits (target openapi-3.0, io input) into a Kubernetes STRUCTURAL
 * OpenAPI v3 schema: every node has a type (or x-kubernetes-preserve-unknown-fields), no $ref,
 * no anyOf/oneOf/allOf, no `properties` next to `additionalProperties`, no const or propertyNames.
 * Unions of objects merge into one object (required = what every alternative requires);
 * unions of enums merge into one enum. Anything else throws, so a schema change that cannot be
 * expressed is caught by the CRD tests instead of by the API server.
 */
export type JsonSchema = { [key: string]: unknown };

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
const CEL = 'x-kubernetes-validations';
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Keys copied as they are (besides the ones handled below). */
const KEEP = new Set([
  'description',
  'default',
  'enum',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'uniqueItems',
  'nullable',
  CEL,
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-int-or-string',
]);
/** Keys dropped: JSON Schema bookkeeping and things the structural rules forbid. */
const DROP = new Set(['$schema', '$id', 'id', 'title', 'propertyNames', 'examples']);

const isObj = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

export function toStructural(node: JsonSchema, path = '#'): JsonSchema {
  if (node.$ref !== undefined || node.$defs !== undefined || node.definitions !== undefined)
    throw new Error(`${path}: $ref/$defs are not structural; generate with reused: 'inline'`);
  if (node.allOf !== undefined || node.not !== undefined)
    throw new Error(`${path}: allOf/not cannot be made structural`);
  const alternatives = node.anyOf ?? node.oneOf;
  if (Array.isArray(alternatives)) return mergeUnion(node, alternatives as JsonSchema[], path);
  if (node[PRESERVE] === true) return order(keepMeta(node, { type: 'object', [PRESERVE]: true }));

  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROP.has(k) || k === 'type' || k === 'properties' || k === 'required' || k === 'items') continue;
    if (k === 'additionalProperties' || k === 'const') continue;
    if (!KEEP.has(k)) throw new Error(`${path}: unsupported JSON Schema keyword "${k}"`);
    out[k] = v;
  }
  if (node.const !== undefined) out.enum = [node.const];
  const type = node.type ?? (out.enum ? typeOfValue((out.enum as unknown[])[0]) : undefined);
  if (typeof type !== 'string') throw new Error(`${path}: node has no type`);
  out.type = type;

  if (type === 'integer') {
    if (out.minimum === -MAX_SAFE) delete out.minimum;
    if (out.maximum === MAX_SAFE) delete out.maximum;
  }
  // zod emits its own date-time regex next to the format; the format is what the API server checks.
  if (out.format === 'date-time') delete out.pattern;
  if (type === 'array') {
    if (!isObj(node.items)) throw new Error(`${path}: array without items`);
    out.items = toStructural(node.items, `${path}/items`);
  }
  if (type === 'object') objectParts(node, out, path);
  return order(out);
}

function objectParts(node: JsonSchema, out: JsonSchema, path: string): void {
  const props = isObj(node.properties) ? node.properties : {};
  const names = Object.keys(props);
  if (names.length > 0) {
    out.properties = Object.fromEntries(
      names.map((n) => [n, toStructural(props[n] as JsonSchema, `${path}/properties/${n}`)]),
    );
    if (Array.isArray(node.required) && node.required.length > 0) out.required = node.required;
    return;
  }
  const ap = node.additionalProperties;
  if (isObj(ap) && Object.keys(ap).length > 0)
    out.additionalProperties = toStructural(ap, `${path}/additionalProperties`);
  else if (ap !== false)
    throw new Error(`${path}: object accepts anything; mark it x-kubernetes-preserve-unknown-fields`);
}

function mergeUnion(node: JsonSchema, alternatives: JsonSchema[], path: string): JsonSchema {
  const nonNull = alternatives.filter((a) => a.type !== 'null');
  const nullable = nonNull.length < alternatives.length || node.nullable === true;
  const parts = nonNull.map((a, i) => toStructural(a, `${path}/anyOf/${i}`));
  const types = new Set(parts.map((p) => p.type));
  if (types.size !== 1) throw new Error(`${path}: union of different types (${[...types].join(', ')})`);
  let merged: JsonSchema;
  if (parts.length === 1) merged = { ...parts[0] };
  else if (parts.every((p) => Array.isArray(p.enum)))
    merged = { type: parts[0]!.type, enum: [...new Set(parts.flatMap((p) => p.enum as unknown[]))] };
  else if (parts[0]!.type === 'object') merged = mergeObjects(parts, path);
  else if (parts[0]!.type === 'array')
    merged = {
      type: 'array',
      items: mergeUnion(
        {},
        parts.map((p) => p.items as JsonSchema),
        `${path}/items`,
      ),
    };
  else merged = commonKeys(parts);
  if (nullable) merged.nullable = true;
  return order(keepMeta(node, merged));
}

function mergeObjects(parts: JsonSchema[], path: string): JsonSchema {
  const props: Record<string, JsonSchema[]> = {};
  for (const p of parts)
    for (const [k, v] of Object.entries((p.properties ?? {}) as Record<string, JsonSchema>))
      (props[k] ??= []).push(v);
  const required = Object.keys(props).filter((k) =>
    parts.every((p) => Array.isArray(p.required) && p.required.includes(k)),
  );
  const properties = Object.fromEntries(
    Object.entries(props).map(([k, vs]) => {
      const m = vs.length === 1 ? { ...vs[0]! } : mergeUnion({}, vs, `${path}/${k}`);
      // A default of one alternative must not be applied to the others (defaults the alternatives
      // disagree on are already gone: a merged union keeps only what all of them share).
      if (vs.length < parts.length) delete m.default;
      return [k, m];
    }),
  );
  const rules = [
    ...discriminatorRules(parts, properties),
    ...parts.flatMap((p) => (p[CEL] as unknown[] | undefined) ?? []),
  ];
  return {
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
    ...(rules.length ? { [CEL]: rules } : {}),
  };
}

/** Same-type scalars: keep the constraints all alternatives share (the first description). */
function commonKeys(parts: JsonSchema[]): JsonSchema {
  const out: JsonSchema = { ...parts[0] };
  for (const k of Object.keys(out))
    if (k !== 'description' && parts.some((p) => JSON.stringify(p[k]) !== JSON.stringify(out[k])))
      delete out[k];
  return out;
}

/**
 * For a discriminated union (a required property with one enum value per alternative), CEL rules
 * keep what merging loses: per discriminator value, the required fields and the fields not allowed.
 */
function discriminatorRules(
  parts: JsonSchema[],
  merged: Record<string, JsonSchema>,
): { rule: string; message: string }[] {
  const props = (p: JsonSchema) => (p.properties ?? {}) as Record<string, JsonSchema>;
  const single = (p: JsonSchema, k: string) => {
    const e = props(p)[k]?.enum;
    return Array.isArray(e) && e.length === 1 && Array.isArray(p.required) && p.required.includes(k);
  };
  const disc = Object.keys(merged).find((k) => parts.every((p) => single(p, k)));
  if (disc === undefined) return [];
  return parts.map((p) => {
    const value = String((props(p)[disc]!.enum as unknown[])[0]);
    const own = Object.keys(props(p));
    const required = (p.required as string[]).filter((k) => k !== disc);
    const forbidden = Object.keys(merged).filter((k) => !own.includes(k));
    const checks = [...required.map((k) => `has(self.${k})`), ...forbidden.map((k) => `!has(self.${k})`)];
    const message =
      `${disc} ${value}` +
      (required.length ? ` requires ${required.join(', ')}` : '') +
      (forbidden.length ? `${required.length ? ' and' : ''} does not allow ${forbidden.join(', ')}` : '');
    return { rule: `self.${disc} != '${value}' || (${checks.join(' && ') || 'true'})`, message };
  });
}

function keepMeta(from: JsonSchema, into: JsonSchema): JsonSchema {
  for (const k of ['description', 'default', CEL])
    if (from[k] !== undefined && into[k] === undefined) into[k] = from[k];
  return into;
}

function typeOfValue(v: unknown): string | undefined {
  if (typeof v === 'string' || typeof v === 'boolean') return typeof v;
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return undefined;
}

const FIRST = ['description', 'type'];
/** Stable key order: description and type first, the rest as emitted. */
function order(s: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const k of FIRST) if (s[k] !== undefined) out[k] = s[k];
  return Object.assign(out, s); // keys already set keep their place
}
