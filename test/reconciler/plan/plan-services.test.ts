import { describe, expect, it } from 'vitest';
import type { ObservedState } from '../../../reconciler/model/objects.js';
import type { DesiredService } from '../../../reconciler/model/objects.js';
import { makeContext } from '../../../reconciler/plan/context.js';
import { serviceChanges } from '../../../reconciler/plan/plan-services.js';
import { plan } from '../../../reconciler/plan/plan.js';
import type { UpdateAction } from '../../../reconciler/plan/types.js';
import { LABEL_SPEC_HASH } from '../../../reconciler/model/ownership.js';
import { deployed, mutate, ops, opts, state, svc, web } from './fixtures.js';

describe('plan: service updates', () => {
  const d = state(web);
  const obs = deployed(d);

  it.each([
    [
      'image',
      svc('web', {}, { Env: ['A=1'], Args: ['httpd', '-f'], Image: 'img:2' }),
      'TaskTemplate.ContainerSpec.Image',
    ],
    ['env', svc('web', {}, { Env: ['A=2'], Args: ['httpd', '-f'] }), 'TaskTemplate.ContainerSpec.Env[0]'],
    [
      'replicas',
      svc('web', { Mode: { Replicated: { Replicas: 3 } } }, { Env: ['A=1'], Args: ['httpd', '-f'] }),
      'Mode.Replicated.Replicas',
    ],
  ])('updates when %s changes, with the field change', (_n, changed, path) => {
    const p = plan(state(changed), obs, opts());
    expect(ops(p)).toEqual(['update service app_web']);
    const u = p.actions[0] as UpdateAction;
    expect(u.changes.map((c) => c.path)).toEqual([path]);
    expect(u).toMatchObject({ id: obs.objects[0]?.id, version: obs.objects[0]?.version, labelsOnly: false });
  });

  it('an observed label added by someone else is drift, fixed without restarting tasks', () => {
    const drifted = mutate(obs, 'app_web', (o) => {
      (o.spec as { Labels: Record<string, string> }).Labels['x'] = 'y';
      o.labels['x'] = 'y';
    });
    const u = plan(d, drifted, opts()).actions[0] as UpdateAction;
    expect(u.changes).toEqual([{ path: 'Labels.x', from: 'y' }]);
    expect(u.labelsOnly).toBe(true);
  });

  it('notices a field removed from the desired state through the spec hash', () => {
    const without = svc('web', {}, { Env: ['A=1'] });
    const u = plan(state(without), obs, opts()).actions[0] as UpdateAction;
    expect(u.changes).toEqual([{ path: 'TaskTemplate.ContainerSpec.Args', from: ['httpd', '-f'] }]);
    expect(u.desired.spec).not.toHaveProperty('TaskTemplate.ContainerSpec.Args');
  });

  it('a removed field the Engine might fill (User) is noticed through the spec hash too', () => {
    const withUser = svc('web', {}, { Env: ['A=1'], Args: ['httpd', '-f'], User: 'nobody' });
    const u = plan(d, deployed(state(withUser)), opts()).actions[0] as UpdateAction;
    expect(u.changes).toEqual([{ path: 'TaskTemplate.ContainerSpec.User', from: 'nobody' }]);
  });

  it('a field added outside swarmkeeper (same spec hash) is not a difference: absent means "not managed"', () => {
    const drifted = mutate(obs, 'app_web', (o) => {
      (o.spec as { TaskTemplate: { ContainerSpec: Record<string, unknown> } }).TaskTemplate.ContainerSpec[
        'User'
      ] = 'x';
    });
    expect(plan(d, drifted, opts()).actions).toEqual([]);
  });

  it('zero values equal absent ones (no update, same spec hash)', () => {
    const zeroed = svc(
      'web',
      {},
      { Env: ['A=1'], Args: ['httpd', '-f'], Mounts: [], ReadOnly: false, Dir: '' },
    );
    expect(plan(state(zeroed), obs, opts()).actions).toEqual([]);
  });

  it('ignore paths keep the observed value (autoscaler replicas) and drop the difference', () => {
    const two = (cs = {}) => svc('web', { Mode: { Replicated: { Replicas: 2 } } }, { Env: ['A=1'], ...cs });
    const ignore = ['Mode.Replicated.Replicas'];
    const scale = (o: ObservedState) =>
      mutate(o, 'app_web', (x) => {
        (x.spec as { Mode: unknown }).Mode = { Replicated: { Replicas: 7 } };
      });
    const u0 = plan(state(two()), scale(deployed(state(two()))), opts()).actions[0] as UpdateAction;
    expect(u0.changes).toEqual([{ path: 'Mode.Replicated.Replicas', from: 7, to: 2 }]);
    const scaled = scale(deployed(state(two()), undefined, { ignore }));
    expect(plan(state(two()), scaled, opts({ ignore })).actions).toEqual([]);
    const u = plan(state(two({ Image: 'img:2' })), scaled, opts({ ignore })).actions[0] as UpdateAction;
    expect(u.changes.map((c) => c.path)).toEqual(['TaskTemplate.ContainerSpec.Image']);
    expect(u.desired.kind === 'service' && u.desired.spec.Mode).toEqual({ Replicated: { Replicas: 7 } });
  });

  it.each([
    ['TaskTemplate.ContainerSpec.Env[*]'],
    ['TaskTemplate.ContainerSpec.Env'],
    ['TaskTemplate.ContainerSpec'],
  ])('ignore %s: an env var added outside is kept, also when another field changes', (ignore) => {
    const drifted = mutate(deployed(d, undefined, { ignore: [ignore] }), 'app_web', (o) => {
      (o.spec as { TaskTemplate: { ContainerSpec: { Env: string[] } } }).TaskTemplate.ContainerSpec.Env.push(
        'B=2',
      );
    });
    expect(plan(d, drifted, opts({ ignore: [ignore] })).actions).toEqual([]);
    const img = svc(
      'web',
      { Mode: { Replicated: { Replicas: 3 } } },
      { Env: ['A=1'], Args: ['httpd', '-f'] },
    );
    const u = plan(state(img), drifted, opts({ ignore: [ignore] })).actions[0] as UpdateAction;
    expect(u.changes.map((c) => c.path)).toEqual(['Mode.Replicated.Replicas']);
    const env = u.desired.kind === 'service' && u.desired.spec.TaskTemplate.ContainerSpec.Env;
    expect(env).toEqual(['A=1', 'B=2']);
  });

  it('a service differing only in its spec-hash label is still updated (a removed field equal to its default)', () => {
    const one = svc(
      'web',
      { Mode: { Replicated: { Replicas: 1 } } },
      { Env: ['A=1'], Args: ['httpd', '-f'] },
    );
    const before = deployed(state(one));
    const had = before.objects[0]?.labels[LABEL_SPEC_HASH];
    const p = plan(d, before, opts());
    expect(ops(p)).toEqual(['update service app_web']);
    const u = p.actions[0] as UpdateAction;
    const want = u.desired.spec.Labels?.[LABEL_SPEC_HASH];
    expect(want).not.toBe(had);
    expect(u.changes).toEqual([{ path: `Labels["${LABEL_SPEC_HASH}"]`, from: had, to: want }]);
    expect(u.labelsOnly).toBe(true);
    // applied, the next plan is empty
    expect(plan(d, deployed(d, before), opts()).actions).toEqual([]);
  });

  it('a service whose spec-hash label was removed outside is updated to carry it again', () => {
    const bare = mutate(obs, 'app_web', (o) => {
      delete o.labels[LABEL_SPEC_HASH];
      delete (o.spec as { Labels: Record<string, string> }).Labels[LABEL_SPEC_HASH];
    });
    const u = plan(d, bare, opts()).actions[0] as UpdateAction;
    expect(u.changes).toEqual([
      { path: `Labels["${LABEL_SPEC_HASH}"]`, to: obs.objects[0]?.labels[LABEL_SPEC_HASH] },
    ]);
    // the label was added: the change has no `from` (FieldChange's contract), not `from: undefined`
    expect(u.changes[0]).not.toHaveProperty('from');
    expect(u).toMatchObject({ labelsOnly: true });
  });

  it('without ignore an env var added outside is drift', () => {
    const drifted = mutate(obs, 'app_web', (o) => {
      (o.spec as { TaskTemplate: { ContainerSpec: { Env: string[] } } }).TaskTemplate.ContainerSpec.Env.push(
        'B=2',
      );
    });
    const u = plan(d, drifted, opts()).actions[0] as UpdateAction;
    expect(u.changes).toEqual([{ path: 'TaskTemplate.ContainerSpec.Env[1]', from: 'B=2' }]);
  });
});

