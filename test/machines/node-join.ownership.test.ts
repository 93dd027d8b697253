// Ownership when the join machine adopts a node already in this swarm: a node another resource owns is
// never taken over (no update), even when only part of that owner's labels is on it.
import { describe, expect, it } from 'vitest';
import { nodeJoinMachine } from '../../machines/node-join.machine.js';
import { CONVERGED, done, drive, input, MANAGER_HERE, view, WORKER_HERE } from './node-harness.js';

const adopt = (inspected: typeof WORKER_HERE, labels: Record<string, string>) =>
  drive(nodeJoinMachine, input(), [
    done('connect'),
    done('inspect', inspected),
    done('nodeState', view({ labels })),
  ]);

describe('node join machine: ownership of an adopted node', () => {
  it.each<[string, Record<string, string>]>([
    ['another owner, no instance label', { 'swarmkeeper.io/owner': 'SwarmNode/default/other' }],
    [
      'another owner, our instance',
      { 'swarmkeeper.io/owner': 'SwarmNode/default/other', 'swarmkeeper.io/instance': 'test' },
    ],
    [
      'our owner, another instance',
      { 'swarmkeeper.io/owner': 'SwarmNode/default/n2', 'swarmkeeper.io/instance': 'prod' },
    ],
    ['an instance label alone', { 'swarmkeeper.io/instance': 'test' }],
  ])('%s: stalled with OwnershipConflict, nothing updated', (_n, labels) => {
    for (const inspected of [WORKER_HERE, MANAGER_HERE]) {
      const run = adopt(inspected, { zone: 'a', ...labels });
      expect(run.snapshot.output).toMatchObject({ outcome: 'Stalled', reason: 'OwnershipConflict' });
      expect(run.invoked).not.toContain('update');
    }
  });

  it('a node without owner labels is taken over (labelled)', () => {
    const run = adopt(WORKER_HERE, { zone: 'a' });
    expect(run.invoked.at(-1)).toBe('update');
  });

  it('our own node is converged in place', () => {
    const run = drive(nodeJoinMachine, input(), [
      done('connect'),
      done('inspect', WORKER_HERE),
      done('nodeState', CONVERGED),
    ]);
    expect(run.snapshot.output).toMatchObject({ outcome: 'Ready' });
  });
});
