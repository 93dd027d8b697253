import { describe, expect, it } from 'vitest';
import { setup, cond } from './node-kind-setup.js';

describe('SwarmNode kind reconciler (fake swarm)', () => {
  it('removing one of 3 managers: drained, demoted, left, removed', async () => {
    const t = setup();
    t.swarm.daemon('/n2.sock', 'n2');
    t.swarm.daemon('/n3.sock', 'n3');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', role: 'manager' }));
    await t.reconcile(t.resource('n3', { address: 'unix:///n3.sock', role: 'manager' }));
    t.swarm.calls.length = 0;
    const out = await t.remove('SwarmNode/default/n3');
    expect(out).toEqual({ done: true });
    expect(t.swarm.nodes.has('N-n3')).toBe(false);
    expect(t.swarm.calls).toEqual([
      'update:{"availability":"drain"} /n3.sock',
      'update:{"role":"worker"} /n3.sock',
      'leave /n3.sock',
      'rm:false /n3.sock',
    ]);
    expect(await t.records.get('SwarmNode/default/n3')).toBeUndefined();
  });

  it('removing one of 2 managers is refused: done=false, Stalled with the reason, nothing changed', async () => {
    const t = setup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', role: 'manager' }));
    t.swarm.calls.length = 0;
    const out = await t.remove('SwarmNode/default/n2');
    expect(out.done).toBe(false);
    expect(out.error).toMatchObject({
      code: 'SK_ERR_NODE_QUORUM',
      policy: 'waiting',
      requeueAfterMs: 30_000,
    });
    expect(out.status).toMatchObject({ phase: 'Stalled', role: 'manager' });
    expect(cond(out.status, 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'QuorumWouldBeLost',
      message: expect.stringMatching(
        /^refusing to remove manager n2: .*1 reachable manager of 2 would remain/,
      ),
    });
    expect(t.swarm.calls).toEqual([]);
    expect(t.swarm.nodes.get('N-n2')?.role).toBe('manager');
  });

  it('deletionPolicy Orphan: the key leaves, the node stays', async () => {
    const t = setup();
    t.swarm.daemon('/n2.sock', 'n2');
    await t.reconcile(t.resource('n2', { address: 'unix:///n2.sock', deletionPolicy: 'Orphan' }));
    t.swarm.calls.length = 0;
    expect(await t.remove('SwarmNode/default/n2')).toEqual({ done: true });
    expect(t.swarm.calls).toEqual([]);
    expect(t.swarm.nodes.has('N-n2')).toBe(true);
  });

  it('a key never reconciled is removed at once', async () => {
    const t = setup();
    expect(await t.remove('SwarmNode/default/ghost')).toEqual({ done: true });
  });

  describe('driftPolicy', () => {
    const spec = {
      address: 'unix:///n2.sock',
      role: 'worker',
      availability: 'active',
      labels: { zone: 'a' },
    };
    /** Joins n2, then changes it out of band: paused, and its zone label edited. */
    async function drifted(t: ReturnType<typeof setup>, extra: Record<string, unknown>) {
      t.swarm.daemon('/n2.sock', 'n2');
      const first = await t.reconcile(t.resource('n2', { ...spec, ...extra }));
      expect(first.status.desiredHash).toMatch(/^[0-9a-f]{32}$/);
      const node = t.swarm.nodes.get('N-n2')!;
      node.availability = 'pause';
      node.labels = { ...node.labels, zone: 'b' };
      return first;
    }

    it('detect: an out-of-band change is reported as Drifted, named by field, and left alone', async () => {
      const t = setup();
      const first = await drifted(t, { driftPolicy: 'detect' });
      expect(cond(first.status, 'Drifted')).toMatchObject({ status: 'False', reason: 'InSync' });
      const updates = t.swarm.calls.filter((c) => c.startsWith('update:')).length;
      const out = await t.reconcile(t.resource('n2', { ...spec, driftPolicy: 'detect' }));
      expect(out.error).toBeUndefined();
      expect(cond(out.status, 'Drifted')).toMatchObject({
        status: 'True',
        reason: 'DriftDetected',
        message: 'out-of-band changes: Spec.Availability, Spec.Labels.zone',
      });
      expect(cond(out.status, 'Ready')).toMatchObject({ status: 'True' });
      expect(out.status).toMatchObject({ phase: 'Ready', availability: 'pause' });
      expect(t.swarm.calls.filter((c) => c.startsWith('update:')).length).toBe(updates);
      expect(t.swarm.nodes.get('N-n2')).toMatchObject({ availability: 'pause', labels: { zone: 'b' } });
      expect(
        t.logs.filter((l) => l.msg === 'drift detected (driftPolicy detect: not corrected)'),
      ).toHaveLength(1);
      // reported once at info; the next resync finds the same drift quietly
      await t.reconcile(t.resource('n2', { ...spec, driftPolicy: 'detect' }));
      expect(
        t.logs.filter((l) => l.msg === 'drift detected (driftPolicy detect: not corrected)'),
      ).toHaveLength(1);
    });

    it('detect: a new spec is applied whole, drift included, and the node is in sync again', async () => {
      const t = setup();
      await drifted(t, { driftPolicy: 'detect' });
      await t.reconcile(t.resource('n2', { ...spec, driftPolicy: 'detect' }));
      const out = await t.reconcile(
        t.resource('n2', { ...spec, labels: { zone: 'a', disk: 'ssd' }, driftPolicy: 'detect' }),
      );
      expect(t.swarm.nodes.get('N-n2')).toMatchObject({
        availability: 'active',
        labels: { zone: 'a', disk: 'ssd' },
      });
      expect(cond(out.status, 'Drifted')).toMatchObject({ status: 'False', reason: 'InSync' });
    });

    it('correct (the default): the next reconcile puts the node back, and there is no Drifted condition', async () => {
      const t = setup();
      await drifted(t, {});
      const out = await t.reconcile(t.resource('n2', spec));
      expect(t.swarm.nodes.get('N-n2')).toMatchObject({ availability: 'active', labels: { zone: 'a' } });
      expect(cond(out.status, 'Drifted')).toBeUndefined();
    });
  });
});
