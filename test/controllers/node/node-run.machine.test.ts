// One node machine run (nodeRunSteps().run) with a small scripted machine in place of the real ones:
// progress statuses written once per distinct phase and message, never after the run returns, a
// failing progress write or snapshot store logged and survived, a crash of the run as a Failed outcome.
import type { Logger } from 'pino';
import { type AnyStateMachine, assign, setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import { nodeRunSteps } from '../../../controllers/node/node-run.js';
import type { KindReconcileContext, KindStatus } from '../../../controllers/ports.js';
import { DEFAULT_NODE_POLICY } from '../../../machines/node-policy.js';
import { initialNodeContext } from '../../../machines/node.setup.js';
import type { NodeMachineInput, NodeStepName } from '../../../machines/node.types.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const INPUT: NodeMachineInput = {
  key: 'SwarmNode/default/n1',
  instance: 'i1',
  node: 'n1',
  policy: DEFAULT_NODE_POLICY,
  force: false,
};

/** A removal that walks through `path` (one step a tick), then ends Removed. */
function removal(path: NodeStepName[]): AnyStateMachine {
  const states: Record<string, object> = {};
  path.forEach((step, i) => {
    states[`s${i}`] = {
      entry: assign({ step }),
      after: { 1: { target: i + 1 < path.length ? `s${i + 1}` : 'done' } },
    };
  });
  // the final snapshot (another step) is no progress
  states.done = { type: 'final', entry: assign({ step: 'connect' }) };
  return setup({}).createMachine({
    id: 'nodeRemove',
    context: ({ input }: { input: unknown }) =>
      ({ ...initialNodeContext(input as NodeMachineInput), step: path[0] }) as never,
    initial: 's0',
    states: states as never,
    output: () => ({ outcome: 'Removed', reason: 'Removed', message: 'gone', joined: false }),
  }) as unknown as AnyStateMachine;
}

function context(progress: (s: KindStatus) => Promise<void>) {
  const logs: string[] = [];
  const log = {
    info: (_: unknown, msg: string) => logs.push(`info ${msg}`),
    warn: (_: unknown, msg: string) => logs.push(`warn ${msg}`),
  } as unknown as Logger;
  const ctx = {
    signal: new AbortController().signal,
    reconcileId: 'r',
    prev: undefined,
    log,
    root: '.',
    progress,
    resources: () => [],
  };
  return { ctx: ctx as unknown as KindReconcileContext, logs };
}

describe('run', () => {
  it('writes one progress status per distinct step message, in order, all before it returns', async () => {
    const written: KindStatus[] = [];
    const { ctx, logs } = context(async (s) => {
      await new Promise((r) => setTimeout(r, 5));
      written.push(s);
    });
    const steps = nodeRunSteps({ store: new MemorySnapshotStore(), now: () => NOW });
    const out = await steps.run(removal(['leave', 'leave', 'removeNode']), INPUT, 'k', ctx, false, 7);
    expect(out).toEqual({ outcome: 'Removed', reason: 'Removed', message: 'gone', joined: false });
    expect(written.map((s) => [s.phase, s.progress])).toEqual([
      ['Removing', 'leave the swarm: n1'],
      ['Removing', 'remove the node from the swarm: n1'],
    ]);
    expect(logs).toEqual([]);
  });

  it('a failing progress write is logged and the run goes on', async () => {
    const { ctx, logs } = context(async () => Promise.reject(new Error('api down')));
    const steps = nodeRunSteps({ store: new MemorySnapshotStore(), now: () => NOW });
    const out = await steps.run(removal(['leave', 'removeNode']), INPUT, 'k', ctx, false, undefined);
    expect(out.outcome).toBe('Removed');
    expect(logs).toEqual(['warn progress status write failed', 'warn progress status write failed']);
  });

  it('a snapshot that cannot be stored is logged once and the run goes on', async () => {
    const store = new MemorySnapshotStore();
    store.save = async () => Promise.reject(new Error('redis down'));
    const { ctx, logs } = context(async () => undefined);
    const out = await nodeRunSteps({ store, now: () => NOW }).run(
      removal(['leave']),
      INPUT,
      'k',
      ctx,
      false,
      1,
    );
    expect(out.outcome).toBe('Removed');
    expect(logs).toEqual(['warn machine snapshot not persisted']);
  });

  it('a crash of the run is a Failed outcome naming the resource', async () => {
    const store = new MemorySnapshotStore();
    store.load = async () => Promise.reject(new Error('redis down'));
    const { ctx } = context(async () => undefined);
    expect(
      await nodeRunSteps({ store, now: () => NOW }).run(removal(['leave']), INPUT, 'k', ctx, false, 1),
    ).toEqual({
      outcome: 'Failed',
      reason: 'MachineFailed',
      message: 'SwarmNode/default/n1: redis down',
      joined: false,
    });
  });

  it('a crash with a non-Error is reported as text', async () => {
    const store = new MemorySnapshotStore();
    store.load = async () => Promise.reject('plain') as never;
    const { ctx } = context(async () => undefined);
    const out = await nodeRunSteps({ store, now: () => NOW }).run(
      removal(['leave']),
      INPUT,
      'k',
      ctx,
      false,
      1,
    );
    expect(out.message).toBe('SwarmNode/default/n1: plain');
  });
});
