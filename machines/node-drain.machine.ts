/**
 * SwarmNode drain machine (spec.availability: drain).
 *
 *   observe (the replicated services with tasks on the node) -> setDrain (availability drain)
 *   -> drainWait: every pollInterval, count the tasks of replicated services still on the node and
 *      check that the services seen there run all their replicas on other nodes; bounded by
 *      drainTimeout (then failed, reason DrainTimeout, with what is left) -> drained
 *
 * Progress ("3 tasks left on node n2", "waiting for replacements elsewhere: web 2/3 running") is
 * derived from the context (node-messages.ts stepProgress), so the status follows every look.
 * Undrain is a plain availability update (active), done by the join/converge machine.
 */
import { initialNodeContext, nodeOutput, nodeSetup as S } from './node.setup.js';
import { drainStates } from './node-steps.js';

const ID = 'nodeDrain';

export const nodeDrainMachine = S.createMachine({
  id: ID,
  context: ({ input }) => ({ ...initialNodeContext(input), step: 'observe' as const }),
  initial: 'observe',
  states: {
    ...drainStates(ID, `#${ID}.drained`),
    drained: { type: 'final', entry: 'finishDrained' },
    failed: { type: 'final', entry: 'finishFailed' },
  },
  output: ({ context }) => nodeOutput(context),
});

export type NodeDrainMachine = typeof nodeDrainMachine;
