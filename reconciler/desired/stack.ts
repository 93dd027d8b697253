import { type ComposeProject, loadCompose } from '../compose/load.js';
import type { Problems } from '../compose/problems.js';
import { toSwarm } from '../compose/to-swarm.js';
import { skError } from '../errors.js';
import type { DesiredState } from '../model/objects.js';
import type { OwnerRef } from '../model/ownership.js';
import type { FileReader } from '../ports.js';
import type { DesiredResource } from '../source/resource.js';
import { checkPolicy } from '../policy/evaluate.js';
import type { EffectivePolicy } from '../policy/policy.js';
import { checkDockerRules } from '../validate/docker-rules.js';
import { checkLimits, DEFAULT_LIMITS, type Limits } from '../validate/limits.js';
import { allowedProcessEnv, type EnvSettings, readDotEnv } from './stack-env.js';

export interface SwarmStackSpecInput {
  stackName?: string;
  compose?: unknown;
  composeFile?: string;
  env?: Record<string, string>;
  secretRefs?: { name: string; secretRef: { name: string; key: string } }[];
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

function joinPath(dir: string, file: string): string {
  if (file.startsWith('/') || dir === '.' || dir === '') return file;
  return `${dir}/${file}`;
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
  if (spec.composeFile !== undefined) {
    file = joinPath(res.baseDir, spec.composeFile);
    // a plain compose file: the text the source read (its snapshot), not what the file holds now
    const text = res.fromComposeFile && res.text !== undefined ? res.text : ctx.files.readText(file);
    const env = { ...readDotEnv(file, ctx.files), ...processEnv, ...(spec.env ?? {}) };
    project = loadCompose({ file, text }, { env, files: ctx.files, secretValues, checks, ...bind });
  } else if (spec.compose !== undefined) {
    file = res.origin.file;
    const env = { ...processEnv, ...(spec.env ?? {}) };
    project = loadCompose(
      { file, document: spec.compose },
      { env, files: ctx.files, secretValues, checks, ...bind },
    );
  } else {
    throw skError(
      'RESOURCE_INVALID',
      `${res.origin.file}: ${res.key}: spec: one of compose or composeFile is required`,
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
  return { state, warnings: project.warnings };
}
