import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOwnedBy, LABEL_OWNER, LABEL_STACK_NAMESPACE } from '../../../reconciler/model/ownership.js';
import type { ObservedState } from '../../../reconciler/model/objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import { desiredState, planOptions, startingSwarm } from './arbitraries.js';
import { INSTANCE, OWNER } from './fixtures.js';

const RUNS = { numRuns: 200 };
const TIMEOUT = 60_000;

describe('planner laws', () => {
  it('plan, apply, plan again gives an empty plan (the same blocked changes, nothing to do)', () => {
    fc.assert(
      fc.property(desiredState(OWNER), startingSwarm, planOptions, (desired, start, opts) => {
        const sim = new SwarmSimulator(start);
        const first = plan(desired, sim.observed(), opts);
        sim.apply(first);
        const second = plan(desired, sim.observed(), opts);
        expect(second.actions).toEqual([]);
        expect(second.blocked.map((b) => `${b.kind}/${b.name}`)).toEqual(first.blocked.map((b) => `${b.kind}/${b.name}`));
      }),
      RUNS,
    );
  }, TIMEOUT);

  it('never removes, updates or recreates an object this owner does not own (adoption aside)', () => {
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
  }, TIMEOUT);

  it('applying twice is idempotent', () => {
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
  }, TIMEOUT);
});
