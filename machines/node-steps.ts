/**
 * Step builders of the SwarmNode machines (one setup, node.setup.ts):
 *  - retrying: one actor call with a timeout (`stepTimeout`) and bounded retries with exponential
 *    backoff (`backoff`), then `onFailure` (default: the machine's `failed`); see step-state.ts.
 *  - polling: look (actor) every `pollInterval` until a guard holds, bounded by an overall timeout
 *    delay; a failed look is recorded and retried at the next interval.
 *  - drainStates: observe the node's tasks, set availability drain, wait until the tasks left the
 *    node and their replacements run elsewhere (drain machine and remove machine).
 * Every non-final state accepts RESUME (sent by the runner after a snapshot is restored: timers and
 * in-flight actors are not persisted), which re-enters the current step.
 */
import type { NodePolicy } from './node-policy.js';
import type { NodeMachineContext, NodeStepName } from './node.types.js';
import { nodeSetup as S } from './node.setup.js';
import { onError, recordErrorTo, retryingStep } from './step-state.js';

export type StateConfig = Parameters<typeof S.createStateConfig>[0];
type Invoke = NonNullable<StateConfig['invoke']>;
type Always = StateConfig['always'];

/** State id of a step (ids must not contain dots). */
export const stepId = (step: NodeStepName): string => `step-${step}`;

export function retrying(
  machineId: string,
  step: NodeStepName,
  invoke: Invoke,
  onFailure: Always = `#${machineId}.failed`,
): StateConfig {
  return S.createStateConfig(
    retryingStep(stepId(step), { type: 'enterStep', params: { step } }, invoke, onFailure),
  );
}

/** onError of a retrying step's invoke (step-state.ts). */
export { onError };

/** onError of a polling step's invoke: remember why, look again after the interval. */
export function onPollError() {
  return recordErrorTo('wait');
}

type TimeoutDelay = 'readyTimeout' | 'drainTimeout' | 'downTimeout';

const TIMEOUT_MS: Record<TimeoutDelay, (p: NodePolicy) => number> = {
  readyTimeout: (p) => p.readyTimeoutMs,
  drainTimeout: (p) => p.drainTimeoutMs,
  downTimeout: (p) => p.downTimeoutMs,
};

export function polling(
  step: NodeStepName,
  invoke: Invoke,
  timeout: TimeoutDelay,
  onTimeout: Always,
): StateConfig {
  const timedOutParams = ({ context }: { context: NodeMachineContext }) => ({
    timeoutMs: TIMEOUT_MS[timeout](context.policy),
  });
  return S.createStateConfig({
    id: stepId(step),
    entry: { type: 'enterStep', params: { step } },
    initial: 'check',
    on: { RESUME: { target: `#${stepId(step)}`, reenter: true } },
    after: {
      [timeout]: { target: '.timedOut', actions: { type: 'pollTimedOut', params: timedOutParams } },
    } as Record<
      TimeoutDelay,
      { target: string; actions: { type: 'pollTimedOut'; params: typeof timedOutParams } }
    >,
    states: {
      check: { entry: 'countCheck', invoke },
      wait: { after: { pollInterval: 'check' } },
      timedOut: { always: onTimeout },
    },
  });
}

/** A polling look at the node through the manager (`nodeState`) until `guard` holds, then `next`. */
export function pollNode(
  step: NodeStepName,
  guard: 'settled' | 'demoted' | 'downOrGone',
  next: string,
  timeout: TimeoutDelay,
  onTimeout: Always,
): StateConfig {
  return polling(
    step,
    {
      id: 'nodeState',
      src: 'nodeState',
      // Stryker disable next-line StringLiteral: equivalent, a polled node has an ID (inspection, join or the manager's view)
      input: ({ context }) => ({ nodeId: context.nodeId ?? '' }),
      onDone: [
        {
          guard: { type: guard, params: ({ event }) => ({ view: event.output }) },
          target: next,
          actions: { type: 'setView', params: ({ event }) => ({ view: event.output }) },
        },
        { target: 'wait', actions: { type: 'setView', params: ({ event }) => ({ view: event.output }) } },
      ],
      onError: onPollError(),
    },
    timeout,
    onTimeout,
  );
}

/** observe -> setDrain -> drainWait -> `next` (as states of machine `machineId`). */
export function drainStates(machineId: string, next: string): Record<string, StateConfig> {
  const M = `#${machineId}`;
  return {
    observe: retrying(machineId, 'observe', {
      id: 'drainStatus',
      src: 'drainStatus',
      input: ({ context }) => ({ nodeId: context.nodeId ?? '', services: context.services }),
      onDone: {
        target: `${M}.setDrain`,
        actions: { type: 'setDrain', params: ({ event }) => ({ observation: event.output }) },
      },
      onError: onError(),
    }),
    setDrain: retrying(machineId, 'setDrain', {
      id: 'update',
      src: 'update',
      input: ({ context }) => ({ nodeId: context.nodeId ?? '', availability: 'drain' as const }),
      onDone: {
        target: `${M}.drainWait`,
        actions: { type: 'setView', params: ({ event }) => ({ view: event.output }) },
      },
      onError: onError(),
    }),
    drainWait: polling(
      'drainWait',
      {
        id: 'drainStatus',
        src: 'drainStatus',
        // Stryker disable next-line StringLiteral: equivalent, setDrain's update gave the manager's view and its ID
        input: ({ context }) => ({ nodeId: context.nodeId ?? '', services: context.services }),
        onDone: [
          {
            guard: { type: 'drainFinished', params: ({ event }) => ({ observation: event.output }) },
            target: next,
            actions: [
              { type: 'setDrain', params: ({ event }) => ({ observation: event.output }) },
              'markDrained',
            ],
          },
          {
            target: 'wait',
            actions: { type: 'setDrain', params: ({ event }) => ({ observation: event.output }) },
          },
        ],
        onError: onPollError(),
      },
      'drainTimeout',
      `${M}.failed`,
    ),
  };
}

/**
 * The quorum check before a demotion or removal: read the managers, then go on to `next` when the
 * rule in node-quorum.ts allows `action`, else stall with QuorumWouldBeLost.
 */
export function quorumStates(
  machineId: string,
  action: 'demote' | 'remove',
  next: string,
): Record<string, StateConfig> {
  return {
    quorum: retrying(machineId, 'managers', {
      id: 'managers',
      src: 'managers',
      input: () => ({}),
      onDone: {
        target: `#${machineId}.quorumDecide`,
        actions: { type: 'setQuorum', params: ({ event }) => ({ managers: event.output, action }) },
      },
      onError: onError(),
    }),
    quorumDecide: {
      always: [
        { guard: 'quorumAllows', target: next },
        { target: 'stalled', actions: { type: 'stall', params: { reason: 'QuorumWouldBeLost' } } },
      ],
    },
  };
}