describe('plan: which observed service a desired one is', () => {
  it('a labels-only update sends the Engine spec with the new labels, so the task template is untouched', () => {
    const obs = deployed(state(web));
    const drifted = mutate(obs, 'app_web', (o) => {
      (o.spec as { Labels: Record<string, string> }).Labels['x'] = 'y';
      (o.spec as { TaskTemplate: { ForceUpdate: number } }).TaskTemplate.ForceUpdate = 0;
    });
    const u = plan(state(web), drifted, opts()).actions[0] as UpdateAction;
    const sent = u.desired.kind === 'service' ? u.desired.spec : undefined;
    const engine = drifted.objects[0]?.spec as typeof sent;
    expect(sent?.TaskTemplate).toEqual(engine?.TaskTemplate);
    expect(sent?.Labels).not.toHaveProperty('x');
    expect(sent?.Labels?.['swarmkeeper.io/owner']).toBe('SwarmStack/ns/app');
  });

  it('a service differing beyond labels sends the desired spec', () => {
    const obs = deployed(state(web));
    const img = svc('web', {}, { Env: ['A=1'], Args: ['httpd', '-f'], Image: 'img:2' });
    const u = plan(state(img), obs, opts()).actions[0] as UpdateAction;
    expect(u.labelsOnly).toBe(false);
    expect(u.desired.kind === 'service' && u.desired.spec.TaskTemplate.ContainerSpec.Image).toBe('img:2');
    expect(u).not.toHaveProperty('adopt');
  });
});

describe('serviceChanges', () => {
  it('is not strict unless asked: a field set outside with the same spec hash is no change', () => {
    const obs = deployed(state(web));
    const drifted = mutate(obs, 'app_web', (o) => {
      (o.spec as { TaskTemplate: { ContainerSpec: Record<string, unknown> } }).TaskTemplate.ContainerSpec[
        'User'
      ] = 'x';
    });
    const ctx = makeContext(state(web), drifted.objects, opts());
    const d = ctx.desired[0] as DesiredService;
    const o = drifted.objects[0]!;
    expect(serviceChanges(ctx, d, o)).toEqual([]);
    expect(serviceChanges(ctx, d, o, true)).toEqual([{ path: 'TaskTemplate.ContainerSpec.User', from: 'x' }]);
  });
});
