/**
 * SwarmNode remove machine (the resource is deleted, or its key left the source, with deletionPolicy Delete).
 *
 *   inspect (the manager's view of the node) -> decide
 *     unknown to the manager          -> removed (AlreadyGone)
 *     not owned by this resource      -> removed (NotOwned: the node is left untouched)
 *     a manager                       -> managers -> quorumDecide: refused -> stalled (QuorumWouldBeLost)
 *     -> observe -> setDrain -> drainWait (the drain machine's states)
 *     -> a manager: managers again (the quorum is re-checked right before the demotion)
 *        -> demote (role worker) -> waitDemoted (no longer a Raft member)
 *     -> leave (POST /swarm/leave on the node's daemon)
 *     -> waitDown (the manager sees the node down) -> removeNode (DELETE /nodes/{id})
 *   spec.force: when the node cannot leave (its daemon is gone) or is not seen down within
 *   downTimeout, `node rm --force` instead of failing. force never overrides the quorum rule.
 */
import { initialNodeContext, nodeOutput, nodeSetup as S } from './node.setup.js';
import { drainStates, onError, pollNode, retrying, quorumStates } from './node-steps.js';

const ID = 'nodeRemove';
const M = `#${ID}`;

export const nodeRemoveMachine = S.createMachine({
  id: ID,
  context: ({ input }) => ({ ...initialNodeContext(input), step: 'inspect' as const }),
  initial: 'inspect',
  states: {
    inspect: retrying(ID, 'inspect', {
      id: 'nodeState',
      src: 'nodeState',
      input: ({ context }) => ({ nodeId: context.nodeId ?? '' }),
      onDone: {
        target: `${M}.decide`,
        actions: { type: 'setView', params: ({ event }) => ({ view: event.output }) },
      },
      onError: onError(),
    }),
    decide: {
      always: [
        {
          guard: 'nodeGone',
          target: 'removed',
          actions: { type: 'finishRemoved', params: { reason: 'AlreadyGone' as const } },
        },
        {
          guard: 'notOwned',
          target: 'removed',
          actions: { type: 'finishRemoved', params: { reason: 'NotOwned' as const } },
        },
        { guard: 'isManager', target: 'quorum' },
        { target: 'observe' },
      ],
    },
    ...quorumStates(ID, 'remove', 'afterQuorum'),
    afterQuorum: {
      always: [{ guard: 'isDrained', target: 'demote' }, { target: 'observe' }],
    },
    ...drainStates(ID, `${M}.afterDrain`),
    afterDrain: {
      always: [{ guard: 'isManager', target: 'quorum' }, { target: 'leave' }],
    },
    demote: retrying(ID, 'demote', {
      id: 'update',
      src: 'update',
      // Stryker disable next-line StringLiteral: equivalent, the inspect step's view gave the node's ID (a gone node ends there)
      input: ({ context }) => ({ nodeId: context.nodeId ?? '', role: 'worker' as const }),
      onDone: {
        target: `${M}.waitDemoted`,
        actions: { type: 'setView', params: ({ event }) => ({ view: event.output }) },
      },
      onError: onError(),
    }),
    waitDemoted: pollNode('waitDemoted', 'demoted', `${M}.leave`, 'readyTimeout', `${M}.failed`),
    leave: retrying(
      ID,
      'leave',
      {
        id: 'leave',
        src: 'leave',
        input: () => ({ force: false }),
        onDone: `${M}.waitDown`,
        onError: onError(),
      },
      [{ guard: 'force', target: `${M}.removeNode` }, { target: `${M}.failed` }],
    ),
    waitDown: pollNode('waitDown', 'downOrGone', `${M}.down`, 'downTimeout', [
      { guard: 'force', target: `${M}.removeNode` },
      { target: `${M}.failed` },
    ]),
    down: { entry: 'markDown', always: 'removeNode' },
    removeNode: retrying(ID, 'removeNode', {
      id: 'removeNode',
      src: 'removeNode',
      // Stryker disable next-line StringLiteral: equivalent, the inspect step's view gave the node's ID (a gone node ends there)
      input: ({ context }) => ({ nodeId: context.nodeId ?? '', force: context.force && !context.down }),
      onDone: `${M}.removedOk`,
      onError: onError(),
    }),
    removedOk: {
      always: {
        target: 'removed',
        actions: { type: 'finishRemoved', params: { reason: 'Removed' as const } },
      },
    },
    removed: { type: 'final' },
    stalled: { type: 'final' },
    failed: { type: 'final', entry: 'finishFailed' },
  },
  output: ({ context }) => nodeOutput(context),
});

export type NodeRemoveMachine = typeof nodeRemoveMachine;
