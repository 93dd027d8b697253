// The SwarmNode kind's steps around its machines: the spec parsed, the converged-spec hash, the machine
// input, when a run needs the manager-change lock (and that lock on Redis), the node read again, and
// the statuses of a stalled node and of one waiting for the lock.
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { hashInput } from '../../../controllers/machine-runner/machine-runner.js';
import { MemorySnapshotStore } from '../../../controllers/machine-runner/snapshot-store.js';
import type { NodeOps } from '../../../controllers/node/node-actors.js';
import {
  mayChangeManagers,
  nodeMachineInput,
  nodeRunSteps,
  nodeSpecHash,
  parseSpec,
  redisLock,
} from '../../../controllers/node/node-run.js';
import { DEFAULT_NODE_POLICY } from '../../../machines/node-policy.js';
import type { SwarmNodeStatusOut } from '../../../machines/node-status.js';
import { skError } from '../../../reconciler/errors.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const steps = nodeRunSteps({ store: new MemorySnapshotStore(), now: () => NOW });
const res = (spec: unknown) => ({ key: 'SwarmNode/default/n1', spec }) as DesiredResource;

describe('parseSpec', () => {
  it('a valid spec, with its defaults', () => {
    expect(parseSpec(res({ address: 'tcp://10.0.0.5:2376' }))).toMatchObject({
      address: 'tcp://10.0.0.5:2376',
      force: false,
    });
  });

  it('every issue, with its path, in one terminal error', () => {
    const e = parseSpec(res({ address: 'nope', role: 'boss' }));
    expect(e).toMatchObject({ code: 'SK_ERR_RESOURCE_INVALID', policy: 'terminal', reason: 'InvalidSpec' });
    expect((e as Error).message).toMatch(
      /^SwarmNode\/default\/n1: spec\.address: must be a Docker API URL \(tcp:\/\/, unix:\/\/, ssh:\/\/, http:\/\/ or https:\/\/\); spec\.role: .+$/,
    );
  });
});

