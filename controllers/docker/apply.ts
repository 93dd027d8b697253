/**
 * Executes a Plan against Docker in dependency phases:
 *   1. creates of networks, volumes, configs, secrets (and label updates adopting configs/secrets)
 *   2. recreates (networks, volumes)
 *   3. service creates, updates and recreates (a mode switch: remove, then create)
 *   4. service removes
 *   5. other removes
 * Inside a phase, actions run in parallel (p-limit, default 8); a failure does not stop the
 * rest of its phase, but later phases are not attempted: their actions are returned with
 * ok=false and an error saying they were skipped. Results are in plan order.
 */
import pLimit from 'p-limit';
import { skError } from '../../reconciler/errors.js';
import type { FileReference, ServiceSpec } from '../../reconciler/model/engine-types.js';
import type { Action, Plan, RecreateAction, UpdateAction } from '../../reconciler/plan/types.js';
import type { ActionResult, ApplyProgress } from '../../reconciler/ports.js';
import {
  createObject,
  idsByName,
  removeObject,
  updateLabels,
  updateService,
  type OpContext,
} from './operations.js';
import { recreate } from './recreate.js';

export interface ApplyOptions {
  onProgress?: ApplyProgress;
  signal?: AbortSignal;
  /** Parallel actions inside one phase (default 8). */
  concurrency?: number;
}

export type PhaseName = 'create' | 'recreate' | 'services' | 'remove-services' | 'remove-others';
export const PHASES: readonly PhaseName[] = [
  'create',
  'recreate',
  'services',
  'remove-services',
  'remove-others',
];

export function phaseOf(a: Action): PhaseName {
  switch (a.op) {
    case 'create':
      return a.kind === 'service' ? 'services' : 'create';
    case 'recreate':
      return a.kind === 'service' ? 'services' : 'recreate';
    case 'update':
      return a.kind === 'service' ? 'services' : 'create';
    case 'remove':
      return a.kind === 'service' ? 'remove-services' : 'remove-others';
  }
}

function describe(a: Action): string {
  return `${a.op} ${a.kind} ${a.name}`;
}

/** Ids of configs/secrets, filled from earlier creates and one lookup per kind for the rest. */
class RefIds {
  readonly ids = { config: new Map<string, string>(), secret: new Map<string, string>() };

  async resolve(ctx: OpContext, specs: ServiceSpec[]): Promise<void> {
    for (const kind of ['config', 'secret'] as const) {
      const missing = new Set<string>();
      for (const spec of specs) {
        for (const ref of refsOf(spec, kind)) {
          const name = kind === 'config' ? ref.ConfigName : ref.SecretName;
          if (name && !this.ids[kind].has(name)) missing.add(name);
        }
      }
      const found = await idsByName(ctx, kind, [...missing]);
      for (const [name, id] of found) this.ids[kind].set(name, id);
    }
  }

  /** A copy of the spec with ConfigID/SecretID filled by name. */
  fill(spec: ServiceSpec, serviceName: string): ServiceSpec {
    const cs = spec.TaskTemplate.ContainerSpec;
    const map = (kind: 'config' | 'secret', refs: FileReference[] | undefined): FileReference[] | undefined =>
      refs?.map((ref) => {
        const name = kind === 'config' ? ref.ConfigName : ref.SecretName;
        const id = name === undefined ? undefined : this.ids[kind].get(name);
        if (id === undefined) {
          if (hasId(ref, kind)) return ref;
          throw skError(
            'DEPENDENCY_NOT_READY',
            `service ${serviceName}: ${kind} ${name ?? '(unnamed)'} does not exist`,
          );
        }
        return kind === 'config' ? { ...ref, ConfigID: id } : { ...ref, SecretID: id };
      });
    const ContainerSpec = { ...cs };
    if (cs.Configs) ContainerSpec.Configs = map('config', cs.Configs);
    if (cs.Secrets) ContainerSpec.Secrets = map('secret', cs.Secrets);
    return { ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec } };
  }
}

/** A reference whose ID is set; the compose translation leaves it empty (`''`), as docker's CLI does. */
function hasId(ref: FileReference, kind: 'config' | 'secret'): boolean {
  return !!(kind === 'config' ? ref.ConfigID : ref.SecretID);
}

