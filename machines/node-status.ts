/**
 * Status of a SwarmNode from its machines (pure): phase, progress, the node's fields as the manager
 * reports them, and the Ready / Reconciling / Stalled (and Drained) conditions; plus the error whose
 * retry policy the controller applies.
 *
 *   outcome   phase     Ready                 Reconciling         Stalled              error (policy)
 *   Ready     Ready     True  Joined|Ready    False               False                -
 *   Drained   Drained   True  Drained         False               False                -
 *   Stalled   Stalled   False <reason>        False               True <reason>        NODE_QUORUM (waiting 30 s),
 *                                                                                      OWNERSHIP_CONFLICT, NODE_SWARM_STATE (terminal)
 *   Failed    Failed    False <reason>        True <reason>       False                NODE_DRAIN_TIMEOUT | DOCKER_API (transient)
 *   running   Joining|Converging|Draining|Removing: Ready False, Reconciling True, message = progress
 */
import { skError, type SwarmkeeperError } from '../reconciler/errors.js';
import { setCondition, removeCondition, type Condition } from '../reconciler/status/conditions.js';
import type { ResourceStatus } from '../reconciler/status/resource-status.js';
import { stepProgress } from './node-messages.js';
import { drainDone } from './node-plan.js';
import type { NodeMachineContext, NodeMachineOutput, SwarmNodeView } from './node.types.js';

export type NodePhase =
  'Pending' | 'Joining' | 'Converging' | 'Draining' | 'Removing' | 'Ready' | 'Drained' | 'Stalled' | 'Failed';

export interface SwarmNodeStatusOut extends ResourceStatus {
  nodeId?: string;
  hostname?: string;
  role?: string;
  availability?: string;
  state?: string;
  engineVersion?: string;
  phase?: string;
  progress?: string;
  [field: string]: unknown;
}

interface Cond {
  reason: string;
  message: string;
}

export interface NodeStatusInput {
  phase: NodePhase;
  progress?: string;
  ready: Cond & { status: 'True' | 'False' };
  /** Undefined: Reconciling False. */
  reconciling?: Cond;
  /** Undefined: Stalled False. */
  stalled?: Cond;
  /** True/False sets the Drained condition; undefined removes it (availability is not drain). */
  drained?: (Cond & { status: 'True' | 'False' }) | undefined;
  /** The node as the manager reports it; null: gone; undefined: unknown (keep the previous fields). */
  view?: SwarmNodeView | null;
  generation?: number;
}

const NODE_FIELDS = ['nodeId', 'hostname', 'role', 'availability', 'state', 'engineVersion'] as const;

export function nodeStatus(
  prev: Partial<SwarmNodeStatusOut> | undefined,
  s: NodeStatusInput,
  now: Date,
): SwarmNodeStatusOut {
  const gen = s.generation === undefined ? {} : { observedGeneration: s.generation };
  let conditions: Condition[] = prev?.conditions ?? [];
  conditions = setCondition(conditions, { type: 'Ready', ...s.ready, ...gen }, now);
  conditions = setCondition(
    conditions,
    s.reconciling
      ? { type: 'Reconciling', status: 'True', ...s.reconciling, ...gen }
      : { type: 'Reconciling', status: 'False', reason: 'Idle', message: '', ...gen },
    now,
  );
  conditions = setCondition(
    conditions,
    s.stalled
      ? { type: 'Stalled', status: 'True', ...s.stalled, ...gen }
      : { type: 'Stalled', status: 'False', reason: 'NotStalled', message: '', ...gen },
    now,
  );
  conditions = s.drained
    ? setCondition(conditions, { type: 'Drained', ...s.drained, ...gen }, now)
    : removeCondition(conditions, 'Drained');
  const out: SwarmNodeStatusOut = { conditions, phase: s.phase };
  if (s.generation !== undefined && (s.stalled !== undefined || s.reconciling === undefined))
    out.observedGeneration = s.generation;
  else if (prev?.observedGeneration !== undefined) out.observedGeneration = prev.observedGeneration;
  if (s.progress !== undefined && s.progress !== '') out.progress = s.progress;
  if (s.view === undefined) {
    for (const f of NODE_FIELDS) if (prev?.[f] !== undefined) out[f] = prev[f];
  } else if (s.view !== null) {
    out.nodeId = s.view.id;
    out.hostname = s.view.hostname;
    out.role = s.view.role;
    out.availability = s.view.availability;
    out.state = s.view.state;
    if (s.view.engineVersion !== undefined) out.engineVersion = s.view.engineVersion;
  }
  return out;
}

const STEP_PHASE: Partial<Record<string, NodePhase>> = {
  forceLeave: 'Joining',
  joinTarget: 'Joining',
  join: 'Joining',
  waitReady: 'Joining',
  managers: 'Converging',
  update: 'Converging',
};

/**
 * The phase and progress of a running machine, or undefined for a step that changes nothing and is
 * quick (connect, inspect, a look at a node that turns out converged): a resync of a converged node
 * must not make its status flap.
 */
export function runningNodeStatus(
  machineId: string,
  context: NodeMachineContext,
): { phase: NodePhase; progress: string } | undefined {
  const progress = stepProgress(context);
  if (machineId === 'nodeRemove') return { phase: 'Removing', progress };
  if (machineId === 'nodeDrain') {
    if (context.step !== 'drainWait' || context.drain === undefined || drainDone(context.drain))
      return undefined;
    return { phase: 'Draining', progress };
  }
  const phase = STEP_PHASE[context.step];
  if (phase === undefined) return undefined;
  if (context.step === 'waitReady' && !context.joined && context.updates === 0) return undefined;
  if (context.step === 'managers' && context.desired?.role !== 'worker') return undefined;
  return { phase, progress };
}

