import { loadCompose } from '../compose/load.js';
import { toSwarm } from '../compose/to-swarm.js';
import { skError } from '../errors.js';
import type { DesiredState } from '../model/objects.js';
import type { OwnerRef } from '../model/ownership.js';
import type { FileReader } from '../ports.js';
import type { DesiredResource } from '../source/resource.js';

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
  composeEnv?: Record<string, string | undefined>;
  /** Values of spec.secretRefs by compose secret name (resolved by the caller; never printed). */
  secrets?: Readonly<Record<string, Uint8Array>>;
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
): DesiredState {
  const stackName = spec.stackName ?? res.name;
  // A plain compose file is interpolated with the caller's environment, as `docker stack deploy`
  // does; a SwarmStack resource only with its explicit spec.env (reproducible from the source).
  const inherited = res.fromComposeFile ? definedOnly(ctx.composeEnv ?? {}) : {};
  const env = { ...inherited, ...(spec.env ?? {}) };
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
  let project;
  let file: string;
  if (spec.composeFile !== undefined) {
    file = joinPath(res.baseDir, spec.composeFile);
    // a plain compose file: the text the source read (its snapshot), not what the file holds now
    const text = res.fromComposeFile && res.text !== undefined ? res.text : ctx.files.readText(file);
    project = loadCompose({ file, text }, { env, files: ctx.files, secretValues });
  } else if (spec.compose !== undefined) {
    file = res.origin.file;
    project = loadCompose({ file, document: spec.compose }, { env, files: ctx.files, secretValues });
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
  return toSwarm({ name: stackName, project, file }, { owner, instanceId: ctx.instanceId, files: ctx.files });
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
