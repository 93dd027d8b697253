// Status texts of the SwarmNode machines (progress, stalls, timeouts) from a context, one table per function.
import { describe, expect, it } from 'vitest';
import {
  drainProgress,
  nodeName,
  pollTimeoutMessage,
  readyMessage,
  stallMessage,
  stepFailureMessage,
  stepProgress,
} from '../../machines/node-messages.js';
import { initialNodeContext } from '../../machines/node.setup.js';
import type { NodeMachineContext } from '../../machines/node.types.js';
import { ADDRESS, drainObs, input, inspection, view } from './node-harness.js';

const ctx = (over: Partial<NodeMachineContext> = {}): NodeMachineContext => ({
  ...initialNodeContext(input()),
  ...over,
});
const N2 = { view: view() };
const FAIL = { attempt: 2, lastFailure: { message: 'EOF', retryable: true } };

describe('node messages', () => {
  it.each<[string, Partial<NodeMachineContext>, string]>([
    ['the address until anything is known', {}, ADDRESS],
    ['the inspected hostname', { inspection: inspection({ hostname: 'h1' }) }, 'h1'],
    [
      'the manager’s hostname first',
      { inspection: inspection({ hostname: 'h1' }), view: view({ hostname: 'h2' }) },
      'h2',
    ],
    ['gone: the inspected hostname', { inspection: inspection({ hostname: 'h1' }), view: null }, 'h1'],
  ])('nodeName: %s', (_n, over, name) => {
    expect(nodeName(ctx(over))).toBe(name);
  });

  it.each<[string, Partial<NodeMachineContext>, string]>([
    ['connect, first attempt', { ...N2 }, "connect to the node's Docker API: n2"],
    [
      'connect, a retry',
      { ...N2, ...FAIL },
      "connect to the node's Docker API: n2 (attempt 2; last error: EOF)",
    ],
    ['a second attempt without a failure', { ...N2, attempt: 2 }, "connect to the node's Docker API: n2"],
    [
      'first attempt failed, waiting for the backoff',
      { ...N2, ...FAIL, attempt: 1 },
      "connect to the node's Docker API: n2",
    ],
    ['join', { ...N2, step: 'join' }, 'join the swarm: n2'],
    [
      'waitReady, not listed',
      { step: 'waitReady', view: null },
      `waiting for node ${ADDRESS} to be ready (not listed yet)`,
    ],
    [
      'waitReady, down',
      { step: 'waitReady', view: view({ state: 'down' }) },
      'waiting for node n2 to be ready (state down)',
    ],
    ['observe', { ...N2, step: 'observe' }, 'draining node n2'],
    [
      'setDrain, a retry',
      { ...N2, ...FAIL, step: 'setDrain' },
      'draining node n2 (attempt 2; last error: EOF)',
    ],
    ['drainWait, tasks left', { ...N2, step: 'drainWait', drain: drainObs(1) }, '1 task left on node n2'],
    ['drainWait, tasks left', { ...N2, step: 'drainWait', drain: drainObs(3) }, '3 tasks left on node n2'],
    ['waitDemoted', { ...N2, step: 'waitDemoted' }, 'waiting for the demotion of node n2 to be committed'],
    [
      'waitDown, still ready',
      { ...N2, step: 'waitDown' },
      'waiting for the manager to see node n2 down (state ready)',
    ],
    [
      'waitDown, gone',
      { step: 'waitDown', view: null },
      `waiting for the manager to see node ${ADDRESS} down (gone)`,
    ],
    ['removeNode', { ...N2, step: 'removeNode' }, 'remove the node from the swarm: n2'],
  ])('progress: %s', (_n, over, text) => {
    expect(stepProgress(ctx(over))).toBe(text);
  });

  it.each([
    [undefined, 'draining node n2'],
    [drainObs(0), 'no tasks left on node n2'],
    [
      drainObs(0, [{ service: 'web', running: 1, desired: 3 }]),
      'waiting for replacements elsewhere: web 1/3 running',
    ],
    [
      drainObs(0, [
        { service: 'web', running: 1, desired: 3 },
        { service: 'db', running: 0, desired: 1 },
      ]),
      'waiting for replacements elsewhere: web 1/3 running, db 0/1 running',
    ],
    [drainObs(2, [{ service: 'web', running: 1, desired: 3 }]), '2 tasks left on node n2'],
  ])('drain progress of %j', (o, text) => {
    expect(drainProgress('n2', o)).toBe(text);
  });

  it.each<[string, Partial<NodeMachineContext>, string]>([
    [
      'one attempt',
      { ...N2, attempt: 1, lastFailure: { message: 'EOF', retryable: false } },
      'node n2: inspect the node failed after 1 attempt: EOF',
    ],
    [
      'no failure recorded',
      { ...N2, attempt: 3 },
      'node n2: inspect the node failed after 3 attempts: unknown error',
    ],
  ])('step failure: %s', (_n, over, text) => {
    expect(stepFailureMessage(ctx({ step: 'inspect', ...over }))).toBe(text);
  });

  it.each<[string, string, Partial<NodeMachineContext>, string]>([
    [
      'another swarm, worker',
      'InOtherSwarm',
      { inspection: inspection({ nodeId: 'X7' }) },
      "node n2 is in another swarm (node ID X7 unknown to this swarm's manager); set spec.force: true to make it leave that swarm first",
    ],
    [
      'another swarm, empty cluster ID',
      'InOtherSwarm',
      { inspection: inspection({ nodeId: 'X7', clusterId: '' }) },
      "node n2 is in another swarm (node ID X7 unknown to this swarm's manager); set spec.force: true to make it leave that swarm first",
    ],
    [
      'another swarm, not inspected',
      'InOtherSwarm',
      { ...N2 },
      "node n2 is in another swarm (node ID ? unknown to this swarm's manager); set spec.force: true to make it leave that swarm first",
    ],
    [
      'locked',
      'SwarmLocked',
      { ...N2 },
      'node n2: its swarm is locked (autolock); unlock it with docker swarm unlock first',
    ],
    [
      'error without a text',
      'SwarmError',
      { inspection: inspection({ error: '' }) },
      'node n2 is in swarm state error; set spec.force: true to make it leave first',
    ],
    [
      'error, not inspected',
      'SwarmError',
      { ...N2 },
      'node n2 is in swarm state error; set spec.force: true to make it leave first',
    ],
    [
      'ownership, no view',
      'OwnershipConflict',
      {},
      `node ${ADDRESS} is owned by ? (instance ?), not by SwarmNode/default/n2 (instance test)`,
    ],
    [
      'ownership, labels missing',
      'OwnershipConflict',
      { ...N2 },
      'node n2 is owned by ? (instance ?), not by SwarmNode/default/n2 (instance test)',
    ],
    ['quorum without a verdict', 'QuorumWouldBeLost', { ...N2 }, 'refusing to change manager n2: quorum'],
    ['anything else', 'Odd', { ...N2 }, 'node n2: Odd'],
  ])('stall: %s', (_n, reason, over, text) => {
    expect(stallMessage(reason, ctx(over))).toBe(text);
  });

  it.each<[string, Partial<NodeMachineContext>, string]>([
    [
      'adopted, paused',
      { view: view({ availability: 'pause' }) },
      'node n2 is a ready worker (availability pause) of the swarm (ID N2)',
    ],
    [
      'joined, no view',
      { joined: true, nodeId: 'N9' },
      `node ${ADDRESS} joined the swarm as a ready node (ID N9)`,
    ],
    ['nothing known', {}, `node ${ADDRESS} is a ready node of the swarm (ID ?)`],
    ['joined, nothing known', { joined: true }, `node ${ADDRESS} joined the swarm as a ready node (ID ?)`],
  ])('ready: %s', (_n, over, text) => {
    expect(readyMessage(ctx(over))).toBe(text);
  });

  it.each<[string, Partial<NodeMachineContext>, string]>([
    [
      'waitReady, gone, with an error',
      { step: 'waitReady', view: null, checks: 1, lastFailure: { message: 'EOF', retryable: true } },
      `node ${ADDRESS} was not ready within 5 ms (unknown to the manager, 1 check); last error: EOF`,
    ],
    [
      'waitReady, a manager',
      { step: 'waitReady', view: view({ role: 'manager' }), checks: 2 },
      'node n2 was not ready and reachable within 5 ms (state ready, 2 checks)',
    ],
    [
      'waitReady, never looked',
      { step: 'waitReady' },
      `node ${ADDRESS} was not ready within 5 ms (state ?, 0 checks)`,
    ],
    [
      'waitDemoted with an error',
      { ...N2, step: 'waitDemoted', checks: 3, lastFailure: { message: 'EOF', retryable: true } },
      'the demotion of node n2 was not committed within 5 ms (3 checks); last error: EOF',
    ],
    [
      'waitDown, gone',
      { step: 'waitDown', view: null },
      `node ${ADDRESS} left the swarm but the manager did not see it down within 5 ms (unknown to the manager); set spec.force: true to remove it anyway`,
    ],
    [
      'another step',
      { ...N2, step: 'observe', lastFailure: { message: 'EOF', retryable: true } },
      'node n2: list the tasks on the node timed out after 5 ms; last error: EOF',
    ],
  ])('poll timeout: %s', (_n, over, text) => {
    expect(pollTimeoutMessage(ctx(over), 5)).toBe(text);
  });
});
