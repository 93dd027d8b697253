import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DesiredObject, DesiredState, ObservedState } from '../../../reconciler/model/objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import type { PlanOptions, StampMemo, UnchangedMemo } from '../../../reconciler/plan/types.js';
import {
  cfg,
  deployed,
  frozen,
  front,
  mutate,
  net,
  opts,
  OTHER_OWNER,
  state,
  svc,
  withNet,
} from './fixtures.js';

// The planner may remember that a stamped (frozen) desired service equalled an observed service at
// a version (the controller's desired-state cache gives it a memo), and skip the field comparison
// when it meets that service at that version again. Swarm bumps a service's version on every change
// of its spec, so every plan made through the memo is the plan made without it, as long as every
// change of an observed spec comes with a new version, as these steps do.

const desired: DesiredState = frozen(
  state(
    withNet(),
    front,
    cfg('conf', 'hello'),
    svc('api', { Mode: { Replicated: { Replicas: 2 } } }, { Env: ['B=2'] }),
    net('back'),
  ),
);
const live = deployed(structuredClone(desired) as DesiredState);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an Engine spec edited in place, any field
type Spec = Record<string, any>;

/** Out-of-band drift as Swarm makes it: the spec changes and the version goes up (each drift its own). */
let drifts = 0;
const drift = (s: ObservedState, name: string, f: (spec: Spec) => void) =>
  mutate(s, name, (o) => {
    f(o.spec as Spec);
    o.version = (o.version ?? 0) + 100 * ++drifts;
  });

const replicas = (n: number) => (spec: Spec) => {
  spec['Mode'] = { Replicated: { Replicas: n } };
};
const env = (spec: Spec) => {
  spec['TaskTemplate'].ContainerSpec.Env = ['B=3'];
};
const hashLabel = (spec: Spec) => {
  spec['Labels'] = { ...spec['Labels'], x: 'y' };
};

const envDrift = drift(live, 'app_api', env);

type Step = [string, DesiredState, ObservedState, Partial<PlanOptions>];
const steps: Step[] = [
  ['converged', desired, live, {}],
  ['converged again (the memo is used)', desired, live, {}],
  ['drift: replicas', desired, drift(live, 'app_api', replicas(5)), {}],
  ['drift: env', desired, drift(live, 'app_api', env), {}],
  ['drift: a label', desired, drift(live, 'app_web', hashLabel), {}],
  ['put back (the first version again)', desired, live, {}],
  ['an ignore path', desired, envDrift, { ignore: ['TaskTemplate.ContainerSpec.Env'] }],
  ['the same, without it', desired, envDrift, {}],
  ['another instance: nothing owned', desired, live, { instanceId: 'i2' }],
  ['another owner', { ...desired, owner: OTHER_OWNER }, live, {}],
  ['adopt: foreign services', desired, live, { instanceId: 'i2', adopt: true }],
  ['nothing deployed', desired, { objects: [] }, {}],
  ['converged at last', desired, live, {}],
];

describe('the unchanged memo', () => {
  it('every plan through it is the plan without it', () => {
    const stamps: StampMemo = new WeakMap();
    const unchanged: UnchangedMemo = new WeakMap<DesiredObject, string>();
    for (const [what, d, o, patch] of steps) {
      const through = plan(d, o, { ...opts(patch), stamps, unchanged });
      expect(through, what).toEqual(plan(d, o, opts(patch)));
    }
  });

  it('property: any order of those steps plans as without the memo', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: steps.length - 1 }), { maxLength: 25 }), (order) => {
        const stamps: StampMemo = new WeakMap();
        const unchanged: UnchangedMemo = new WeakMap<DesiredObject, string>();
        for (const i of order) {
          const [what, d, o, patch] = steps[i]!;
          expect(plan(d, o, { ...opts(patch), stamps, unchanged }), what).toEqual(plan(d, o, opts(patch)));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a service met again at the same version is not compared again', () => {
    const stamps: StampMemo = new WeakMap();
    const unchanged: UnchangedMemo = new WeakMap<DesiredObject, string>();
    expect(plan(desired, live, { ...opts(), stamps, unchanged }).actions).toEqual([]);
    // a spec changed without a new version (which Swarm never does) shows that the comparison was skipped
    const sameVersion = mutate(live, 'app_api', (o) => replicas(5)(o.spec as Spec));
    expect(plan(desired, sameVersion, { ...opts(), stamps, unchanged }).actions).toEqual([]);
    expect(plan(desired, sameVersion, opts()).actions.map((a) => a.op)).toEqual(['update']);
  });

  it.each<[string, () => Partial<PlanOptions>]>([
    ['no stamp memo (the stamped objects are new every plan)', () => ({ unchanged: new WeakMap() })],
    ['no unchanged memo', () => ({ stamps: new WeakMap() })],
  ])('nothing is remembered with %s', (_what, memos) => {
    const m = memos();
    plan(desired, live, { ...opts(), ...m });
    const sameVersion = mutate(live, 'app_api', (o) => replicas(5)(o.spec as Spec));
    expect(plan(desired, sameVersion, { ...opts(), ...m }).actions.map((a) => a.op)).toEqual(['update']);
  });

  it('desired objects that are not frozen are not remembered', () => {
    const stamps: StampMemo = new WeakMap();
    const unchanged: UnchangedMemo = new WeakMap<DesiredObject, string>();
    const d = state(withNet(), front, svc('api', { Mode: { Replicated: { Replicas: 2 } } }));
    const o = deployed(structuredClone(d) as DesiredState);
    plan(d, o, { ...opts(), stamps, unchanged });
    const sameVersion = mutate(o, 'app_api', (x) => replicas(5)(x.spec as Spec));
    expect(plan(d, sameVersion, { ...opts(), stamps, unchanged }).actions.map((a) => a.op)).toEqual([
      'update',
    ]);
  });
});
