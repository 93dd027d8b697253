import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isOwnedBy,
  LABEL_OWNER,
  LABEL_STACK_NAMESPACE,
  OWNERSHIP_LABELS,
} from '../../../reconciler/model/ownership.js';
import type { DesiredState, ObservedState } from '../../../reconciler/model/objects.js';
import { SERVICE_PROFILE } from '../../../reconciler/plan/defaults.js';
import { diffSpec } from '../../../reconciler/plan/diff.js';
import { compileIgnore, isIgnored } from '../../../reconciler/plan/ignore.js';
import { immutableChanges } from '../../../reconciler/plan/plan-objects.js';
import type { BlockedChange } from '../../../reconciler/plan/types.js';
import { plan } from '../../../reconciler/plan/plan.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import { desiredState, planOptions, startingSwarm } from './arbitraries.js';
import { INSTANCE, OWNER } from './fixtures.js';
import { propertyRuns } from '../../support/property-runs.js';

/** Desired objects that are not blocked yet differ from what the Swarm holds (strictly: removed fields count). */
function unconverged(
  desired: DesiredState,
  after: ObservedState,
  blocked: BlockedChange[],
  ignore: string[],
): string[] {
  const skip = new Set(blocked.map((b) => `${b.kind}/${b.name}`));
  const ig = compileIgnore(ignore);
  const own = (p: string) => OWNERSHIP_LABELS.some((l) => p === `Labels[${JSON.stringify(l)}]`);
  const out: string[] = [];
  for (const d of desired.objects) {
    if (skip.has(`${d.kind}/${d.name}`)) continue;
    const o = after.objects.find((x) => x.kind === d.kind && x.name === d.name);
    if (!o) out.push(`${d.kind}/${d.name}: missing`);
    else if (d.kind === 'service') {
      const changes = diffSpec(d.spec, o.spec, { profile: SERVICE_PROFILE, strict: true });
      for (const c of changes) if (!own(c.path) && !isIgnored(c.path, ig)) out.push(`${d.name}: ${c.path}`);
    } else if (d.kind === 'network') {
      for (const c of immutableChanges(d, o.spec)) if (!own(c.path)) out.push(`${d.name}: ${c.path}`);
    }
  }
  return out;
}

const RUNS = propertyRuns(200);
const TIMEOUT = 60_000;

describe('planner laws', () => {
  it(
    'plan, apply, plan again gives an empty plan, and what is not blocked matches the desired state',
    () => {
      fc.assert(
        fc.property(desiredState(OWNER), startingSwarm, planOptions, (desired, start, opts) => {
          const sim = new SwarmSimulator(start);
          const first = plan(desired, sim.observed(), opts);
          sim.apply(first);
          const second = plan(desired, sim.observed(), opts);
          expect(second.actions).toEqual([]);
          expect(second.blocked.map((b) => `${b.kind}/${b.name}`)).toEqual(
            first.blocked.map((b) => `${b.kind}/${b.name}`),
          );
          expect(unconverged(desired, sim.observed(), first.blocked, opts.ignore)).toEqual([]);
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    'never removes, updates or recreates an object this owner does not own (adoption aside)',
    () => {
      fc.assert(
        fc.property(desiredState(OWNER), startingSwarm, planOptions, (desired, start, opts) => {
          const byId = new Map(start.objects.map((o) => [o.id, o]));
          for (const a of plan(desired, start, opts).actions) {
            if (a.op === 'create') {
              expect(start.objects.some((o) => o.kind === a.kind && o.name === a.name)).toBe(false);
              continue;
            }
            const o = byId.get(a.id);
            expect(o).toBeDefined();
            if (a.op === 'update' && a.adopt) {
              expect(opts.adopt).toBe(true);
              expect(o?.labels[LABEL_OWNER]).toBeUndefined();
              expect(o?.labels[LABEL_STACK_NAMESPACE]).toBe('app');
            } else expect(isOwnedBy(o?.labels, OWNER, INSTANCE)).toBe(true);
          }
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    'applying twice is idempotent',
    () => {
      fc.assert(
        fc.property(desiredState(OWNER), startingSwarm, planOptions, (desired, start, opts) => {
          const round = (s: ObservedState): ObservedState => {
            const sim = new SwarmSimulator(s);
            sim.apply(plan(desired, s, opts));
            return sim.observed();
          };
          const once = round(start);
          expect(round(once)).toEqual(once);
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );
});
