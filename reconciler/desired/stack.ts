import { type ComposeProject, loadCompose, loadComposeFiles } from '../compose/load.js';
import type { Problems } from '../compose/problems.js';
import { toSwarm } from '../compose/to-swarm.js';
import { errorName, skError } from '../errors.js';
import type { DesiredState, ImageUpdatePolicy } from '../model/objects.js';
import { X_SWARMKEEPER } from '../compose/hooks.js';
import { scope } from '../compose/to-swarm-parts.js';
import { IMAGE_UPDATE_OFF, policyOf } from '../plan/image-update.js';
import type { OwnerRef } from '../model/ownership.js';
import type { FileReader } from '../ports.js';
import type { DesiredResource } from '../source/resource.js';
import { checkPolicy } from '../policy/evaluate.js';
import type { EffectivePolicy } from '../policy/policy.js';
import { checkDockerRules } from '../validate/docker-rules.js';
import { checkLimits, DEFAULT_LIMITS, type Limits } from '../validate/limits.js';
import { allowedProcessEnv, type EnvSettings, readDotEnv, readListedEnvFile } from './stack-env.js';
import { joinPath } from './stack-files.js';

export interface SwarmStackSpecInput {
  stackName?: string;
  compose?: unknown;
  composeFile?: string;
  composeFiles?: string[];
  envFiles?: string[];
  profiles?: string[];
  env?: Record<string, string>;
  secretRefs?: { name: string; secretRef: { name: string; key: string } }[];
  /** The stack-wide image update policy (`{policy, range}`); a service's x-swarmkeeper image-update wins. */
  imageUpdate?: unknown;
}

/** What a stack is built from besides its spec: `secrets` are the resolved spec.secretRefs values. */
export interface StackContext {
  instanceId: string;
  files: FileReader;
  /** The process environment interpolation may read (none by default); see EnvSettings. */
  env?: EnvSettings;
  /** Upper bounds (default DEFAULT_LIMITS). */
  limits?: Limits;
  /** The stack policy in force for this resource (default: allow everything). */
  policy?: EffectivePolicy;
  /** Values of spec.secretRefs by compose secret name (resolved by the caller; never printed). */
  secrets?: Readonly<Record<string, Uint8Array>>;
  /** Where the source's files live on the Swarm nodes: relative bind sources resolve inside it. */
  bindRoot?: string;
  /** The instance's key for secret names (see toSwarm). */
  secretHashKey: Uint8Array;
}

/** Reads a compose file a stack names; a failure keeps the reader's code and names the stack and field. */
function readFor(res: DesiredResource, field: string, path: string, ctx: StackContext): string {
  try {
    return ctx.files.readText(path);
  } catch (e) {
    throw skError(
      errorName(e) ?? 'FILE_UNREADABLE',
      `${res.origin.file}: ${res.key}: ${field}: cannot read the compose file "${path}": ${(e as Error).message.replace(`${path}: `, '')}`,
    );
  }
}

