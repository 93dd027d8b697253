import { posix } from 'node:path';
import { errorName } from '../errors.js';
import { Sensitive } from '../model/sensitive.js';
import type { FileReader } from '../ports.js';
import { parseEnvFile } from './env-file.js';
import { imageReferenceProblem } from '../validate/image-ref.js';
import { prepareTree } from './interpolate.js';
import { stripIgnoredKeys } from './ignored-keys.js';
import { errorMap, reportIssues } from './issues.js';
import { checkShapes } from './check-shapes.js';
import { applyExtends, type ImportCtx, type LoadedFile } from './extends.js';
import { checkHook } from './hooks.js';
import { applyIncludes } from './include.js';
import { type ComposeLayer, mergeLayers } from './merge.js';
import { parseYaml } from './parse.js';
import { applyProfiles } from './profiles.js';
import { Problems, type LineLookup } from './problems.js';
import { checkReferences } from './references.js';
import { resolveRelative } from './relative.js';
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
  /**
   * Checks run on the loaded project (stack policy, Docker's rules, bounds); their problems carry
   * the file, line and path like every other, and stop the load.
   */
  checks?: readonly ((project: ComposeProject, problems: Problems) => void)[];
  /**
   * Where the source's files live on the Swarm nodes (absolute): a relative bind source `./data` of
   * `stacks/app/docker-compose.yml` becomes `<bindRoot>/stacks/app/data`. The CLI passes the absolute
   * source folder (as docker does); the controller the source's `bindRoot` option. Without it, a
   * relative bind in a file named by a relative path is an error (an absolute file name resolves
   * against its own folder).
   */
  bindRoot?: string;
  /** Profiles enabled (docker compose --profile); services with other profiles are left out. */
  profiles?: readonly string[];
}

export { resolveRelative } from './relative.js';

/**
 * Loads a compose file: YAML (anchors, aliases, merge keys) -> drop `x-*` -> interpolate
 * -> strict validation -> env_file, relative paths -> reference checks.
 * Throws AggregateSwarmkeeperError listing every problem as `<file>:<line>: <path>: <problem>`.
 */
export function loadCompose(input: LoadComposeInput, opts: LoadComposeOptions): ComposeProject {
  return loadComposeFiles([input], opts);
}

/**
 * Loads several compose files as `docker stack deploy -c a.yml -c b.yml` does: each is parsed and
 * interpolated on its own, then merged in order (merge.ts), then validated as one. Relative paths
 * resolve against the folder of the first file (docker's working directory); a problem names the
 * file (and line) that last wrote the value it is about.
 */
export function loadComposeFiles(
  inputs: readonly LoadComposeInput[],
  opts: LoadComposeOptions,
): ComposeProject {
  const file = inputs[0]?.file ?? '';
  const layers: ComposeLayer[] = [];
  const problems = new Problems(file, () => undefined);
  const ctx: ImportCtx = {
    env: opts.env,
    files: opts.files,
    problems,
    cache: new Map<string, LoadedFile | undefined>(),
    locateIn: (f, lineOf) => problems.locateWith((path) => ({ file: f, line: lineOf(path) })),
  };
  for (const input of inputs) {
    let value: unknown = input.document;
    let lineOf: LineLookup = () => undefined;
    let tags: ComposeLayer['tags'];
    if (input.text !== undefined) ({ value, lineOf, tags } = parseYaml(input.file, input.text));
    problems.locateWith((path) => ({ file: input.file, line: lineOf(path) }));
    // include, then extends, in each file before the files merge (as docker compose does)
    const loaded: LoadedFile = {
      file: input.file,
      value: prepareTree(value ?? null, opts.env, problems),
      lineOf,
    };
    applyIncludes(loaded, ctx);
    applyExtends(loaded, ctx);
    layers.push({
      file: input.file,
      value: loaded.value,
      lineOf,
      ...(tags ? { tags } : {}),
      ...(loaded.origins ? { origins: loaded.origins } : {}),
    });
  }
  if (layers.length > 1) for (const layer of layers) checkShapes(layer, problems);
  problems.throwIfAny();
  const merged = mergeLayers(layers, { env: opts.env });
  problems.locateWith(merged.locate);
  const value = merged.value;
  applyProfiles(value, opts.profiles ?? [], problems);
  const warnings = stripIgnoredKeys(value, file, problems);
  problems.throwIfAny();

  const parsed = projectSchema.safeParse(value, { reportInput: true, error: errorMap });
  if (!parsed.success) reportIssues(parsed.error.issues, problems);
  problems.throwIfAny();
  const raw = parsed.data as RawProject;

  const services: Record<string, ComposeService> = {};
  for (const [name, svc] of Object.entries(raw.services ?? {})) {
    services[name] = finishService(name, svc, {
      file,
      env: opts.env,
      files: opts.files,
      problems,
      warnings,
      bindRoot: opts.bindRoot,
    });
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
    warnings: [...problems.warnings, ...warnings],
  };
  problems.throwIfAny();
  checkReferences(project, problems);
  problems.throwIfAny();
  for (const check of opts.checks ?? []) check(project, problems);
  problems.throwIfAny();
  return project;
}

