import { type SwarmkeeperError, asSwarmkeeperError, skError } from '../errors.js';
import { type DesiredResource, resourceKey } from './resource.js';
import { checkDocument, checkTextBounds } from './yaml-guard.js';
import { composeAll, yamlCst } from './yaml-cst.js';

export const API_GROUP = 'swarmkeeper.io';
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export interface ClassifiedFile {
  resources: DesiredResource[];
  errors: SwarmkeeperError[];
  /** Documents that are neither swarmkeeper resources nor compose files (e.g. a kustomization). */
  skipped: string[];
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The file names `docker compose` looks for: a failed one still names its stack (by folder). */
export const COMPOSE_FILE_NAME = /^(docker-)?compose(\.[\w.-]+)?\.ya?ml$/;

/** Errors about what a readable document says of its own identity: no stack is made up for them. */
const IDENTITY_ERRORS = new WeakSet<SwarmkeeperError>();
function identityError(e: SwarmkeeperError): SwarmkeeperError {
  IDENTITY_ERRORS.add(e);
  return e;
}

export interface ClassifyOptions {
  baseDir: string;
  rootName: string;
  source?: string;
  revision?: string;
}

/**
 * A file that could not be loaded at all (unreadable, refused, bad bytes, over a bound), or a
 * compose file whose every document failed: a compose-named file still yields its stack, carrying
 * the error (`loadError`), so the stack reports it and keeps what it has in the Swarm; any other
 * file yields the error alone (the loader keeps the resources it held before).
 */
export function failedFile(file: string, error: SwarmkeeperError, opts: ClassifyOptions): ClassifiedFile {
  const folder = opts.baseDir === '.' ? opts.rootName : basename(opts.baseDir);
  if (!COMPOSE_FILE_NAME.test(basename(file)) || !DOCKER_NAME.test(folder))
    return { resources: [], errors: [error], skipped: [] };
  return {
    resources: [
      {
        key: resourceKey('SwarmStack', 'default', folder),
        kind: 'SwarmStack',
        namespace: 'default',
        name: folder,
        spec: { stackName: folder, composeFile: basename(file) },
        origin: {
          file,
          ...(opts.source ? { source: opts.source } : {}),
          ...(opts.revision ? { revision: opts.revision } : {}),
        },
        baseDir: opts.baseDir,
        fromComposeFile: true,
        loadError: error,
      },
    ],
    errors: [],
    skipped: [],
  };
}

/**
 * Classifies the YAML documents of one file: custom resources of `swarmkeeper.io/*` become
 * DesiredResources (validated later, per kind); a plain compose file becomes a SwarmStack whose
 * stack name is its folder name unless the file sets top-level `name:`.
 * `file` is the path shown in errors (relative to the source root); `baseDir` is where the file lives.
 */
export function classifyFile(file: string, text: string, opts: ClassifyOptions): ClassifiedFile {
  let out: ClassifiedFile;
  try {
    out = classifyDocuments(file, text, opts);
  } catch (e) {
    const err = asSwarmkeeperError(e);
    return failedFile(
      file,
      err.code === 'SK_ERR_INTERNAL' ? skError('YAML_SYNTAX', `${file}: ${err.message}`) : err,
      opts,
    );
  }
  if (
    out.resources.length === 0 &&
    out.errors.length > 0 &&
    !out.errors.some((e) => IDENTITY_ERRORS.has(e))
  ) {
    const one =
      out.errors.length === 1
        ? out.errors[0]!
        : skError('YAML_SYNTAX', out.errors.map((e) => e.message).join('\n'));
    const failed = failedFile(file, one, opts);
    if (failed.resources.length > 0) return { ...failed, skipped: out.skipped };
  }
  return out;
}

function classifyDocuments(file: string, text: string, opts: ClassifyOptions): ClassifiedFile {
  const out: ClassifiedFile = { resources: [], errors: [], skipped: [] };
  checkTextBounds(file, text);
  const { lineCounter } = yamlCst(text); // read by checkTextBounds
  const list = composeAll(text, { merge: true, prettyErrors: false });
  const origin = {
    file,
    ...(opts.source ? { source: opts.source } : {}),
    ...(opts.revision ? { revision: opts.revision } : {}),
  };
  for (const doc of list) {
    const start = doc.contents?.range?.[0] ?? doc.range?.[0];
    const line = start === undefined ? undefined : lineCounter.linePos(start).line;
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const pos = lineCounter.linePos(e.pos[0]);
      out.errors.push(
        skError('YAML_SYNTAX', `${file}:${pos.line}: invalid YAML: ${e.message.split('\n')[0]}`),
      );
      continue;
    }
    let value: unknown;
    try {
      checkDocument(file, doc, lineCounter);
      value = doc.toJS({ maxAliasCount: -1 }); // bounded by checkDocument
    } catch (e) {
      const err = asSwarmkeeperError(e);
      out.errors.push(
        err.code === 'SK_ERR_INTERNAL' ? skError('YAML_SYNTAX', `${file}:${line ?? 1}: ${err.message}`) : err,
      );
      continue;
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      out.errors.push(
        skError('RESOURCE_INVALID', `${file}:${line ?? 1}: expected a mapping at the top level`),
      );
      continue;
    }
    const obj = value as Record<string, unknown>;
    const apiVersion = obj['apiVersion'];
    if (typeof apiVersion === 'string') {
      if (!apiVersion.startsWith(`${API_GROUP}/`)) {
        out.skipped.push(`${file}:${line ?? 1}: ${apiVersion}/${String(obj['kind'])}`);
        continue;
      }
      const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '';
      const meta = (obj['metadata'] ?? {}) as Record<string, unknown>;
      const name = typeof meta['name'] === 'string' ? meta['name'] : '';
      const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default';
      if (!kind || !name) {
        out.errors.push(
          identityError(
            skError(
              'RESOURCE_INVALID',
              `${file}:${line ?? 1}: a ${API_GROUP} resource needs kind and metadata.name`,
            ),
          ),
        );
        continue;
      }
      out.resources.push({
        key: resourceKey(kind, namespace, name),
        kind,
        namespace,
        name,
        spec: (obj['spec'] ?? {}) as Record<string, unknown>,
        origin: { ...origin, ...(line ? { line } : {}) },
        baseDir: opts.baseDir,
        ...(typeof meta['generation'] === 'number' ? { generation: meta['generation'] } : {}),
        document: obj,
      });
      continue;
    }
    if ('services' in obj) {
      const folder = opts.baseDir === '.' ? opts.rootName : basename(opts.baseDir);
      const explicit = typeof obj['name'] === 'string' ? obj['name'] : undefined;
      const stackName = explicit ?? folder;
      if (!DOCKER_NAME.test(stackName)) {
        out.errors.push(
          identityError(
            skError(
              'COMPOSE_INVALID',
              `${file}: stack name "${stackName}" (from ${explicit ? 'top-level name' : 'the folder name'}) is not a valid Docker name; set top-level \`name:\``,
            ),
          ),
        );
        continue;
      }
      out.resources.push({
        key: resourceKey('SwarmStack', 'default', stackName),
        kind: 'SwarmStack',
        namespace: 'default',
        name: stackName,
        spec: { stackName, composeFile: basename(file) },
        origin,
        baseDir: opts.baseDir,
        fromComposeFile: true,
        text,
      });
      continue;
    }
    out.skipped.push(`${file}:${line ?? 1}: neither a ${API_GROUP} resource nor a compose file`);
  }
  return out;
}

/** Two files claiming the same resource is a conflict: report both, let neither win. */
export function detectConflicts(resources: DesiredResource[]): {
  unique: DesiredResource[];
  errors: SwarmkeeperError[];
} {
  const byKey = new Map<string, DesiredResource[]>();
  for (const r of resources) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const unique: DesiredResource[] = [];
  const errors: SwarmkeeperError[] = [];
  for (const [key, rs] of byKey) {
    if (rs.length === 1) unique.push(rs[0]!);
    else
      errors.push(
        skError(
          'SOURCE_CONFLICT',
          `${key} is defined more than once: ${rs.map((r) => (r.origin.source ? `${r.origin.source}:` : '') + r.origin.file).join(', ')}; neither is applied`,
        ),
      );
  }
  return { unique, errors };
}
