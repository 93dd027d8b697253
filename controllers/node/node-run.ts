/**
 * The steps of the SwarmNode kind around its machines: the spec parsed, the machine input and its
 * hash, the manager-change lock, one machine run with live progress statuses, and the statuses of a
 * stalled node and of one waiting for the lock.
 */
import { compareNames } from '../../reconciler/model/order.js';
import type { Redis } from 'ioredis';
import type { AnyStateMachine, SnapshotFrom } from 'xstate';
import type { NodePolicy } from '../../machines/node-policy.js';
import {
  nodeStatus,
  progressStatus,
  runningNodeStatus,
  type SwarmNodeStatusOut,
} from '../../machines/node-status.js';
import type {
  NodeMachineContext,
  NodeMachineInput,
  NodeMachineOutput,
  SwarmNodeView,
} from '../../machines/node.types.js';
import { swarmNodeSpecSchema, type SwarmNodeSpec } from '../../reconciler/api/swarm-node.js';
import { skError, type SwarmkeeperError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import type { KindReconcileContext, KindStatus } from '../ports.js';
import { KeyLocks, type HeldLock } from '../runtime/queue/key-lock.js';
import { hashInput, runMachine } from '../machine-runner/machine-runner.js';
import type { MachineSnapshotStore } from '../machine-runner/snapshot-store.js';
import type { NodeOps } from './node-actors.js';

export interface ManagerChangeLock {
  /** The lock, or undefined when another reconcile holds it. */
  tryAcquire(): Promise<HeldLock | undefined>;
}

export const prevOf = (ctx: KindReconcileContext) => ctx.prev as SwarmNodeStatusOut | undefined;

export function redisLock(redis: Redis, instanceId: string): ManagerChangeLock {
  const locks = new KeyLocks(redis, `swarmkeeper:${instanceId}:swarmnode:`, 30_000);
  return { tryAcquire: () => locks.tryAcquire('manager-change') };
}

export function parseSpec(res: DesiredResource): SwarmNodeSpec | SwarmkeeperError {
  const r = swarmNodeSpecSchema.safeParse(res.spec);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ');
  return skError('RESOURCE_INVALID', `${res.key}: ${issues}`);
}

/** Hash of what a join run converges (role, availability, labels): the spec a status was brought to. */
export function nodeSpecHash(spec: Pick<SwarmNodeSpec, 'role' | 'availability' | 'labels'>): string {
  const labels = spec.labels && Object.entries(spec.labels).sort(([a], [b]) => compareNames(a, b));
  return hashInput([spec.role ?? null, spec.availability ?? null, labels ?? null]);
}

/** The machine input for a spec (also hashed: a changed spec does not resume an old snapshot). */
export function nodeMachineInput(
  key: string,
  instance: string,
  spec: Pick<SwarmNodeSpec, 'address' | 'force'> & Partial<SwarmNodeSpec>,
  policy: NodePolicy,
  nodeId?: string,
  /** The node's hostname when known (messages); default spec.address. */
  name?: string,
): NodeMachineInput {
  const input: NodeMachineInput = { key, instance, node: name ?? spec.address, policy, force: spec.force };
  if (spec.role !== undefined || spec.availability !== undefined || spec.labels !== undefined) {
    input.desired = {};
    if (spec.role !== undefined) input.desired.role = spec.role;
    if (spec.availability !== undefined) input.desired.availability = spec.availability;
    if (spec.labels !== undefined) input.desired.labels = spec.labels;
  }
  if (spec.advertiseAddr !== undefined) input.advertiseAddr = spec.advertiseAddr;
  if (spec.listenAddr !== undefined) input.listenAddr = spec.listenAddr;
  if (nodeId !== undefined) input.nodeId = nodeId;
  return input;
}

/** Whether a join/converge run may change the managers (so it must hold the manager-change lock). */
export function mayChangeManagers(spec: Pick<SwarmNodeSpec, 'role'>, prevRole: string | undefined): boolean {
  if (spec.role === undefined) return false;
  return !(spec.role === 'worker' && prevRole === 'worker');
}

export function nodeRunSteps(deps: {
  store: MachineSnapshotStore;
  now: () => Date;
  machineDeadlineMs?: number;
}) {
  const { store, now } = deps;
  /** Runs one machine, writing progress statuses; never throws (a crash of the run is a Failed outcome). */
  async function run(
    machine: AnyStateMachine,
    input: NodeMachineInput,
    key: string,
    ctx: KindReconcileContext,
    draining: boolean,
    generation: number | undefined,
  ): Promise<NodeMachineOutput> {
    let last = '';
    let writes: Promise<void> = Promise.resolve();
    const onSnapshot = (s: SnapshotFrom<AnyStateMachine>) => {
      if (s.status !== 'active') return;
      const context = s.context as NodeMachineContext;
      const running = runningNodeStatus(machine.id, context);
      if (running === undefined) return;
      const sig = `${running.phase}|${running.progress}`;
      if (sig === last) return;
      last = sig;
      const status = progressStatus(prevOf(ctx), running, context.view, generation, draining, now());
      writes = writes
        .then(() => ctx.progress(status as KindStatus))
        .catch((err: unknown) => ctx.log.warn({ err }, 'progress status write failed'));
    };
    try {
      const r = await runMachine({
        machine,
        input,
        key,
        store,
        deadlineMs: deps.machineDeadlineMs ?? 15 * 60_000,
        signal: ctx.signal,
        onSnapshot,
      });
      if (r.resumedFrom !== undefined)
        ctx.log.info(
          { machine: machine.id, resumedFrom: r.resumedFrom },
          'resumed an interrupted node machine',
        );
      if (r.persistError) ctx.log.warn({ err: r.persistError }, 'machine snapshot not persisted');
      return r.output as NodeMachineOutput;
    } catch (e) {
      return {
        outcome: 'Failed',
        reason: 'MachineFailed',
        message: `${input.key}: ${e instanceof Error ? e.message : String(e)}`,
        joined: false,
      };
    } finally {
      await writes;
    }
  }

  /** The node as the manager sees it now (status fields); undefined when that cannot be read. */
  async function freshView(
    ops: NodeOps,
    nodeId: string | undefined,
  ): Promise<SwarmNodeView | null | undefined> {
    if (nodeId === undefined) return undefined;
    try {
      return await ops.nodeState({ input: { nodeId }, signal: new AbortController().signal });
    } catch {
      return undefined;
    }
  }

  function stalledStatus(
    prev: SwarmNodeStatusOut | undefined,
    error: SwarmkeeperError,
    generation: number | undefined,
  ): SwarmNodeStatusOut {
    const c = { reason: error.reason, message: error.message };
    const terminal = error.policy === 'terminal';
    return nodeStatus(
      prev,
      {
        phase: terminal ? 'Stalled' : 'Failed',
        ready: { status: 'False', ...c },
        ...(terminal ? { stalled: c } : { reconciling: c }),
        ...(generation !== undefined ? { generation } : {}),
      },
      now(),
    );
  }

  function waitingForLock(
    prev: SwarmNodeStatusOut | undefined,
    phase: 'Joining' | 'Removing',
    generation: number | undefined,
  ): SwarmNodeStatusOut {
    // a converged node that only re-checks keeps its status (no Ready flapping while another node changes)
    if (
      phase === 'Joining' &&
      prev?.phase === 'Ready' &&
      prev.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')
    )
      return prev;
    const c = {
      reason: 'WaitingForManagerChange',
      message: 'another SwarmNode is changing the swarm managers; waiting for it to finish',
    };
    return nodeStatus(
      prev,
      {
        phase,
        progress: c.message,
        ready: { status: 'False', ...c },
        reconciling: c,
        ...(generation !== undefined ? { generation } : {}),
      },
      now(),
    );
  }

  return { run, freshView, stalledStatus, waitingForLock };
}
