// The SwarmVolume kind's verdicts word for word (pure), the events it wants, and the reconcile's
// errors, records and generations against the fake Engines (volume-kind-harness.ts).
import { describe, expect, it } from 'vitest';
import {
  volumeFleet,
  volumeWantsEvent,
  type VolumeNodeStatus,
} from '../../../controllers/volume/volume-kind.js';
import type { SwarmEvent } from '../../../controllers/ports.js';
import { cond, harness, KEY, OWNED, resource } from './volume-kind-harness.js';

const at = (state: string, node = 'n2', message = `${node} ${state}`): VolumeNodeStatus => ({
  node,
  state,
  message,
});
const READY = at('Ready', 'n1', 'created');

describe('volumeFleet', () => {
  it.each<[string, VolumeNodeStatus[], object]>([
    [
      'a conflict stalls with its terminal error',
      [READY, at('Conflict')],
      {
        phase: 'Blocked',
        verdict: {
          ready: false,
          reason: 'OwnershipConflict',
          message: 'node n2: n2 Conflict',
          stalled: true,
        },
        error: { code: 'SK_ERR_OWNERSHIP_CONFLICT', message: `${KEY}: node n2: n2 Conflict` },
      },
    ],
    [
      'a blocked recreation stalls',
      [READY, at('RecreateBlocked')],
      {
        phase: 'Blocked',
        verdict: {
          ready: false,
          reason: 'RecreateBlocked',
          message: 'node n2: n2 RecreateBlocked',
          stalled: true,
        },
        error: { code: 'SK_ERR_RECREATE_BLOCKED', message: `${KEY}: node n2: n2 RecreateBlocked` },
      },
    ],
    [
      'a failure is an Engine error, still reconciling',
      [READY, at('Failed')],
      {
        phase: 'Failed',
        verdict: { ready: false, reason: 'VolumeFailed', message: 'node n2: n2 Failed', reconciling: true },
        error: { code: 'SK_ERR_DOCKER_API', message: `${KEY}: node n2: n2 Failed` },
      },
    ],
    [
      'in use: blocked, comes back',
      [READY, at('InUse')],
      {
        phase: 'Blocked',
        verdict: { ready: false, reason: 'InUse', message: 'node n2: n2 InUse', reconciling: true },
        retry: true,
      },
    ],
    [
      'waiting for the driver: pending, comes back',
      [READY, at('WaitingForDriver')],
      {
        phase: 'Pending',
        verdict: {
          ready: false,
          reason: 'WaitingForDriver',
          message: 'node n2: n2 WaitingForDriver',
          reconciling: true,
        },
        retry: true,
      },
    ],
    [
      'unreachable: pending, comes back',
      [READY, at('Unreachable')],
      {
        phase: 'Pending',
        verdict: {
          ready: false,
          reason: 'NodeUnreachable',
          message: 'node n2: n2 Unreachable',
          reconciling: true,
        },
        retry: true,
      },
    ],
    [
      'all ready',
      [READY],
      {
        phase: 'Ready',
        verdict: { ready: true, reason: 'VolumeReady', message: 'volume data on 1/1 nodes' },
      },
    ],
  ])('%s', (_n, nodes, want) => {
    const f = volumeFleet(KEY, 'data', nodes);
    const { error, ...rest } = f;
    const { error: wantError, ...wantRest } = want as { error?: object };
    expect(rest).toStrictEqual({ progress: `1/${nodes.length} nodes`, nodes, ...wantRest });
    if (wantError) expect(error).toMatchObject(wantError);
    else expect(error).toBeUndefined();
  });
});

describe('volumeWantsEvent', () => {
  it.each<[Partial<SwarmEvent>, boolean]>([
    [{ type: 'volume', action: 'destroy' }, true],
    [{ type: 'volume', action: 'create' }, false],
    [{ type: 'container', action: 'destroy' }, false],
    [{ type: 'node', action: 'update' }, true],
  ])('%j: %s', (e, want) => expect(volumeWantsEvent(e as SwarmEvent)).toBe(want));
});

