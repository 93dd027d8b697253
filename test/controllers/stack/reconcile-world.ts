/**
 * A Swarm for driving reconcileResource and plannedKind in unit tests: the planner's simulator
 * behind a SwarmPort whose health the test sets, whose applies are recorded (with the options
 * they were given), and a pino logger writing JSON lines to memory.
 */
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import type { ActionResult, ApplyProgress, SwarmPort } from '../../../controllers/ports.js';
import { LABEL_HOOK_REVISION } from '../../../reconciler/compose/hooks.js';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type { ObservedState } from '../../../reconciler/model/objects.js';
import type { HookRun, Plan } from '../../../reconciler/plan/types.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { ObserveQuery } from '../../../reconciler/ports.js';
import type { DesiredResource } from '../../../reconciler/source/resource.js';
import type { ServiceHealth } from '../../../reconciler/status/resource-status.js';

export type LogLine = Record<string, unknown> & { msg: string; level: number };

/** A pino logger at debug level whose lines are parsed into `lines`. */
export function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

export interface ApplyCall {
  actions: string[];
  onProgress?: ApplyProgress;
  signal?: AbortSignal;
}

export function stackRes(
  services: Record<string, unknown>,
  extra: Partial<DesiredResource> & { specExtra?: Record<string, unknown> } = {},
): DesiredResource {
  const { specExtra, ...rest } = extra;
  return {
    key: 'SwarmStack/default/app',
    kind: 'SwarmStack',
    namespace: 'default',
    name: 'app',
    spec: { compose: { services }, ...specExtra },
    origin: { file: 'app.yaml' },
    baseDir: '.',
    ...rest,
  };
}

export const svc = (image: string, more: Record<string, unknown> = {}) => ({
  image,
  deploy: { replicas: 1, endpoint_mode: 'dnsrr' },
  ...more,
});

/** The Swarm as a simulator and nothing else: every plan applies, every service is healthy-unknown. */
export function simulatorSwarm(sim: SwarmSimulator): SwarmPort {
  return {
    health: async () => new Map(),
    observe: async () => sim.observed(),
    apply: async (plan) => {
      sim.apply(plan);
      return plan.actions.map((action) => ({ action, ok: true }));
    },
  };
}

export function world(initial?: ObservedState) {
  const state = { sim: new SwarmSimulator(initial) };
  const applies: ApplyCall[] = [];
  const observes: ObserveQuery[] = [];
  const healthQueries: unknown[] = [];
  let health: ServiceHealth[] = [];
  let failApply: ((plan: Plan) => ActionResult[] | undefined) | undefined;
  /** Hook runs by `service@revision`. */
  const runs = new Map<string, HookRun>();
  const swarm: SwarmPort = {
    health: async (q) => {
      healthQueries.push(q);
      return new Map([[q.owner ?? '', health]]);
    },
    observe: async (q) => {
      observes.push(q);
      return state.sim.observed();
    },
    apply: async (plan, o) => {
      applies.push({
        actions: plan.actions.map((a) => `${a.op} ${a.kind} ${a.name}`),
        ...(o?.onProgress ? { onProgress: o.onProgress } : {}),
        ...(o?.signal ? { signal: o.signal } : {}),
      });
      const failed = failApply?.(plan);
      if (failed) return failed;
      state.sim.apply(plan);
      return plan.actions.map((action) => ({ action, ok: true }));
    },
    hookRuns: async (ids) => {
      const out = new Map<string, HookRun>();
      for (const o of state.sim.observed().objects)
        if (o.kind === 'service' && ids.includes(o.id)) {
          // the run of the observed revision; absent: running (just created)
          const revision = (o.spec as ServiceSpec).Labels?.[LABEL_HOOK_REVISION] ?? '';
          out.set(o.name, { ...(runs.get(`${o.name}@${revision}`) ?? { state: 'running' }), revision });
        }
      return out;
    },
  };
  const log = memoryLogger();
  const deps = {
    swarm,
    instanceId: 'i1',
    secretHashKey: new TextEncoder().encode('reconcile-world-key'),
    root: '.',
    logger: log.logger,
  };
  return {
    state,
    applies,
    observes,
    healthQueries,
    runs,
    deps,
    lines: log.lines,
    /** Sets the run of a hook service's current revision. */
    hookRun: (name: string, run: Omit<HookRun, 'revision'>) => {
      const o = state.sim.observed().objects.find((x) => x.kind === 'service' && x.name === name);
      const revision = (o?.spec as ServiceSpec | undefined)?.Labels?.[LABEL_HOOK_REVISION] ?? '';
      runs.set(`${name}@${revision}`, { ...run, revision });
    },
    setHealth: (h: ServiceHealth[]) => (health = h),
    failApplyWith: (f: (plan: Plan) => ActionResult[] | undefined) => (failApply = f),
    /** Replaces the Swarm by what `edit` makes of what it holds (an out-of-band change). */
    edit: (edit: (s: ObservedState) => ObservedState) => {
      state.sim = new SwarmSimulator(edit(state.sim.observed()));
    },
  };
}

export const converged = (name: string, n = 1): ServiceHealth => ({
  name,
  image: 'x',
  mode: 'replicated',
  desiredReplicas: n,
  runningReplicas: n,
});
export const starting = (name: string): ServiceHealth => ({
  name,
  image: 'x',
  mode: 'replicated',
  desiredReplicas: 1,
  runningReplicas: 0,
});