interface FinishCtx {
  file: string;
  env: Record<string, string>;
  files: FileReader | undefined;
  problems: Problems;
  warnings: string[];
  bindRoot: string | undefined;
}

/** The absolute folder relative bind sources of `file` resolve against, if known. */
function bindBase(file: string, bindRoot: string | undefined): string | undefined {
  if (file.startsWith('/')) return posix.dirname(file);
  return bindRoot === undefined ? undefined : posix.join(bindRoot, posix.dirname(file));
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
    if (v.source.startsWith('/')) return v; // as docker: an absolute source is sent as written
    const base = bindBase(ctx.file, ctx.bindRoot);
    if (base === undefined) {
      ctx.problems.add(
        'COMPOSE_INVALID',
        [...path, 'volumes', i],
        `relative bind source "${v.source}": the folder of this file on the Swarm nodes is unknown; set the source option bindRoot to where the source's files live on the nodes (e.g. --source dir=…,bindRoot=/srv/infra), or use an absolute path`,
      );
      return v;
    }
    // Go's filepath.Join: cleaned, no trailing slash.
    return { ...v, source: posix.join(base, v.source).replace(/(.)\/+$/, '$1') };
  });
  checkService(name, svc, ctx);
  checkHook(name, svc, ctx.problems);
  if (out.volumes === undefined) delete out.volumes;
  return out;
}

/** Image reference checks and the warnings for what swarmkeeper (Engine API 1.41) cannot send. */
function checkService(name: string, svc: RawService, ctx: FinishCtx): void {
  const path = ['services', name];
  const warn = (field: string, text: string): void => {
    ctx.warnings.push(`${ctx.file}: services.${name}.${field}: ${text}`);
  };
  // Docker's rule, quoted (also what docker stack deploy checks before it sends anything)
  const imageProblem = imageReferenceProblem(svc.image);
  if (imageProblem) ctx.problems.add('COMPOSE_INVALID', [...path, 'image'], imageProblem);
  if (svc.credential_spec?.config !== undefined)
    ctx.problems.add(
      'COMPOSE_INVALID',
      [...path, 'credential_spec', 'config'],
      'a credential spec from a config is not supported by swarmkeeper; use file or registry',
    );
  const set = ['config', 'file', 'registry'].filter((k) => svc.credential_spec?.[k as 'file'] !== undefined);
  if (set.length > 1)
    ctx.problems.add(
      'COMPOSE_INVALID',
      [...path, 'credential_spec'],
      `invalid credential spec: cannot specify both ${set.map((k) => `"${k[0]?.toUpperCase()}${k.slice(1)}"`).join(' and ')}`,
    );
  if (svc.healthcheck?.start_interval !== undefined)
    warn(
      'healthcheck.start_interval',
      'ignored: it needs Engine API 1.44 and swarmkeeper speaks 1.41 (a 1.41 daemon drops it from docker stack deploy too)',
    );
  if (svc.oom_score_adj !== undefined)
    warn(
      'oom_score_adj',
      'ignored: it needs Engine API 1.46 and swarmkeeper speaks 1.41 (a 1.41 daemon drops it from docker stack deploy too)',
    );
  for (const [net, cfg] of Object.entries(svc.networks ?? {}))
    for (const k of ['ipv4_address', 'ipv6_address'] as const)
      if (cfg?.[k] !== undefined)
        warn(
          `networks.${net}.${k}`,
          'ignored, as docker stack deploy does (swarm assigns service addresses)',
        );
  svc.ports?.forEach((p) => {
    if (p.hostIp !== undefined)
      ctx.warnings.push(
        `${ctx.file}: services.${name}.ports: host IP ${p.hostIp} is ignored; swarm publishes port ${p.published ?? p.target} on all addresses`,
      );
  });
}
