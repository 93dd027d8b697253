import { parseResource } from '../api/parse.js';
import { skError } from '../errors.js';
import type { DesiredState } from '../model/objects.js';
import type { OwnerRef } from '../model/ownership.js';
import type { DesiredResource } from '../source/resource.js';
import { DEFAULT_RESOLVE_IMAGE, type ResolveImageMode } from '../plan/image-pin.js';
import { networkDesiredState, type SwarmNetworkSpecInput } from './network.js';
import { type StackContext, stackDesiredState, type SwarmStackSpecInput } from './stack.js';

/** Per-resource planner settings read from the spec (the CLI may override prune/adopt). */
export interface ResourcePolicy {
  prune: boolean;
  adopt: boolean;
  recreatePolicy: 'Never' | 'Always';
  configRetention: number;
  ignore: string[];
  driftPolicy: 'correct' | 'detect';
  suspend: boolean;
  dependsOn: { kind: string; name: string; namespace?: string }[];
  /** How images are pinned to digests (SwarmStack spec.resolveImage; the CLI may override it). */
  resolveImage: ResolveImageMode;
}

export interface DesiredFor {
  desired: DesiredState;
  policy: ResourcePolicy;
  /** Stack namespace whose docker-stack-deploy objects may be adopted. */
  stackNamespace?: string;
  /** What loading accepted but the user should know (e.g. an unset variable), `<file>:<line>: <path>: …`. */
  warnings: string[];
}

/** The kinds `plan`/`apply` reconcile through the planner; the others run as machines. */
export const PLANNED_KINDS = ['SwarmStack', 'SwarmNetwork'] as const;

/** The resource as the CR-shaped document its schema validates. */
export function toDocument(res: DesiredResource): unknown {
  return (
    res.document ?? {
      apiVersion: 'swarmkeeper.io/v1alpha1',
      kind: res.kind,
      metadata: { name: res.name, namespace: res.namespace },
      spec: res.spec,
    }
  );
}

/** Validates a resource and translates it into Swarm objects. Throws terminal errors for bad input. */
export function desiredFor(res: DesiredResource, ctx: StackContext): DesiredFor {
  if (res.loadError) throw res.loadError;
  const parsed = parseResource(toDocument(res), res.origin.file) as { spec: Record<string, unknown> };
  const spec = parsed.spec;
  const owner: OwnerRef = { kind: res.kind, namespace: res.namespace, name: res.name };
  const policy: ResourcePolicy = {
    prune: (spec['prune'] as boolean | undefined) ?? true,
    adopt: (spec['adopt'] as boolean | undefined) ?? false,
    recreatePolicy: (spec['recreatePolicy'] as 'Never' | 'Always' | undefined) ?? 'Never',
    configRetention: (spec['configRetention'] as number | undefined) ?? 2,
    ignore: (spec['ignore'] as string[] | undefined) ?? [],
    driftPolicy: (spec['driftPolicy'] as 'correct' | 'detect' | undefined) ?? 'correct',
    suspend: (spec['suspend'] as boolean | undefined) ?? false,
    dependsOn: (spec['dependsOn'] as ResourcePolicy['dependsOn'] | undefined) ?? [],
    resolveImage: (spec['resolveImage'] as ResolveImageMode | undefined) ?? DEFAULT_RESOLVE_IMAGE,
  };
  switch (res.kind) {
    case 'SwarmStack': {
      const s = spec as SwarmStackSpecInput;
      const { state, warnings } = stackDesiredState(res, owner, s, ctx);
      return { desired: state, policy, stackNamespace: s.stackName ?? res.name, warnings };
    }
    case 'SwarmNetwork':
      return {
        desired: networkDesiredState(owner, spec as SwarmNetworkSpecInput, ctx.instanceId),
        policy,
        warnings: [],
      };
    default:
      throw skError(
        'RESOURCE_INVALID',
        `${res.origin.file}: ${res.key}: kind ${res.kind} is validated but not reconciled by this version of swarmkeeper (reconciled kinds: ${PLANNED_KINDS.join(', ')})`,
      );
  }
}
