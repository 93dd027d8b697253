/**
 * setup() shared by the SwarmNode machines (node-join, node-drain, node-remove): actor placeholders
 * (real ones come with `.provide({ actors })`, see controllers/node/node-actors.ts), guards,
 * actions and delays. One setup, so the step builders (node-steps.ts) and the drain states serve all three.
 *
 * The join token never enters the context: snapshots are persisted in Redis, so the `join` actor
 * fetches the token from the manager itself and sends it straight to the node.
 */
import { assign, fromPromise, setup } from 'xstate';
import {
  drainedMessage,
  drainTimeoutMessage,
  FAILURE_REASON,
  nodeName,
  pollTimeoutMessage,
  readyMessage,
  stallMessage,
  stepFailureMessage,
} from './node-messages.js';
import {
  convergeUpdate,
  drainDone,
  inThisSwarm,
  isManagerView,
  ownedByMe,
  ownedByOther,
  unionIds,
  viewSettled,
} from './node-plan.js';
import { quorumAfterRemoving, type ManagerMember } from './node-quorum.js';
import { retryAssigners, retryDelays, retryGuards } from './step-state.js';
import type {
  DrainObservation,
  DrainStatusInput,
  JoinInput,
  LeaveInput,
  NodeIdInput,
  NodeInspection,
  NodeMachineContext,
  NodeMachineInput,
  NodeMachineOutput,
  NodeStepName,
  RemoveNodeInput,
  SwarmNodeView,
  UpdateInput,
} from './node.types.js';

function notProvided(name: string): never {
  throw new Error(`node machine actor "${name}" is not provided; use machine.provide({ actors })`);
}

type NoInput = Record<string, never>;

/** The actors the machines invoke; `.provide()` replaces every one of them. */
export const nodeActors = {
  /** GET /_ping on the node's daemon. */
  connect: fromPromise<void, NoInput>(async () => notProvided('connect')),
  /** GET /info on the node and the manager; whether the manager knows the node. */
  inspect: fromPromise<NodeInspection, NoInput>(async () => notProvided('inspect')),
  /** Manager addresses to join through (the manager's Swarm.RemoteManagers, or NodeAddr:2377). */
  joinTarget: fromPromise<string[], NoInput>(async () => notProvided('joinTarget')),
  /** Join token from the manager, POST /swarm/join on the node; idempotent (an active node is done). */
  join: fromPromise<{ nodeId: string }, JoinInput>(async () => notProvided('join')),
  /** GET /nodes/{id} on the manager; null when it does not know the node. */
  nodeState: fromPromise<SwarmNodeView | null, NodeIdInput>(async () => notProvided('nodeState')),
  /** The managers (GET /nodes?filters=role=manager) with their reachability. */
  managers: fromPromise<ManagerMember[], NoInput>(async () => notProvided('managers')),
  /** Read-modify-write of the node spec (re-read and retried on `update out of sequence`). */
  update: fromPromise<SwarmNodeView, UpdateInput>(async () => notProvided('update')),
  /** Tasks of replicated services on the node, and whether their replacements run elsewhere. */
  drainStatus: fromPromise<DrainObservation, DrainStatusInput>(async () => notProvided('drainStatus')),
  /** POST /swarm/leave on the node's daemon; idempotent (an inactive node is done). */
  leave: fromPromise<void, LeaveInput>(async () => notProvided('leave')),
  /** DELETE /nodes/{id} on the manager; idempotent (404 is done). */
  removeNode: fromPromise<void, RemoveNodeInput>(async () => notProvided('removeNode')),
};

export type NodeActors = typeof nodeActors;

const retry = retryAssigners<NodeMachineContext>();

