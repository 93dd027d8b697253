/**
 * In-memory parts for the reconcile loop's unit tests: a fake Swarm port over the planner's
 * simulator, in-memory status, owner, conflict and orphan stores, a recording event recorder.
 */
import { pino } from 'pino';
import { createMetrics } from '../../../controllers/observability/metrics.js';
import type {
  ConflictStore,
  KindReconcilers,
  OwnershipConflict,
  ResourceEvent,
  ResourceLifecycle,
  Source,
  SourceSnapshot,
  StatusStore,
  SwarmPort,
} from '../../../controllers/ports.js';
import { DesiredState } from '../../../controllers/runtime/desired-state.js';
import { MemoryOrphanMarks } from '../../../controllers/runtime/orphan-marks.js';
import { MemoryOwnerIndex } from '../../../controllers/runtime/owner-index.js';
import { ReconcileLoop } from '../../../controllers/runtime/reconcile-loop.js';
import { plannedKind } from '../../../controllers/stack/planned-kind.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import type { ResourceStatus } from '../../../reconciler/status/resource-status.js';

export class MemoryStatusStore implements StatusStore {
  readonly map = new Map<string, ResourceStatus>();
  /** Every write (put or delete), by key. */
  readonly writes: { key: string; op: 'put' | 'delete' }[] = [];
  get(key: string) {
    return Promise.resolve(this.map.get(key));
  }
  put(key: string, status: ResourceStatus) {
    this.writes.push({ key, op: 'put' });
    this.map.set(key, status);
    return Promise.resolve(true);
  }
  list() {
    return Promise.resolve(new Map(this.map));
  }
  delete(key: string) {
    this.writes.push({ key, op: 'delete' });
    this.map.delete(key);
    return Promise.resolve();
  }
  writesOf(key: string): number {
    return this.writes.filter((w) => w.key === key).length;
  }
}

export class MemoryConflicts implements ConflictStore {
  readonly map = new Map<string, OwnershipConflict[]>();
  update(key: string, conflicts: OwnershipConflict[]) {
    if (conflicts.length > 0) this.map.set(key, conflicts);
    else this.map.delete(key);
    return Promise.resolve();
  }
  list() {
    return Promise.resolve([...this.map].flatMap(([key, cs]) => cs.map((c) => ({ key, object: c.object }))));
  }
}

/** The Swarm: the planner's simulator; `failWith` makes every applied action fail with that error. */
export function fakeSwarm(sim = new SwarmSimulator()) {
  const state: { failWith?: Error; applied: number } = { applied: 0 };
  const swarm: SwarmPort = {
    observe: () => Promise.resolve(sim.observed()),
    apply: (plan) => {
      state.applied += plan.actions.length;
      // with failWith, the service actions fail; the others are applied
      const fails = (a: (typeof plan.actions)[number]) =>
        state.failWith !== undefined && a.kind === 'service';
      sim.apply({ ...plan, actions: plan.actions.filter((a) => !fails(a)) });
      return Promise.resolve(
        plan.actions.map((action) =>
          fails(action) ? { action, ok: false, error: state.failWith } : { action, ok: true },
        ),
      );
    },
    health: () => Promise.resolve(new Map()),
  };
  return { sim, swarm, state };
}

export function stack(
  name: string,
  extra: Partial<DesiredResource> = {},
  spec: Record<string, unknown> = {},
): DesiredResource {
  return {
    key: `SwarmStack/default/${name}`,
    kind: 'SwarmStack',
    namespace: 'default',
    name,
    spec: {
      compose: {
        services: { web: { image: 'local/busybox:1', deploy: { replicas: 0, endpoint_mode: 'dnsrr' } } },
      },
      ...spec,
    },
    origin: { file: `${name}.yaml`, source: 'mem' },
    baseDir: '.',
    ...extra,
  };
}

export function snapshot(resources: DesiredResource[], source = 'mem'): SourceSnapshot {
  return { source, root: '.', revision: 'r1', resources, errors: [] };
}

/**
 * A loop over in-memory parts, with the real planned kind for SwarmStack unless `kinds` replaces it;
 * `sources` are added beside the in-memory source ('mem', loaded).
 */
export function world(
  opts: { kinds?: KindReconcilers; lifecycle?: ResourceLifecycle; sources?: Source[] } = {},
) {
  const logger = pino({ level: 'silent' });
  const statuses = new MemoryStatusStore();
  const owners = new MemoryOwnerIndex();
  const conflicts = new MemoryConflicts();
  const marks = new MemoryOrphanMarks();
  const events: ResourceEvent[] = [];
  const enqueued: string[] = [];
  const epoch = { bumps: 0, bump: () => Promise.resolve(void epoch.bumps++) };
  const metrics = createMetrics();
  const { sim, swarm, state } = fakeSwarm();
  const desired = new DesiredState({
    sources: [
      {
        name: 'mem',
        start: () => Promise.resolve(),
        sync: () => Promise.resolve(),
        stop: () => Promise.resolve(),
      },
      ...(opts.sources ?? []),
    ],
    statuses,
    logger,
    allowEmpty: true, // the empty-source guard has its own tests
    ...(opts.lifecycle ? { lifecycle: opts.lifecycle } : {}),
  });
  desired.loaded('mem');
  const planned = plannedKind({
    swarm,
    instanceId: 'i1',
    secretHashKey: () => Promise.resolve(new TextEncoder().encode('reconcile-loop-test-key!')),
    view: { get: () => Promise.resolve(undefined) },
  });
  const loop = new ReconcileLoop({
    desired,
    kinds: opts.kinds ?? { SwarmStack: planned, SwarmNetwork: planned },
    statuses,
    owners,
    conflicts,
    marks,
    swarm,
    instanceId: 'i1',
    metrics,
    epoch,
    enqueue: (key) => Promise.resolve(void enqueued.push(key)),
    logger,
    recorder: { record: (e) => events.push(e) },
    ...(opts.lifecycle ? { lifecycle: opts.lifecycle } : {}),
  });
  let n = 0;
  const run = (key: string) =>
    loop.reconcile(key, { reconcileId: `r${++n}`, attempt: 0, signal: new AbortController().signal });
  /** The error a reconcile throws, or undefined when it succeeds. */
  const attempt = async (key: string) => {
    try {
      return { result: await run(key), error: undefined };
    } catch (error) {
      return {
        result: undefined,
        error: error as { code?: string; policy?: string; requeueAfterMs?: number },
      };
    }
  };
  return {
    sim,
    swarm,
    state,
    desired,
    statuses,
    owners,
    conflicts,
    marks,
    events,
    enqueued,
    epoch,
    metrics,
    loop,
    run,
    attempt,
  };
}
