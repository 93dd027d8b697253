/**
 * In-process micro-bench of the no-op plan: one stack of PLAN_SERVICES services (as bench/resync.ts
 * writes them), translated once, applied to the planner's simulator, then planned PLAN_RUNS times
 * against what the simulator observes (nothing to do). Prints the mean time of one plan and of one
 * desiredFor, each alone and through the controller's desired-state cache (a hit, and the plan of
 * its frozen objects with the stamp memo). `node --cpu-prof` on it shows where the planner spends.
 *
 *   npx tsx bench/plan-noop.ts      (PLAN_SERVICES=5 PLAN_RUNS=2000)
 */
import { DesiredCache } from '../controllers/stack/desired-cache.js';
import { desiredFor } from '../reconciler/desired/desired-for.js';
import { plan } from '../reconciler/plan/plan.js';
import { SwarmSimulator } from '../reconciler/plan/simulator.js';
import type { DesiredResource } from '../reconciler/source/resource.js';

const SERVICES = Number(process.env['PLAN_SERVICES'] ?? 5);
const RUNS = Number(process.env['PLAN_RUNS'] ?? 2000);
const lines = ['name: st', 'services:'];
for (let s = 1; s <= SERVICES; s++)
  lines.push(
    `  svc${s}:`,
    '    image: local/busybox:1',
    '    command: ["sleep", "1000000"]',
    `    environment: { STACK: st, SERVICE: "${s}" }`,
    '    deploy: { replicas: 0, endpoint_mode: dnsrr }',
  );
const text = `${lines.join('\n')}\n`;
const res: DesiredResource = {
  key: 'SwarmStack/default/st',
  kind: 'SwarmStack',
  namespace: 'default',
  name: 'st',
  spec: { stackName: 'st', composeFile: 'compose.yml' },
  origin: { file: 'st/compose.yml' },
  baseDir: 'st',
  fromComposeFile: true,
  text,
};
const none = () => {
  throw new Error('ENOENT: no such file');
};
const ctx = {
  instanceId: 'i1',
  secretHashKey: new TextEncoder().encode('plan-noop'),
  files: { readText: none, readBytes: none },
};
const opts = {
  instanceId: 'i1',
  prune: true,
  adopt: false,
  recreatePolicy: 'Never' as const,
  configRetention: 2,
  ignore: [],
};
const d = desiredFor(res, ctx);
const sim = new SwarmSimulator();
sim.apply(plan(d.desired, sim.observed(), opts));
const observed = sim.observed();
const first = plan(d.desired, observed, opts);
if (first.actions.length > 0) throw new Error(`not a no-op: ${first.actions.map((a) => a.op).join(', ')}`);
function mean(runs: number, f: () => unknown): number {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) f();
  return ((performance.now() - t0) / runs) * 1000;
}
const cache = new DesiredCache();
const { files, ...rest } = ctx;
const source = { root: '.', files: () => files };
const cached = cache.desiredFor(res, rest, source);
const memo = { ...opts, stamps: cache.stamps };
const us = {
  plan: mean(RUNS, () => plan(d.desired, observed, opts)),
  planCached: mean(RUNS, () => plan(cached.desired, observed, memo)),
  desiredFor: mean(RUNS / 10, () => desiredFor(res, ctx)),
  cacheHit: mean(RUNS, () => cache.desiredFor(res, rest, source)),
};
console.log(
  `FIGURE no-op plan of ${SERVICES} services: ${us.plan.toFixed(0)} µs, of the cached state ${us.planCached.toFixed(0)} µs; ` +
    `desiredFor ${us.desiredFor.toFixed(0)} µs, a cache hit ${us.cacheHit.toFixed(0)} µs`,
);
