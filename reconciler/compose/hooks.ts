/**
 * Deploy hooks (`x-swarmkeeper: { hook: pre-deploy | post-deploy }` on a compose service): the
 * service runs as a `replicated-job` before the rest of the stack is updated (pre-deploy) or after
 * the stack is Ready (post-deploy), once per revision of the stack.
 *
 * Docker is the source of truth, so a controller restart needs no store of its own: the hook
 * service carries the stack revision in a label and in its environment (a new revision is a spec
 * change, which makes Swarm run the job again), and "completed for revision R" is read back from
 * the service's label and its tasks (controllers/docker/hook-runs.ts).
 */
import { createHash } from 'node:crypto';
import type { DesiredObject, DesiredService } from '../model/objects.js';
import type { Problems } from './problems.js';
import type { ComposeService } from './types.js';

/** The extension key on a compose service. */
export const X_SWARMKEEPER = 'x-swarmkeeper';
/** The hook phase of a service (`pre-deploy`, `post-deploy`). */
export const LABEL_HOOK = 'swarmkeeper.io/hook';
/** The stack revision the hook service runs for. */
export const LABEL_HOOK_REVISION = 'swarmkeeper.io/hook-revision';
/** The same revision in the hook container's environment (the job can read it). */
export const HOOK_REVISION_ENV = 'SWARMKEEPER_REVISION';

export type HookPhase = 'pre-deploy' | 'post-deploy';
export const HOOK_PHASES: readonly HookPhase[] = ['pre-deploy', 'post-deploy'];

/** The hook phase a compose service declares, if any. */
export function hookOf(svc: ComposeService): HookPhase | undefined {
  return svc[X_SWARMKEEPER]?.hook;
}

/** A hook runs as a replicated job: another mode is an error where it is written. */
export function checkHook(name: string, svc: ComposeService, problems: Problems): void {
  const hook = hookOf(svc);
  const m = svc.deploy?.mode;
  if (hook && m !== undefined && m !== 'replicated-job')
    problems.add(
      'COMPOSE_INVALID',
      ['services', name, 'deploy', 'mode'],
      `a ${hook} hook runs as a replicated-job; remove deploy.mode or set it to replicated-job (it is ${m})`,
    );
}

/** The hook phase of a desired service (its label), if it is a hook. */
export function hookPhase(o: DesiredObject): HookPhase | undefined {
  if (o.kind !== 'service') return undefined;
  const v = o.spec.Labels?.[LABEL_HOOK];
  return v === 'pre-deploy' || v === 'post-deploy' ? v : undefined;
}

/**
 * The revision of a stack: a hash of all its desired objects (hooks included, before they carry
 * a revision), so any change to the stack, and only a change, is a new revision. Secret values
 * enter through their names, which carry their content hash.
 */
export function stackRevision(objects: readonly DesiredObject[]): string {
  return createHash('sha256').update(JSON.stringify(objects)).digest('hex').slice(0, 12);
}

/** Stamps the stack revision on every hook service (label and environment); others are unchanged. */
export function stampHookRevisions(objects: readonly DesiredObject[]): DesiredObject[] {
  if (!objects.some((o) => hookPhase(o) !== undefined)) return [...objects];
  const revision = stackRevision(objects);
  return objects.map((o): DesiredObject => {
    if (hookPhase(o) === undefined) return o;
    const s = o as DesiredService;
    const c = s.spec.TaskTemplate.ContainerSpec;
    const env = [...(c.Env ?? []), `${HOOK_REVISION_ENV}=${revision}`].sort();
    return {
      ...s,
      spec: {
        ...s.spec,
        Labels: { ...s.spec.Labels, [LABEL_HOOK_REVISION]: revision },
        TaskTemplate: { ...s.spec.TaskTemplate, ContainerSpec: { ...c, Env: env } },
      },
    };
  });
}
