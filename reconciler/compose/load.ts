import { posix } from 'node:path';
import { errorName } from '../errors.js';
import { Sensitive } from '../model/sensitive.js';
import type { FileReader } from '../ports.js';
import { parseEnvFile } from './env-file.js';
import { prepareTree } from './interpolate.js';
import { errorMap, reportIssues } from './issues.js';
import { parseYaml } from './parse.js';
import { Problems, type LineLookup } from './problems.js';
import { checkReferences } from './references.js';
import { projectSchema, type RawProject, sourceCount } from './schema-top.js';
import type { RawService } from './schema-service.js';
import type { ComposeProject, ComposeSecret, ComposeService } from './types.js';

export type { ComposeProject } from './types.js';

export interface LoadComposeInput {
  /** Names the file in errors; relative paths inside it resolve against its directory. */
  file: string;
  /** YAML text (gives errors line numbers). */
  text?: string;
  /** An already-parsed document (e.g. inline in a custom resource), used when `text` is absent. */
  document?: unknown;
}

export interface LoadComposeOptions {
  /** The only variables interpolation sees (never process.env). */
  env: Record<string, string>;
  /** Reads env_file files; required only when a service has env_file. */
  files?: FileReader;
  /**
   * Values of top-level secrets given from outside the file (a SwarmStack's spec.secretRefs), by
   * secret key. Such a secret declares no source of its own (`db: {}`); the value is never printed.
   */
  secretValues?: Readonly<Record<string, Uint8Array>>;
}

/** Resolves `rel` against the directory of `file`, like docker/cli does for paths in a compose file. */
export function resolveRelative(file: string, rel: string): string {
  if (rel.startsWith('/')) return posix.normalize(rel);
  return posix.join(posix.dirname(file), rel);
}

/**
 * Loads a compose file: YAML (anchors, aliases, merge keys) -> drop `x-*` -> interpolate
 * -> strict validation -> env_file, relative paths -> reference checks.
 * Throws AggregateSwarmkeeperError listing every problem as `<file>:<line>: <path>: <problem>`.
 */
export function loadCompose(input: LoadComposeInput, opts: LoadComposeOptions): ComposeProject {
  const { file } = input;
  let value: unknown = input.document;
  let lineOf: LineLookup = () => undefined;
  if (input.text !== undefined) ({ value, lineOf } = parseYaml(file, input.text));
  const problems = new Problems(file, lineOf);

  value = prepareTree(value ?? null, opts.env, problems);
  problems.throwIfAny();

  const parsed = projectSchema.safeParse(value, { reportInput: true, error: errorMap });
  if (!parsed.success) reportIssues(parsed.error.issues, problems);
  problems.throwIfAny();
  const raw = parsed.data as RawProject;

  const warnings: string[] = [];
  const services: Record<string, ComposeService> = {};
  for (const [name, svc] of Object.entries(raw.services ?? {})) {
    services[name] = finishService(name, svc, { file, env: opts.env, files: opts.files, problems, warnings });
  }
  const secrets: Record<string, ComposeSecret> = {};
  for (const [name, s] of Object.entries(raw.secrets ?? {})) {
    const out: ComposeSecret = { ...s };
    const given = opts.secretValues?.[name];
    if (given !== undefined) {
      const own = [
        s.file !== undefined && 'file',
        s.content !== undefined && 'content',
        s.environment !== undefined && 'environment',
        s.external?.external === true && 'external',
      ].filter((k): k is string => typeof k === 'string');
      if (own.length > 0)
        problems.add(
          'COMPOSE_INVALID',
          ['secrets', name, own[0]!],
          `the value comes from a secret reference (spec.secretRefs): remove ${own.join(', ')}`,
        );
      else out.refValue = new Sensitive(given);
    } else if (sourceCount(s) === 0)
      problems.add(
        'COMPOSE_INVALID',
        ['secrets', name],
        'exactly one of file, content, environment or external: true is required',
      );
    if (s.environment !== undefined) {
      const v = opts.env[s.environment];
      if (v === undefined)
        problems.add(
          'COMPOSE_INTERPOLATION',
          ['secrets', name, 'environment'],
          `variable ${s.environment} is not set`,
        );
      else out.environmentValue = new Sensitive(v);
    }
    secrets[name] = out;
  }
  const project: ComposeProject = {
    file,
    ...(raw.name === undefined ? {} : { name: raw.name }),
    services,
    networks: raw.networks ?? {},
    volumes: raw.volumes ?? {},
    configs: raw.configs ?? {},
    secrets,
    warnings,
  };
  problems.throwIfAny();
  checkReferences(project, problems);
  problems.throwIfAny();
  return project;
}

interface FinishCtx {
  file: string;
  env: Record<string, string>;
  files: FileReader | undefined;
  problems: Problems;
  warnings: string[];
}

function finishService(name: string, svc: RawService, ctx: FinishCtx): ComposeService {
  const { env_file: envFiles, environment, ...rest } = svc;
  const out: ComposeService = { ...rest };
  const path = ['services', name];
  if (envFiles !== undefined || environment !== undefined) {
    const merged: Record<string, string | null> = {};
    for (const f of envFiles ?? []) {
      const abs = resolveRelative(ctx.file, f);
      if (!ctx.files) {
        ctx.problems.add(
          'FILE_UNREADABLE',
          [...path, 'env_file'],
          `cannot read env file "${abs}": no file reader is available`,
        );
        continue;
      }
      try {
        for (const [k, v] of parseEnvFile(ctx.files.readText(abs), ctx.env)) merged[k] = v;
      } catch (e) {
        // the reader's own code (a refused link or device, bad bytes) and message, without its path
        ctx.problems.add(
          errorName(e) ?? 'FILE_UNREADABLE',
          [...path, 'env_file'],
          `cannot read env file "${abs}": ${(e as Error).message.replace(`${abs}: `, '').replace(`${abs}:`, 'line ')}`,
        );
      }
    }
    for (const [k, v] of Object.entries(environment ?? {})) merged[k] = v ?? ctx.env[k] ?? null;
    out.environment = merged;
  }
  out.volumes = svc.volumes?.map((v, i) => {
    if (v.type !== 'bind' || v.source === undefined) return v;
    if (v.source.startsWith('~')) {
      ctx.problems.add(
        'COMPOSE_INVALID',
        [...path, 'volumes', i],
        `bind source "${v.source}": "~" is not supported; use an absolute path`,
      );
      return v;
    }
    return { ...v, source: resolveRelative(ctx.file, v.source) };
  });
  if (out.volumes === undefined) delete out.volumes;
  svc.ports?.forEach((p) => {
    if (p.hostIp !== undefined)
      ctx.warnings.push(
        `${ctx.file}: services.${name}.ports: host IP ${p.hostIp} is ignored; swarm publishes port ${p.published ?? p.target} on all addresses`,
      );
  });
  return out;
}