export const nodeSetup = setup({
  types: {
    input: {} as NodeMachineInput,
    context: {} as NodeMachineContext,
    events: {} as { type: 'RESUME' },
    output: {} as NodeMachineOutput,
  },
  actors: nodeActors,
  guards: {
    ...retryGuards,
    force: ({ context }) => context.force,
    // Stryker disable next-line OptionalChaining: equivalent, decide follows inspect, which sets the inspection
    swarmLocked: ({ context }) => context.inspection?.node.localState === 'locked',
    // Stryker disable next-line OptionalChaining: equivalent, decide follows inspect, which sets the inspection
    swarmError: ({ context }) => context.inspection?.node.localState === 'error',
    inThisSwarm: ({ context }) => inThisSwarm(context.inspection),
    activeElsewhere: ({ context }) =>
      // Stryker disable next-line OptionalChaining: equivalent, decide follows inspect, which sets the inspection
      context.inspection?.node.localState === 'active' && !inThisSwarm(context.inspection),
    joinPending: (_, params: { inspection: NodeInspection }) =>
      params.inspection.node.localState === 'pending',
    ownedByOther: ({ context }) => ownedByOther(context),
    notOwned: ({ context }) => !ownedByMe(context),
    nodeGone: ({ context }) => context.view === null,
    isManager: ({ context }) => isManagerView(context.view),
    needsDemotion: ({ context }) => context.desired?.role === 'worker' && isManagerView(context.view),
    needsUpdate: ({ context }) => convergeUpdate(context) !== undefined,
    tooManyUpdates: ({ context }) => context.updates >= context.policy.maxUpdateRounds,
    // Stryker disable next-line OptionalChaining: equivalent, quorumDecide follows the managers step, which sets the verdict
    quorumAllows: ({ context }) => context.quorum?.allowed === true,
    isDrained: ({ context }) => context.drained,
    settled: (_, params: { view: SwarmNodeView | null }) => viewSettled(params.view),
    drainFinished: (_, params: { observation: DrainObservation }) => drainDone(params.observation),
    demoted: (_, params: { view: SwarmNodeView | null }) =>
      params.view === null || (params.view.role === 'worker' && params.view.reachability === undefined),
    downOrGone: (_, params: { view: SwarmNodeView | null }) =>
      params.view === null || params.view.state === 'down',
  },
  actions: {
    enterStep: assign((_, params: { step: NodeStepName }) => ({
      step: params.step,
      attempt: 1,
      lastFailure: undefined,
      checks: 0,
    })),
    nextAttempt: assign(retry.nextAttempt),
    recordError: assign(retry.recordError),
    recordTimeout: assign(retry.recordTimeout),
    recordPending: assign({
      lastFailure: {
        message: 'the node is joining a swarm (LocalNodeState pending)',
        retryable: true,
      },
    }),
    countCheck: assign(({ context }) => ({ checks: context.checks + 1 })),
    setInspection: assign((_, params: { inspection: NodeInspection }) => ({
      inspection: params.inspection,
      ...(params.inspection.node.nodeId !== '' ? { nodeId: params.inspection.node.nodeId } : {}),
    })),
    setRemoteAddrs: assign((_, params: { remoteAddrs: string[] }) => ({ remoteAddrs: params.remoteAddrs })),
    setJoined: assign((_, params: { nodeId: string }) => ({ nodeId: params.nodeId, joined: true })),
    setView: assign((_, params: { view: SwarmNodeView | null }) => ({
      view: params.view,
      ...(params.view !== null ? { nodeId: params.view.id } : {}),
    })),
    countUpdate: assign(({ context }) => ({ updates: context.updates + 1 })),
    setQuorum: assign(({ context }, params: { managers: ManagerMember[]; action: 'remove' | 'demote' }) => ({
      quorum: quorumAfterRemoving(
        params.managers,
        // Stryker disable next-line StringLiteral: equivalent, the quorum is checked for a node seen by the manager (setView sets its ID)
        context.nodeId ?? '',
        // Stryker disable next-line OptionalChaining: equivalent, the quorum is checked only for a manager the manager lists
        context.view?.hostname ?? context.node,
        params.action,
      ),
    })),
    setDrain: assign(({ context }, params: { observation: DrainObservation }) => ({
      drain: params.observation,
      services: unionIds(context.services, params.observation.services),
    })),
    markDrained: assign({ drained: true }),
    markDown: assign({ down: true }),
    pollTimedOut: assign(({ context }, params: { timeoutMs: number }) => ({
      lastFailure: {
        message:
          context.step === 'drainWait'
            ? drainTimeoutMessage(context)
            : pollTimeoutMessage(context, params.timeoutMs),
        retryable: false,
      },
    })),
    stall: assign(({ context }, params: { reason: string }) => ({
      outcome: 'Stalled' as const,
      reason: params.reason,
      message: stallMessage(params.reason, context),
    })),
    finishFailed: assign(({ context }) => {
      if (context.outcome !== undefined) return {};
      const polling = ['waitReady', 'drainWait', 'waitDemoted', 'waitDown'].includes(context.step);
      return {
        outcome: 'Failed' as const,
        reason: FAILURE_REASON[context.step],
        message:
          polling && context.lastFailure?.retryable === false
            ? context.lastFailure.message
            : stepFailureMessage(context),
      };
    }),
    updatesExhausted: assign(({ context }) => ({
      outcome: 'Failed' as const,
      reason: FAILURE_REASON.update,
      message: `node ${nodeName(context)}: the node spec did not converge after ${context.updates} updates (changed by someone else?)`,
    })),
    finishReady: assign(({ context }) => ({
      outcome: 'Ready' as const,
      reason: context.joined ? 'Joined' : 'Ready',
      message: readyMessage(context),
    })),
    finishDrained: assign(({ context }) => ({
      outcome: 'Drained' as const,
      reason: 'Drained',
      message: drainedMessage(context),
    })),
    finishRemoved: assign(({ context }, params: { reason: 'Removed' | 'AlreadyGone' | 'NotOwned' }) => {
      const name = context.view?.hostname ?? context.node;
      const message =
        params.reason === 'Removed'
          ? `node ${name} left the swarm and was removed from it`
          : params.reason === 'AlreadyGone'
            ? `node ${context.nodeId ?? name} is not in the swarm (already removed)`
            : `node ${name} is not owned by ${context.key}: left in the swarm untouched`;
      return { outcome: 'Removed' as const, reason: params.reason, message };
    }),
  },
  delays: {
    ...retryDelays,
    pollInterval: ({ context }) => context.policy.pollIntervalMs,
    readyTimeout: ({ context }) => context.policy.readyTimeoutMs,
    drainTimeout: ({ context }) => context.policy.drainTimeoutMs,
    downTimeout: ({ context }) => context.policy.downTimeoutMs,
  },
});

/** The context every node machine starts with. */
export function initialNodeContext(input: NodeMachineInput): NodeMachineContext {
  return {
    ...input,
    step: 'connect',
    attempt: 1,
    checks: 0,
    joined: false,
    updates: 0,
    services: [],
    drained: false,
    down: false,
  };
}

/** The output every node machine ends with. */
export function nodeOutput(context: NodeMachineContext): NodeMachineOutput {
  const out: NodeMachineOutput = {
    // Stryker disable next-line StringLiteral: equivalent, every final state is entered with outcome, reason and message set
    outcome: context.outcome ?? 'Failed',
    // Stryker disable next-line StringLiteral: equivalent, every final state is entered with outcome, reason and message set
    reason: context.reason ?? 'Unknown',
    // Stryker disable next-line StringLiteral: equivalent, every final state is entered with outcome, reason and message set
    message: context.message ?? '',
    joined: context.joined,
  };
  if (context.nodeId !== undefined) out.nodeId = context.nodeId;
  if (context.view) out.view = context.view;
  return out;
}