/** SwarmStack -> the Swarm objects `docker stack deploy` would create, with ownership labels. */
export function stackDesiredState(
  res: DesiredResource,
  owner: OwnerRef,
  spec: SwarmStackSpecInput,
  ctx: StackContext,
): { state: DesiredState; warnings: string[] } {
  const stackName = spec.stackName ?? res.name;
  // Interpolation sees spec.env, the .env file beside the compose file, and the process variables
  // ctx.env allows: the CLI passes its whole shell for plain compose files (docker's behaviour),
  // the controller only the names the operator allowed (--allow-env).
  const processEnv = allowedProcessEnv(ctx.env, res.fromComposeFile === true);
  const refs = spec.secretRefs ?? [];
  const secretValues: Record<string, Uint8Array> = {};
  refs.forEach((r, i) => {
    const v = ctx.secrets?.[r.name];
    if (v === undefined)
      throw skError(
        'RESOURCE_INVALID',
        `${res.origin.file}: ${res.key}: spec.secretRefs[${i}]: the value of Secret ${res.namespace}/${r.secretRef.name} key "${r.secretRef.key}" was not resolved (no Secret store is configured here)`,
      );
    secretValues[r.name] = v;
  });
  const bind = ctx.bindRoot === undefined ? {} : { bindRoot: ctx.bindRoot };
  let project;
  let file: string;
  const checks = [
    (p: ComposeProject, problems: Problems) => {
      if (ctx.policy) checkPolicy(p, stackName, ctx.policy, problems);
      checkDockerRules(p, stackName, problems);
      checkLimits(p, ctx.limits ?? DEFAULT_LIMITS, problems);
    },
  ];
  const profiles = spec.profiles === undefined ? {} : { profiles: spec.profiles };
  const names = spec.composeFiles ?? (spec.composeFile === undefined ? undefined : [spec.composeFile]);
  if (names !== undefined && names.length > 0) {
    const field = spec.composeFiles ? 'spec.composeFiles' : 'spec.composeFile';
    const paths = names.map((n) => joinPath(res.baseDir, n));
    file = paths[0] as string;
    const inputs = paths.map((path, i) => {
      // a plain compose file: the text the source read (its snapshot), not what the file holds now
      if (i === 0 && res.fromComposeFile && res.text !== undefined) return { file: path, text: res.text };
      return { file: path, text: readFor(res, `${field}${spec.composeFiles ? `[${i}]` : ''}`, path, ctx) };
    });
    // Precedence: spec.env > spec.envFiles (a later file wins) > allowed process variables > .env
    const listed: Record<string, string> = {};
    (spec.envFiles ?? []).forEach((name, i) => {
      const path = joinPath(res.baseDir, name);
      Object.assign(
        listed,
        readListedEnvFile(path, ctx.files, `${res.origin.file}: ${res.key}: spec.envFiles[${i}]`),
      );
    });
    const env = { ...readDotEnv(file, ctx.files), ...processEnv, ...listed, ...(spec.env ?? {}) };
    project = loadComposeFiles(inputs, { env, files: ctx.files, secretValues, checks, ...bind, ...profiles });
  } else if (spec.compose !== undefined) {
    file = res.origin.file;
    const env = { ...processEnv, ...(spec.env ?? {}) };
    project = loadCompose(
      { file, document: spec.compose },
      { env, files: ctx.files, secretValues, checks, ...bind, ...profiles },
    );
  } else {
    throw skError(
      'RESOURCE_INVALID',
      `${res.origin.file}: ${res.key}: spec: one of compose, composeFile or composeFiles is required`,
    );
  }
  refs.forEach((r, i) => {
    if (!Object.hasOwn(project.secrets, r.name)) {
      const declared = Object.keys(project.secrets);
      throw skError(
        'RESOURCE_INVALID',
        `${res.origin.file}: ${res.key}: spec.secretRefs[${i}].name: "${r.name}" is not a secret of the compose document (${
          declared.length > 0
            ? `its top-level secrets: ${declared.join(', ')}`
            : 'it declares no top-level secrets'
        })`,
      );
    }
  });
  const state = toSwarm(
    { name: stackName, project, file },
    { owner, instanceId: ctx.instanceId, files: ctx.files, secretHashKey: ctx.secretHashKey },
  );
  const imageUpdates = imageUpdatePolicies(project, stackName, spec.imageUpdate);
  return { state: imageUpdates ? { ...state, imageUpdates } : state, warnings: project.warnings };
}

/** Image update policies by Swarm service name: the service's own, else the stack's; none when all are off. */
function imageUpdatePolicies(
  project: ComposeProject,
  stackName: string,
  stackDefault: unknown,
): Record<string, ImageUpdatePolicy> | undefined {
  const fallback = policyOf(stackDefault) ?? IMAGE_UPDATE_OFF;
  const out: Record<string, ImageUpdatePolicy> = {};
  for (const [key, svc] of Object.entries(project.services)) {
    const policy = policyOf(svc[X_SWARMKEEPER]?.['image-update']) ?? fallback;
    if (policy.kind !== 'off') out[scope(stackName, key)] = policy;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
