/**
 * SwarmNode join + converge machine.
 *
 *   connect (ping the node's daemon) -> inspect (node /info, manager /info) -> decide
 *     locked                                  -> stalled (SwarmLocked)
 *     active in this swarm (same cluster ID,
 *       or a worker the manager knows)        -> waitReady (adopt)
 *     active in another swarm / error state   -> force ? forceLeave -> joinTarget : stalled (InOtherSwarm | SwarmError)
 *     pending                                 -> inspect again (a retry of inspect)
 *     inactive                                -> joinTarget (manager addresses) -> join (token fetched by
 *                                                the actor, never in the context) -> waitReady
 *   waitReady: poll the manager until the node is ready (a manager also reachable), bounded by readyTimeout
 *   -> checkOwner (owned by another resource: stalled OwnershipConflict) -> plan
 *     demotion asked     -> managers -> quorumDecide: allowed ? update : stalled (QuorumWouldBeLost)
 *     role/labels/availability (not drain) differ -> update -> waitReady -> plan (at most maxUpdateRounds)
 *     nothing to do      -> ready
 *
 * Availability `drain` is left to the drain machine (node-drain.machine.ts); `active`/`pause` (which
 * also undrains a drained node) are set here.
 */
import { initialNodeContext, nodeOutput, nodeSetup as S } from './node.setup.js';
import { convergeUpdate } from './node-plan.js';
import { onError, pollNode, retrying, quorumStates } from './node-steps.js';

const ID = 'nodeJoin';
const M = `#${ID}`;

export const nodeJoinMachine = S.createMachine({
  id: ID,
  context: ({ input }) => initialNodeContext(input),
  initial: 'connect',
  states: {
    connect: retrying(ID, 'connect', {
      id: 'connect',
      src: 'connect',
      input: () => ({}),
      onDone: `${M}.inspect`,
      onError: onError(),
    }),
    inspect: retrying(ID, 'inspect', {
      id: 'inspect',
      src: 'inspect',
      input: () => ({}),
      onDone: [
        {
          guard: { type: 'joinPending', params: ({ event }) => ({ inspection: event.output }) },
          target: 'retry',
          actions: [
            { type: 'setInspection', params: ({ event }) => ({ inspection: event.output }) },
            'recordPending',
          ],
        },
        {
          target: `${M}.decide`,
          actions: { type: 'setInspection', params: ({ event }) => ({ inspection: event.output }) },
        },
      ],
      onError: onError(),
    }),
    decide: {
      always: [
        {
          guard: 'swarmLocked',
          target: 'stalled',
          actions: { type: 'stall', params: { reason: 'SwarmLocked' } },
        },
        { guard: 'inThisSwarm', target: 'waitReady' },
        { guard: 'activeElsewhere', target: 'forceLeave' },
        { guard: 'swarmError', target: 'errorState' },
        { target: 'joinTarget' },
      ],
    },
    /** Active in another swarm. */
    forceLeave: {
      always: [
        { guard: 'force', target: 'leaving' },
        { target: 'stalled', actions: { type: 'stall', params: { reason: 'InOtherSwarm' } } },
      ],
    },
    errorState: {
      always: [
        { guard: 'force', target: 'leaving' },
        { target: 'stalled', actions: { type: 'stall', params: { reason: 'SwarmError' } } },
      ],
    },
    leaving: retrying(ID, 'forceLeave', {
      id: 'leave',
      src: 'leave',
      input: () => ({ force: true }),
      onDone: `${M}.joinTarget`,
      onError: onError(),
    }),
    joinTarget: retrying(ID, 'joinTarget', {
      id: 'joinTarget',
      src: 'joinTarget',
      input: () => ({}),
      onDone: {
        target: `${M}.join`,
        actions: { type: 'setRemoteAddrs', params: ({ event }) => ({ remoteAddrs: event.output }) },
      },
      onError: onError(),
    }),
    join: retrying(ID, 'join', {
      id: 'join',
      src: 'join',
      input: ({ context }) => ({
        role: context.desired?.role ?? 'worker',
        // Stryker disable next-line ArrayDeclaration: equivalent, join follows joinTarget, which sets the addresses
        remoteAddrs: context.remoteAddrs ?? [],
        ...(context.advertiseAddr !== undefined ? { advertiseAddr: context.advertiseAddr } : {}),
        ...(context.listenAddr !== undefined ? { listenAddr: context.listenAddr } : {}),
      }),
      onDone: {
        target: `${M}.waitReady`,
        actions: { type: 'setJoined', params: ({ event }) => ({ nodeId: event.output.nodeId }) },
      },
      onError: onError(),
    }),
    waitReady: pollNode('waitReady', 'settled', `${M}.checkOwner`, 'readyTimeout', `${M}.failed`),
    checkOwner: {
      always: [
        {
          guard: 'ownedByOther',
          target: 'stalled',
          actions: { type: 'stall', params: { reason: 'OwnershipConflict' } },
        },
        { target: 'plan' },
      ],
    },
    plan: {
      always: [
        { guard: 'needsDemotion', target: 'quorum' },
        { guard: 'needsUpdate', target: 'guardUpdates' },
        { target: 'ready' },
      ],
    },
    guardUpdates: {
      always: [
        { guard: 'tooManyUpdates', target: 'failed', actions: 'updatesExhausted' },
        { target: 'update' },
      ],
    },
    ...quorumStates(ID, 'demote', 'guardUpdates'),
    update: retrying(ID, 'update', {
      id: 'update',
      src: 'update',
      // Stryker disable next-line ObjectLiteral,StringLiteral: equivalent, update is entered only when convergeUpdate gives one
      input: ({ context }) => convergeUpdate(context) ?? { nodeId: context.nodeId ?? '' },
      onDone: {
        target: `${M}.waitReady`,
        actions: [{ type: 'setView', params: ({ event }) => ({ view: event.output }) }, 'countUpdate'],
      },
      onError: onError(),
    }),
    ready: { type: 'final', entry: 'finishReady' },
    stalled: { type: 'final' },
    failed: { type: 'final', entry: 'finishFailed' },
  },
  output: ({ context }) => nodeOutput(context),
});

export type NodeJoinMachine = typeof nodeJoinMachine;
