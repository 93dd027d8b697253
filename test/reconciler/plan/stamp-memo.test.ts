import { describe, expect, it } from 'vitest';
import type { DesiredObject, DesiredState, ObservedState } from '../../../reconciler/model/objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import type { PlanOptions, StampMemo } from '../../../reconciler/plan/types.js';
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

// The planner may keep the stamped form of frozen desired objects between plans (the controller's
// desired-state cache gives it a memo): every plan made through the memo is the plan made without
// it, whatever the owner, instance or ignore paths of the plans before.

const desired: DesiredState = frozen(
  state(withNet(), front, cfg('conf', 'hello'), svc('api', {}, { Env: ['B=2'] }), net('back')),
);
const live = deployed(structuredClone(desired) as DesiredState);

type Step = [string, DesiredState, ObservedState, Partial<PlanOptions>];
const steps: Step[] = [
  ['converged', desired, live, {}],
  ['converged again (the memo is used)', desired, live, {}],
  ['another ignore path', desired, live, { ignore: ['TaskTemplate.ContainerSpec.Env'] }],
  ['back to none', desired, live, {}],
  ['another instance', desired, live, { instanceId: 'i2' }],
  ['another owner', { ...desired, owner: OTHER_OWNER }, live, {}],
  [
    'drift',
    desired,
    mutate(live, 'app_web', (o) => {
      (o.spec as { Labels: Record<string, string> }).Labels['x'] = 'y';
    }),
    {},
  ],
  ['nothing deployed', desired, { objects: [] }, {}],
];

describe('the stamp memo', () => {
  it('every plan through it is the plan without it', () => {
    const memo: StampMemo = new WeakMap<DesiredObject, { by: string; stamped: DesiredObject }>();
    for (const [what, d, o, patch] of steps) {
      const through = plan(d, o, { ...opts(patch), stamps: memo });
      expect(through, what).toEqual(plan(d, o, opts(patch)));
    }
    expect(memo.get(desired.objects[0]!)).toBeDefined();
  });

  it('objects that are not frozen are stamped every time (they may change between plans)', () => {
    const memo: StampMemo = new WeakMap();
    const d = state(withNet(), front);
    plan(d, live, { ...opts(), stamps: memo });
    expect(memo.get(d.objects[0]!)).toBeUndefined();
  });

  it('a plan after the first reuses the frozen stamped objects', () => {
    const memo: StampMemo = new WeakMap();
    const first = plan(desired, { objects: [] }, { ...opts(), stamps: memo });
    const second = plan(desired, { objects: [] }, { ...opts(), stamps: memo });
    const stamped = (p: typeof first) => p.actions.map((a) => (a.op === 'create' ? a.desired : undefined));
    stamped(second).forEach((d, i) => expect(d).toBe(stamped(first)[i]));
    expect(stamped(second).every((d) => d && Object.isFrozen(d.spec.Labels))).toBe(true);
  });
});
