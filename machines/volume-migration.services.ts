/**
 * How a volume migration rewrites its consumer services' specs. Pure: Engine ServiceSpec in, new
 * ServiceSpec (or undefined: nothing to change) out.
 *
 * Placement: the target is a node-local volume on one node, so a switched consumer must run there.
 * Constraints that pin the service to another node (`node.hostname==X`, `node.id==X`) or away from
 * the target (`!=`) are dropped, and `node.hostname==<target>` is added unless a constraint already
 * pins the service to the target node. Rollback puts the recorded constraints back as they were.
 * The switched mount keeps its options but loses VolumeOptions.DriverConfig: the target exists on
 * the node already, and a driver named there would ask the node to create a volume of that driver.
 */
import type { ConsumerRecord, EngineMount, MigrationNode } from './volume-migration.types.js';

export interface EngineServiceSpec {
  Name?: string;
  Mode?: { Replicated?: { Replicas?: number }; Global?: object; [k: string]: unknown };
  TaskTemplate?: {
    ContainerSpec?: { Mounts?: EngineMount[]; [k: string]: unknown };
    Placement?: { Constraints?: string[]; [k: string]: unknown };
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

interface NodeConstraint {
  field: 'hostname' | 'id';
  op: '==' | '!=';
  value: string;
}

export function parseNodeConstraint(c: string): NodeConstraint | undefined {
  const m = /^\s*node\.(hostname|id)\s*(==|!=)\s*(.+?)\s*$/.exec(c);
  if (!m) return undefined;
  return { field: m[1] as NodeConstraint['field'], op: m[2] as NodeConstraint['op'], value: m[3]! };
}

const names = (c: NodeConstraint, node: MigrationNode): boolean =>
  c.field === 'hostname' ? c.value === node.hostname : c.value === node.id;

/** Whether the constraints keep the service off `node` (pinned to another node, or `!=` it). */
export function excludesNode(constraints: readonly string[], node: MigrationNode): boolean {
  return constraints.some((text) => {
    const c = parseNodeConstraint(text);
    if (!c) return false;
    return c.op === '==' ? !names(c, node) : names(c, node);
  });
}

export const isVolumeMount = (m: EngineMount, volume: string): boolean =>
  (m.Type ?? 'volume') === 'volume' && m.Source === volume;

export function mountsOf(spec: EngineServiceSpec): EngineMount[] {
  return spec.TaskTemplate?.ContainerSpec?.Mounts ?? [];
}

export function constraintsOf(spec: EngineServiceSpec): string[] {
  return spec.TaskTemplate?.Placement?.Constraints ?? [];
}

export function mountsVolume(spec: EngineServiceSpec, volume: string): boolean {
  return mountsOf(spec).some((m) => isVolumeMount(m, volume));
}

/** Replicated services only; undefined for global ones. */
export function replicasOf(spec: EngineServiceSpec): number | undefined {
  if (spec.Mode?.Replicated === undefined) return undefined;
  return spec.Mode.Replicated.Replicas ?? 1;
}

function withParts(spec: EngineServiceSpec, mounts: EngineMount[], constraints: string[]): EngineServiceSpec {
  const tt = spec.TaskTemplate ?? {};
  const placement: Record<string, unknown> = { ...tt.Placement };
  if (constraints.length > 0) placement['Constraints'] = constraints;
  else delete placement['Constraints'];
  const next: EngineServiceSpec = {
    ...spec,
    TaskTemplate: { ...tt, ContainerSpec: { ...tt.ContainerSpec, Mounts: mounts } },
  };
  if (Object.keys(placement).length > 0 || tt.Placement !== undefined)
    next.TaskTemplate = { ...next.TaskTemplate, Placement: placement };
  return next;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The spec with the source volume's mounts on the target and the service pinned to the target node. */
export function switchedSpec(
  spec: EngineServiceSpec,
  sourceVolume: string,
  target: { volume: string; node: MigrationNode },
): EngineServiceSpec | undefined {
  const mounts = mountsOf(spec).map((m): EngineMount => {
    if (!isVolumeMount(m, sourceVolume)) return m;
    const out: EngineMount = { ...m, Source: target.volume };
    if (m.VolumeOptions !== undefined) {
      const { DriverConfig: _dropped, ...rest } = m.VolumeOptions;
      if (Object.keys(rest).length > 0) out.VolumeOptions = rest;
      else delete out.VolumeOptions;
    }
    return out;
  });
  const kept = constraintsOf(spec).filter((text) => {
    const c = parseNodeConstraint(text);
    if (!c) return true;
    return c.op === '==' ? names(c, target.node) : !names(c, target.node);
  });
  const pinned = kept.some((text) => {
    const c = parseNodeConstraint(text);
    return c !== undefined && c.op === '==' && names(c, target.node);
  });
  if (!pinned) kept.push(`node.hostname==${target.node.hostname}`);
  if (same(mounts, mountsOf(spec)) && same(kept, constraintsOf(spec))) return undefined;
  return withParts(spec, mounts, kept);
}

/** The spec with the recorded mounts (matched by container path) and constraints back. */
export function restoredSpec(
  spec: EngineServiceSpec,
  record: ConsumerRecord,
  targetVolume: string,
): EngineServiceSpec | undefined {
  const mounts = mountsOf(spec).map((m) => {
    if (!isVolumeMount(m, targetVolume)) return m;
    return record.mounts.find((r) => r.Target === m.Target) ?? m;
  });
  const constraints = [...record.constraints];
  if (same(mounts, mountsOf(spec)) && same(constraints, constraintsOf(spec))) return undefined;
  return withParts(spec, mounts, constraints);
}

/** The spec with `replicas`, or undefined when it has them already. */
export function scaledSpec(spec: EngineServiceSpec, replicas: number): EngineServiceSpec | undefined {
  if (replicasOf(spec) === replicas) return undefined;
  return { ...spec, Mode: { ...spec.Mode, Replicated: { ...spec.Mode?.Replicated, Replicas: replicas } } };
}
