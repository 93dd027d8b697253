import { describe, expect, it } from 'vitest';
import { runMachine } from '../../../controllers/machine-runner/machine-runner.js';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import { pluginInstallMachine } from '../../../machines/plugin-install.machine.js';
import { withPolicy } from '../../../machines/step-policy.js';
import { fakeActors, hang } from './fake-plugin-actors.js';

const input = {
  node: 'n2',
  name: 'swlvol',
  remote: 'reg/lab/swlvol:1',
  allowedPrivileges: [{ name: 'network', value: ['none'] }],
  enabled: true,
  policy: withPolicy({ maxAttempts: 2, baseBackoffMs: 1, verifyIntervalMs: 1 }),
};
const KEY = 'SwarmPlugin/default/swlvol@node2';

async function interruptedAtPull(store: MemorySnapshotStore) {
  const first = fakeActors({ pull: hang });
  // the deadline stands in for a crash: the actor is dropped, its last persisted snapshot stays
  await expect(
    runMachine({
      machine: pluginInstallMachine.provide({ actors: first.actors }),
      input,
      key: KEY,
      store,
      deadlineMs: 300,
    }),
  ).rejects.toMatchObject({
    code: 'SK_ERR_MACHINE_DEADLINE',
    policy: 'transient',
    message: expect.stringMatching(/did not finish within 300 ms/),
  });
  return first.calls;
}

describe('machine runner', () => {
  it('persists mid-way and resumes at the interrupted step without repeating completed steps', async () => {
    const store = new MemorySnapshotStore();
    const firstCalls = await interruptedAtPull(store);
    expect(firstCalls).toEqual({ inspect: 1, privileges: 1, pull: 1 });
    const stored = await store.load(KEY);
    expect(stored?.snapshot).toMatchObject({ status: 'active', value: { pull: 'run' } });

    const second = fakeActors();
    const result = await runMachine({
      machine: pluginInstallMachine.provide({ actors: second.actors }),
      input,
      key: KEY,
      store,
    });
    expect(result.resumedFrom).toEqual({ pull: 'run' });
    expect(result.output.outcome).toBe('Installed');
    expect(second.calls).toEqual({ pull: 1, enable: 1, listed: 1 });
    expect(await store.keys()).toEqual([]);
  });

  it('starts over when the stored snapshot was taken for another input', async () => {
    const store = new MemorySnapshotStore();
    await interruptedAtPull(store);
    const second = fakeActors();
    const result = await runMachine({
      machine: pluginInstallMachine.provide({ actors: second.actors }),
      input: { ...input, remote: 'reg/lab/swlvol:2' },
      key: KEY,
      store,
    });
    expect(result.resumedFrom).toBeUndefined();
    expect(second.calls).toMatchObject({ inspect: 1, privileges: 1, pull: 1 });
  });

  it('retries a failing step with backoff, then reports the failure', async () => {
    const store = new MemorySnapshotStore();
    const { actors, calls } = fakeActors({ enable: async () => Promise.reject(new Error('no socket')) });
    const { output } = await runMachine({
      machine: pluginInstallMachine.provide({ actors }),
      input,
      key: KEY,
      store,
    });
    expect(output).toMatchObject({ outcome: 'Failed' });
    expect(output.message).toBe(
      'enable plugin swlvol (reg/lab/swlvol:1) on node n2 failed after 2 attempts: no socket',
    );
    expect(calls.enable).toBe(2);
  });

  it('times a hanging step out and retries it', async () => {
    const store = new MemorySnapshotStore();
    const { actors, calls } = fakeActors({ listed: hang });
    const policy = withPolicy({ maxAttempts: 2, baseBackoffMs: 1, verifyIntervalMs: 1, verifyTimeoutMs: 50 });
    const { output } = await runMachine({
      machine: pluginInstallMachine.provide({ actors }),
      input: { ...input, policy },
      key: KEY,
      store,
    });
    expect(output.message).toMatch(
      /did not list the plugin in the node description within 50 ms \(1 checks\)/,
    );
    expect(calls.listed).toBe(1);
  });
});