describe('nodeSpecHash', () => {
  const labels = fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 2 }), { maxKeys: 4 });

  it('does not depend on the order of the labels', () => {
    fc.assert(
      fc.property(labels, (l) => {
        const reversed = Object.fromEntries(Object.entries(l).reverse());
        expect(nodeSpecHash({ labels: reversed })).toBe(nodeSpecHash({ labels: l }));
      }),
    );
  });

  it('is the hash of role, availability and labels sorted by key (unset fields null)', () => {
    expect(nodeSpecHash({ role: 'worker', labels: { b: '2', a: '1' } })).toBe(
      hashInput([
        'worker',
        null,
        [
          ['a', '1'],
          ['b', '2'],
        ],
      ]),
    );
    expect(nodeSpecHash({ availability: 'drain', labels: { b: '2', B: '1' } })).toBe(
      hashInput([
        null,
        'drain',
        [
          ['b', '2'],
          ['B', '1'],
        ],
      ]),
    );
    expect(nodeSpecHash({})).toBe(hashInput([null, null, null]));
  });

  it('differs for each field set', () => {
    const all = [
      {},
      { role: 'manager' },
      { role: 'worker' },
      { availability: 'drain' },
      { labels: {} },
      { labels: { a: '1' } },
    ].map((s) => nodeSpecHash(s as never));
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('nodeMachineInput', () => {
  const P = DEFAULT_NODE_POLICY;
  const base = { key: 'K', instance: 'i1', node: 'tcp://a', policy: P, force: false };
  it.each([
    ['nothing desired', { address: 'tcp://a', force: false }, [], base],
    [
      'role only',
      { address: 'tcp://a', force: true, role: 'worker' },
      [],
      { ...base, force: true, desired: { role: 'worker' } },
    ],
    [
      'availability only',
      { address: 'tcp://a', force: false, availability: 'drain' },
      [],
      { ...base, desired: { availability: 'drain' } },
    ],
    [
      'labels only',
      { address: 'tcp://a', force: false, labels: { a: '1' } },
      [],
      { ...base, desired: { labels: { a: '1' } } },
    ],
    [
      'addresses, node ID and hostname',
      { address: 'tcp://a', force: false, advertiseAddr: '10.0.0.5', listenAddr: '0.0.0.0:2377' },
      ['N1', 'n1'],
      { ...base, node: 'n1', advertiseAddr: '10.0.0.5', listenAddr: '0.0.0.0:2377', nodeId: 'N1' },
    ],
  ])('%s', (_, spec, [nodeId, name], want) => {
    expect(nodeMachineInput('K', 'i1', spec as never, P, nodeId, name)).toStrictEqual(want);
  });
});

describe('mayChangeManagers', () => {
  it.each([
    [undefined, 'manager', false],
    [undefined, undefined, false],
    ['worker', 'worker', false],
    ['worker', 'manager', true],
    ['worker', undefined, true],
    ['manager', 'manager', true],
    ['manager', 'worker', true],
  ] as const)('role %s, previously %s: %s', (role, prev, want) => {
    expect(mayChangeManagers(role === undefined ? {} : { role }, prev)).toBe(want);
  });
});

describe('redisLock', () => {
  it('one manager-change lock per instance, taken with NX and a TTL', async () => {
    const calls: unknown[][] = [];
    let free = true;
    const redis = {
      set: async (...a: unknown[]) => {
        calls.push(a);
        const got = free;
        free = false;
        return got ? 'OK' : null;
      },
      eval: async () => 1,
    } as unknown as Redis;
    const lock = redisLock(redis, 'i1');
    const held = await lock.tryAcquire();
    expect(held).toBeDefined();
    expect(await lock.tryAcquire()).toBeUndefined();
    expect(calls.map((c) => [c[0], c[2], c[3], c[4]])).toEqual([
      ['swarmkeeper:i1:swarmnode:manager-change', 'PX', 30_000, 'NX'],
      ['swarmkeeper:i1:swarmnode:manager-change', 'PX', 30_000, 'NX'],
    ]);
    await held!.release();
  });
});

describe('freshView', () => {
  const view = {
    id: 'N1',
    version: 1,
    hostname: 'n1',
    role: 'worker',
    availability: 'active',
    labels: {},
    state: 'ready',
  };
  const ops = (nodeState: NodeOps['nodeState']) => ({ nodeState }) as NodeOps;
  it('the node as the manager reports it', async () => {
    expect(
      await steps.freshView(
        ops(async ({ input }) => ({ ...view, id: input.nodeId }) as never),
        'N1',
      ),
    ).toEqual(view);
  });
  it('no node ID: nothing is asked', async () => {
    let asked = false;
    const r = await steps.freshView(
      ops(async () => ((asked = true), null)),
      undefined,
    );
    expect([r, asked]).toEqual([undefined, false]);
  });
  it('a failed read is unknown (undefined), a gone node null', async () => {
    expect(
      await steps.freshView(
        ops(async () => Promise.reject(new Error('x'))),
        'N1',
      ),
    ).toBeUndefined();
    expect(
      await steps.freshView(
        ops(async () => null),
        'N1',
      ),
    ).toBeNull();
  });
});

const cond = (s: SwarmNodeStatusOut, type: string) => s.conditions?.find((c) => c.type === type);

describe('stalledStatus', () => {
  it('a terminal error stalls the node', () => {
    const s = steps.stalledStatus(undefined, skError('RESOURCE_INVALID', 'bad spec'), 3);
    expect(s.phase).toBe('Stalled');
    expect(s.observedGeneration).toBe(3);
    expect(cond(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidSpec',
      message: 'bad spec',
      observedGeneration: 3,
    });
    expect(cond(s, 'Stalled')).toMatchObject({ status: 'True', reason: 'InvalidSpec', message: 'bad spec' });
    expect(cond(s, 'Reconciling')).toMatchObject({ status: 'False' });
  });

  it('a transient error fails the node and keeps it reconciling', () => {
    const s = steps.stalledStatus(undefined, skError('DOCKER_API', 'down'), undefined);
    expect(s.phase).toBe('Failed');
    expect(s.observedGeneration).toBeUndefined();
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', reason: 'DockerAPIError', message: 'down' });
    expect(cond(s, 'Ready')).not.toHaveProperty('observedGeneration');
    expect(cond(s, 'Reconciling')).toMatchObject({
      status: 'True',
      reason: 'DockerAPIError',
      message: 'down',
    });
    expect(cond(s, 'Stalled')).toMatchObject({ status: 'False' });
  });
});

describe('waitingForLock', () => {
  const MSG = 'another SwarmNode is changing the swarm managers; waiting for it to finish';
  const ready = steps.stalledStatus(undefined, skError('DOCKER_API', 'x'), 1);
  const readyTrue: SwarmNodeStatusOut = {
    ...ready,
    phase: 'Ready',
    conditions: ready.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'True' } : c)),
  };

  it('a Ready node that only re-checks keeps its status', () => {
    expect(steps.waitingForLock(readyTrue, 'Joining', 2)).toBe(readyTrue);
  });

  it.each([
    ['a removal', readyTrue, 'Removing'],
    ['no previous status', undefined, 'Joining'],
    [
      'a Ready phase whose Ready condition is False',
      { ...readyTrue, conditions: ready.conditions },
      'Joining',
    ],
    ['a Ready phase without conditions', { phase: 'Ready' }, 'Joining'],
    ['a Ready condition True in another phase', { ...readyTrue, phase: 'Failed' }, 'Joining'],
    [
      'another condition True',
      {
        ...readyTrue,
        conditions: ready.conditions!.map((c) => (c.type === 'Stalled' ? { ...c, status: 'True' } : c)),
      },
      'Joining',
    ],
  ] as const)('%s waits', (_, prev, phase) => {
    const s = steps.waitingForLock(prev as SwarmNodeStatusOut | undefined, phase, 4);
    expect(s.phase).toBe(phase);
    expect(s.progress).toBe(MSG);
    const c = { reason: 'WaitingForManagerChange', message: MSG, observedGeneration: 4 };
    expect(cond(s, 'Ready')).toMatchObject({ status: 'False', ...c });
    expect(cond(s, 'Reconciling')).toMatchObject({ status: 'True', ...c });
  });

  it('without a generation, none is written', () => {
    const s = steps.waitingForLock(undefined, 'Removing', undefined);
    expect(cond(s, 'Ready')).not.toHaveProperty('observedGeneration');
  });
});
