// The SwarmNode kind reconciler's join paths over the in-memory swarm: when the manager-change lock is
// taken, what the record learns from a run, the converged-spec hash, driftPolicy detect with nothing
// drifted, and the log level of a steady node.
import { describe, expect, it } from 'vitest';
import { cond, kindSetup } from './node-kind-harness.js';

const KEY = 'SwarmNode/default/n2';
const ADDR = 'unix:///n2.sock';

describe('manager-change lock', () => {
  it.each([
    ['no role asked', [{}, {}], [0, 0]],
    ['a worker joining, then a worker resync', [{ role: 'worker' }, { role: 'worker' }], [1, 1]],
    ['a manager, every time', [{ role: 'manager' }, { role: 'manager' }], [1, 2]],
  ])(
    '%s: the lock is taken only when the managers may change, and always released',
    async (_, specs, taken) => {
      const t = kindSetup();
      t.swarm.daemon('/n2.sock', 'n2');
      for (const [i, s] of specs.entries()) {
        await t.reconcile(t.resource('n2', { address: ADDR, ...s }));
        expect(t.state.lockTaken).toBe(taken[i]);
        expect(t.state.lockReleased).toBe(t.state.lockTaken);
      }
    },
  );
});

describe('record', () => {
  it.each([
    ['a stale hostname', { nodeId: 'N-n2', hostname: 'old' }],
    ['a stale node ID', { nodeId: 'OLD', hostname: 'n2' }],
  ])('%s is replaced by what the run found', async (_, stale) => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.records.put(KEY, {
      namespace: 'default',
      address: ADDR,
      force: false,
      deletionPolicy: 'Delete',
      ...stale,
    });
    await t.reconcile(t.resource('n2', { address: ADDR }));
    expect(t.records.data.get(KEY)).toMatchObject({ nodeId: 'N-n2', hostname: 'n2' });
  });
});

describe('converged spec', () => {
  it('a Ready node records the hash of the spec it was brought to; a failed run does not', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    const ok = await t.reconcile(t.resource('n2', { address: ADDR, labels: { a: '1' } }));
    expect(ok.status.desiredHash).toMatch(/^[0-9a-f]{32}$/);
    const failed = await t.reconcile(t.resource('n3', { address: 'unix:///nowhere.sock' }));
    expect(failed.status.phase).toBe('Failed');
    expect(failed.status.desiredHash).toBeUndefined();
  });

  it('a drained node records it too; a failed drain is not Drained', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    const out = await t.reconcile(t.resource('n2', { address: ADDR, availability: 'drain' }));
    expect(out.status.phase).toBe('Drained');
    expect(out.status.desiredHash).toMatch(/^[0-9a-f]{32}$/);
    const failed = await t.reconcile(
      t.resource('n3', { address: 'unix:///nowhere.sock', availability: 'drain' }),
    );
    expect(failed.status.phase).toBe('Failed');
    expect(failed.status.desiredHash).toBeUndefined();
    expect(cond(failed.status, 'Drained')).toMatchObject({ status: 'False' });
  });

  it('detect with nothing drifted: the node is looked at again and stays in sync', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    const res = t.resource('n2', { address: ADDR, labels: { a: '1' }, driftPolicy: 'detect' });
    await t.reconcile(res);
    const out = await t.reconcile(res);
    expect(out.status.phase).toBe('Ready');
    expect(cond(out.status, 'Drifted')).toMatchObject({ status: 'False', reason: 'InSync' });
    expect(t.logs.some((l) => l.includes('drift detected'))).toBe(false);
  });

  it('detect on a node gone from the swarm: the join and drain runs bring it back (no drift is reported)', async () => {
    const t = kindSetup();
    const d = t.swarm.daemon('/n2.sock', 'n2');
    const res = t.resource('n2', { address: ADDR, availability: 'drain', driftPolicy: 'detect' });
    await t.reconcile(res);
    t.swarm.nodes.delete('N-n2');
    d.state = 'inactive';
    const out = await t.reconcile(res);
    expect(out.status.phase).toBe('Drained');
    expect(t.swarm.nodes.has('N-n2')).toBe(true);
  });
});

describe('logs', () => {
  it('an outcome that changes the conditions is logged at info; a steady resync at debug', async () => {
    const t = kindSetup();
    t.swarm.daemon('/n2.sock', 'n2');
    const res = t.resource('n2', { address: ADDR });
    await t.reconcile(res);
    expect(t.logs.at(-1)).toBe('info node n2 joined the swarm as a ready worker (ID N-n2)');
    await t.reconcile(res);
    const second = t.logs.at(-1)!;
    expect(second).toBe('info node n2 is a ready worker of the swarm (ID N-n2)');
    await t.reconcile(res);
    expect(t.logs.at(-1)).toBe(second.replace(/^info /, 'debug '));
  });
});