function refsOf(spec: ServiceSpec, kind: 'config' | 'secret'): FileReference[] {
  const cs = spec.TaskTemplate.ContainerSpec;
  const refs = (kind === 'config' ? cs.Configs : cs.Secrets) ?? [];
  return refs.filter((r) => !hasId(r, kind));
}

function serviceSpecOf(a: Action): ServiceSpec | undefined {
  return a.op !== 'remove' && a.desired.kind === 'service' ? a.desired.spec : undefined;
}

async function run(ctx: OpContext, a: Action, refs: RefIds, plan: Plan): Promise<string | undefined> {
  switch (a.op) {
    case 'create': {
      if (a.desired.kind === 'service')
        return createObject(ctx, a.desired, refs.fill(a.desired.spec, a.name));
      const id = await createObject(ctx, a.desired);
      if (a.desired.kind === 'config' || a.desired.kind === 'secret')
        refs.ids[a.desired.kind].set(a.name, id);
      return id;
    }
    case 'update': {
      if (a.desired.kind === 'config' || a.desired.kind === 'secret') {
        await updateLabels(ctx, a.desired, a.id, a.version);
        return a.id;
      }
      const spec = serviceSpecOf(a);
      if (!spec) throw skError('INTERNAL', `update ${a.kind} ${a.name}: only services can be updated`);
      await updateService(ctx, a.id, a.name, a.version, refs.fill(spec, a.name));
      return a.id;
    }
    case 'recreate': {
      if (a.desired.kind === 'service') {
        // a mode switch: Swarm cannot update it, so the service is removed and created anew
        const spec = refs.fill(a.desired.spec, a.name);
        await removeObject(ctx, 'service', a.id, a.name);
        return createObject(ctx, a.desired, spec);
      }
      const updated = new Set(
        plan.actions.filter((x): x is UpdateAction => x.op === 'update').map((x) => x.name),
      );
      return recreate(ctx, a as RecreateAction, updated);
    }
    case 'remove':
      await removeObject(ctx, a.kind, a.id, a.name);
      return a.id;
  }
}

export async function applyPlan(
  base: OpContext,
  plan: Plan,
  opts: ApplyOptions = {},
): Promise<ActionResult[]> {
  const ctx: OpContext = { ...base, signal: opts.signal ?? base.signal };
  const limit = pLimit(opts.concurrency ?? 8);
  const results: (ActionResult | undefined)[] = plan.actions.map(() => undefined);
  const refs = new RefIds();
  let stopReason: string | undefined;

  for (const phase of PHASES) {
    const indexes = plan.actions.flatMap((a, i) => (phaseOf(a) === phase ? [i] : []));
    if (indexes.length === 0) continue;
    if (stopReason === undefined && ctx.signal?.aborted) stopReason = 'the apply was aborted';
    if (stopReason !== undefined) {
      for (const i of indexes) {
        const action = plan.actions[i]!;
        const error = skError(
          'DOCKER_API',
          `skipped ${describe(action)}: not attempted because ${stopReason}`,
        );
        results[i] = { action, ok: false, error };
      }
      continue;
    }
    if (phase === 'services') {
      const specs = indexes.map((i) => serviceSpecOf(plan.actions[i]!)).filter((s): s is ServiceSpec => !!s);
      try {
        await refs.resolve(ctx, specs);
      } catch (e) {
        stopReason = `looking up configs/secrets failed: ${(e as Error).message}`;
        for (const i of indexes) results[i] = { action: plan.actions[i]!, ok: false, error: e as Error };
        continue;
      }
    }
    await Promise.all(
      indexes.map((i) =>
        limit(async () => {
          const action = plan.actions[i]!;
          opts.onProgress?.({ action, phase: 'start' });
          try {
            const id = await run(ctx, action, refs, plan);
            results[i] = id === undefined ? { action, ok: true } : { action, ok: true, id };
            opts.onProgress?.({ action, phase: 'done' });
          } catch (e) {
            const error = e instanceof Error ? e : new Error(String(e));
            results[i] = { action, ok: false, error };
            opts.onProgress?.({ action, phase: 'failed', error });
          }
        }),
      ),
    );
    const failed = indexes.map((i) => results[i]!).find((r) => !r.ok);
    if (failed) stopReason = `${describe(failed.action)} failed in phase ${phase}`;
  }
  return results.map((r) => r!);
}