/** Status of a machine still running (progress), built on the previous status. */
export function progressStatus(
  prev: Partial<SwarmNodeStatusOut> | undefined,
  running: { phase: NodePhase; progress: string },
  view: SwarmNodeView | null | undefined,
  generation: number | undefined,
  draining: boolean,
  now: Date,
): SwarmNodeStatusOut {
  const c = { reason: running.phase, message: running.progress };
  return nodeStatus(
    prev,
    {
      phase: running.phase,
      progress: running.progress,
      ready: { status: 'False', ...c },
      reconciling: c,
      drained: draining ? { status: 'False', ...c } : undefined,
      ...(view !== undefined ? { view } : {}),
      ...(generation !== undefined ? { generation } : {}),
    },
    now,
  );
}

/** The error a Stalled or Failed outcome gives the controller (its policy decides the retry). */
export function outcomeError(out: NodeMachineOutput): SwarmkeeperError | undefined {
  if (out.outcome === 'Stalled') {
    if (out.reason === 'QuorumWouldBeLost')
      return skError('NODE_QUORUM', out.message, { requeueAfterMs: 30_000 });
    if (out.reason === 'OwnershipConflict') return skError('OWNERSHIP_CONFLICT', out.message);
    return skError('NODE_SWARM_STATE', out.message);
  }
  if (out.outcome === 'Failed')
    return skError(out.reason === 'DrainTimeout' ? 'NODE_DRAIN_TIMEOUT' : 'DOCKER_API', out.message);
  return undefined;
}

/** Final status of a machine run. `draining`: spec.availability is drain (the Drained condition is kept). */
export function finalNodeStatus(
  prev: Partial<SwarmNodeStatusOut> | undefined,
  out: NodeMachineOutput,
  view: SwarmNodeView | null | undefined,
  generation: number | undefined,
  draining: boolean,
  now: Date,
): SwarmNodeStatusOut {
  const c = { reason: out.reason, message: out.message };
  const g = generation !== undefined ? { generation } : {};
  const v = view !== undefined ? { view } : out.view !== undefined ? { view: out.view } : {};
  const notDrained = draining ? { status: 'False' as const, ...c } : undefined;
  switch (out.outcome) {
    case 'Ready':
    case 'Removed':
      return nodeStatus(
        prev,
        { phase: 'Ready', ready: { status: 'True', ...c }, drained: notDrained, ...v, ...g },
        now,
      );
    case 'Drained':
      return nodeStatus(
        prev,
        {
          phase: 'Drained',
          ready: { status: 'True', ...c },
          drained: { status: 'True', ...c },
          ...v,
          ...g,
        },
        now,
      );
    case 'Stalled':
      return nodeStatus(
        prev,
        { phase: 'Stalled', ready: { status: 'False', ...c }, stalled: c, drained: notDrained, ...v, ...g },
        now,
      );
    case 'Failed':
      return nodeStatus(
        prev,
        {
          phase: 'Failed',
          ready: { status: 'False', ...c },
          reconciling: c,
          drained: notDrained,
          ...v,
          ...g,
        },
        now,
      );
  }
}

/**
 * driftPolicy detect: the node drifted from a spec it was brought to before. Nothing is changed:
 * the status keeps its phase and Ready, and Drifted=True names the fields.
 */
export function driftedNodeStatus(
  prev: Partial<SwarmNodeStatusOut> | undefined,
  paths: readonly string[],
  view: SwarmNodeView,
  generation: number | undefined,
  now: Date,
): SwarmNodeStatusOut {
  const ready = prev?.conditions?.find((c) => c.type === 'Ready');
  const drained = prev?.conditions?.find((c) => c.type === 'Drained');
  const phase = prev?.phase === 'Drained' ? 'Drained' : 'Ready';
  const out = nodeStatus(
    prev,
    {
      phase,
      ready: {
        status: ready?.status === 'True' ? 'True' : 'False',
        reason: ready?.reason ?? 'Ready',
        message: ready?.message ?? '',
      },
      ...(drained
        ? {
            drained: {
              status: drained.status === 'True' ? 'True' : 'False',
              reason: drained.reason,
              message: drained.message,
            },
          }
        : {}),
      view,
      ...(generation !== undefined ? { generation } : {}),
    },
    now,
  );
  out.conditions = driftCondition(out.conditions, paths, generation, now);
  if (prev?.desiredHash !== undefined) out.desiredHash = prev.desiredHash;
  return out;
}

/** The Drifted condition of a driftPolicy detect node: True with the fields, or False (InSync). */
export function driftCondition(
  conditions: readonly Condition[],
  paths: readonly string[],
  generation: number | undefined,
  now: Date,
): Condition[] {
  const gen = generation === undefined ? {} : { observedGeneration: generation };
  return setCondition(
    conditions,
    paths.length > 0
      ? {
          type: 'Drifted',
          status: 'True',
          reason: 'DriftDetected',
          message: `out-of-band changes: ${paths.join(', ')}`,
          ...gen,
        }
      : { type: 'Drifted', status: 'False', reason: 'InSync', message: '', ...gen },
    now,
  );
}