describe('SwarmVolume kind: errors, records and generations', () => {
  it('an Engine failure names the step and its HTTP status, and keeps the generation it had', async () => {
    const h = harness([{ host: 'n1' }]);
    h.engines.n1!.createError = 'driver said no';
    const r = await h.reconciler.reconcile(resource({}, 4), h.ctx({ conditions: [], observedGeneration: 3 }));
    expect((r.status.nodes as { message: string }[])[0]!.message).toBe(
      'create volume data on node n1: driver said no (HTTP 500)',
    );
    expect(r.error?.code).toBe('SK_ERR_DOCKER_API');
    expect(r.status.observedGeneration).toBe(3);
  });

  it('a terminal problem (a conflict) counts the generation as observed', async () => {
    const h = harness([{ host: 'n1' }]);
    h.engines.n1!.volumes.set('data', { Name: 'data', Driver: 'local', Options: null, Labels: null });
    const r = await h.reconciler.reconcile(resource({}, 4), h.ctx({ conditions: [], observedGeneration: 3 }));
    expect(r.status.observedGeneration).toBe(4);
    expect((r.status.nodes as { message: string }[])[0]!.message).toContain('set spec.adopt: true');
  });

  it('a volume recorded as adopted on that node is its own; a record of another node or name is not', async () => {
    for (const [rec, conflict] of [
      [{ nodeId: 'N1', hostname: 'n1', name: 'data', adopted: true }, false],
      [{ nodeId: 'N2', hostname: 'n2', name: 'data', adopted: true }, true],
      [{ nodeId: 'N1', hostname: 'n1', name: 'other', adopted: true }, true],
    ] as const) {
      const h = harness([{ host: 'n1' }]);
      h.engines.n1!.volumes.set('data', {
        Name: 'data',
        Driver: 'local',
        Options: { type: 'tmpfs', device: 'tmpfs' },
        Labels: null,
      });
      await h.store.add(KEY, rec);
      const r = await h.reconciler.reconcile(resource(), h.ctx());
      expect([rec, r.status.phase]).toStrictEqual([rec, conflict ? 'Blocked' : 'Ready']);
    }
  });

  it('writes progress only for a node where something changed', async () => {
    const h = harness([{ host: 'n1' }, { host: 'n2' }]);
    h.engines.n1!.volumes.set('data', {
      Name: 'data',
      Driver: 'local',
      Options: { type: 'tmpfs', device: 'tmpfs' },
      Labels: OWNED,
    });
    await h.store.add(KEY, { nodeId: 'N1', hostname: 'n1', name: 'data' });
    const prev = { conditions: [], phase: 'Ready', extra: 'kept' };
    await h.reconciler.reconcile(resource(), h.ctx(prev));
    expect(h.progress).toHaveLength(1);
    expect(h.progress[0]).toMatchObject({
      phase: 'Creating',
      progress: '2/2 nodes',
      extra: 'kept',
      conditions: [],
    });
  });

  it('a removal blocked by a volume in use says InUse; one blocked by an unreachable node says RemoveBlocked', async () => {
    const h = harness([{ host: 'n1' }, { host: 'n2' }]);
    await h.reconciler.reconcile(resource(), h.ctx());
    h.engines.n1!.containers.set('data', ['db.1.x']);
    h.manager.services.push({
      Spec: {
        Name: 'app_db',
        TaskTemplate: { ContainerSpec: { Mounts: [{ Type: 'volume', Source: 'data' }] } },
      },
    });
    const inUse = await h.reconciler.remove!(KEY, undefined, h.ctx());
    expect(cond(inUse.status, 'Ready')).toMatchObject({
      reason: 'InUse',
      message: 'not removed yet: volume data on node n1 is in use by container(s) db.1.x (service(s) app_db)',
    });
    const g = harness([{ host: 'n1' }, { host: 'n2', endpoint: false }]);
    await g.store.add(KEY, { nodeId: 'N2', hostname: 'n2', name: 'data' });
    const blocked = await g.reconciler.remove!(KEY, undefined, g.ctx());
    expect(cond(blocked.status, 'Ready')).toMatchObject({
      reason: 'RemoveBlocked',
      message:
        'not removed yet: volume data on node n2: node unreachable (n2: no SwarmNode resource and no --node-endpoint for it)',
    });
  });
});
