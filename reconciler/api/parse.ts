import type { z } from 'zod';
import { skError } from '../errors.js';
import { API_VERSION, KIND_NAMES, type KindName, swarmName } from './common.js';
import { issueLines } from './issues.js';
import { isKindName, KINDS } from './kinds.js';
import { envelopeSchema, type Resource } from './resource.js';
import { supportedKeysAt } from './schema-walk.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function problems(schema: z.ZodType, value: unknown, root: string): { lines: string[]; data?: unknown } {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return { lines: [], data: r.data };
  const lines = r.error.issues.flatMap((i) =>
    issueLines(root, i, (path) => supportedKeysAt(schema, path, value)),
  );
  return { lines };
}

/** A label for messages: `Kind/name`, or `Kind` when the document has no usable name. */
function label(kind: KindName, doc: Record<string, unknown>): string {
  const meta = doc.metadata;
  const name = isRecord(meta) && typeof meta.name === 'string' && meta.name !== '' ? meta.name : undefined;
  return name === undefined ? kind : `${kind}/${name}`;
}

/**
 * Validates a custom-resource document (apiVersion, kind, metadata, spec; status is passed through
 * unchecked) and returns it with defaults applied (metadata.namespace `default`, spec defaults).
 * Throws SK_ERR_RESOURCE_INVALID listing every problem, one per line:
 * `<file>: <Kind>/<name>: spec.<path>: <problem>`.
 */
export function parseResource(doc: unknown, file: string): Resource {
  if (!isRecord(doc)) {
    const got = doc === null ? 'null' : Array.isArray(doc) ? 'array' : typeof doc;
    throw skError(
      'RESOURCE_INVALID',
      `${file}: expected a custom resource (a mapping with apiVersion, kind, metadata, spec), got ${got}`,
    );
  }
  if (!isKindName(doc.kind)) {
    const got =
      doc.kind === undefined
        ? 'kind: required field is missing'
        : `kind: must be one of ${KIND_NAMES.join(', ')} (got ${JSON.stringify(doc.kind)})`;
    throw skError('RESOURCE_INVALID', `${file}: ${got}`);
  }
  const kind: KindName = doc.kind;
  const prefix = `${file}: ${label(kind, doc)}: `;
  const fail = (lines: string[]) => skError('RESOURCE_INVALID', lines.map((l) => prefix + l).join('\n'));
  const envelope = problems(envelopeSchema, doc, '');
  const lines = envelope.lines.map((l) => l.replace(/^\./, ''));
  if (doc.spec === undefined && !lines.some((l) => l.startsWith('spec')))
    lines.push('spec: required field is missing');
  const spec = doc.spec === undefined ? { lines: [] } : problems(KINDS[kind].specSchema, doc.spec, 'spec');
  lines.push(...spec.lines);
  if (lines.length > 0) throw fail(lines);

  const env = envelope.data as z.output<typeof envelopeSchema>;
  const extra = kindChecks(kind, env.metadata.name, spec.data);
  if (extra.length > 0) throw fail(extra);
  const out = { apiVersion: API_VERSION, kind, metadata: env.metadata, spec: spec.data } as Resource;
  if (env.status !== undefined) out.status = env.status as never;
  return out;
}

/** Checks that need more than the spec (the stack name defaults to metadata.name). */
function kindChecks(kind: KindName, name: string, spec: unknown): string[] {
  if (
    kind === 'SwarmStack' &&
    isRecord(spec) &&
    spec.stackName === undefined &&
    !swarmName.safeParse(name).success
  )
    return [
      `metadata.name: ${JSON.stringify(name)} is not a valid stack name (letters, digits, inner "-" and "_"); set spec.stackName`,
    ];
  return [];
}
