// Shared by the node-join-*.test.ts files: the join machine driver and the step sequences it is fed.
import { nodeJoinMachine } from '../../machines/node-join.machine.js';
import { CONVERGED, done, drive, INACTIVE, input, view, WORKER_HERE, type Step } from './node-harness.js';

export const join = (steps: Step[], over: Parameters<typeof input>[0] = {}) =>
  drive(nodeJoinMachine, input(over), steps);

export const REMOTE = ['10.0.0.11:2377'];
export const FRESH = view(); // joined, no labels yet
export const MANAGER_CONVERGED = view({ ...CONVERGED, role: 'manager', reachability: 'reachable' });
export const toJoin: Step[] = [done('connect'), done('inspect', INACTIVE), done('joinTarget', REMOTE)];
export const joined: Step[] = [...toJoin, done('join', { nodeId: 'N2' })];
/** joined, seen ready, labelled, seen ready again */
export const labelled: Step[] = [
  ...joined,
  done('nodeState', FRESH),
  done('update', CONVERGED),
  done('nodeState', CONVERGED),
];
export const adopted: Step[] = [done('connect'), done('inspect', WORKER_HERE)];

export interface Case {
  name: string;
  input?: Parameters<typeof input>[0];
  steps: Step[];
  outcome: string;
  reason: string;
  message: string | RegExp;
  visited?: string[];
}
