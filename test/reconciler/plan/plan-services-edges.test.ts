import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type { DesiredService, ObservedObject } from '../../../reconciler/model/objects.js';
import { LABEL_SPEC_HASH } from '../../../reconciler/model/ownership.js';
import { makeContext } from '../../../reconciler/plan/context.js';
import { serviceChanges, specToSend } from '../../../reconciler/plan/plan-services.js';
import { plan } from '../../../reconciler/plan/plan.js';
import type { UpdateAction } from '../../../reconciler/plan/types.js';
import { deployed, mutate, opts, state, web } from './fixtures.js';

const obs = deployed(state(web));
const withTeam = mutate(obs, 'app_web', (o) => {
  (o.spec as ServiceSpec).Labels = { ...(o.spec as ServiceSpec).Labels, team: 'ops' };
  o.labels = { ...o.labels, team: 'ops' };
});
const setup = (observed = obs, ignore: string[] = []) => {
  const ctx = makeContext(state(web), observed.objects, opts({ ignore }));
  return { ctx, d: ctx.desired[0] as DesiredService, o: observed.objects[0] as ObservedObject };
};

describe('specToSend: the spec a service update sends', () => {
  it('is the desired spec itself when nothing is ignored', () => {
    const { ctx, d, o } = setup(withTeam);
    expect(specToSend(ctx, d, o.spec)).toBe(d.spec);
  });

  it.each([['Labels["team"]'], ['Labels']])(
    'keeps an ignored label (%s) set outside, and every label of the desired service',
    (ignore) => {
      const { ctx, d, o } = setup(withTeam, [ignore]);
      expect(specToSend(ctx, d, o.spec).Labels).toStrictEqual({ ...d.spec.Labels, team: 'ops' });
    },
  );

  it('an ignored label the desired service also sets is sent with the desired value', () => {
    const { ctx, d, o } = setup(obs, ['Labels']);
    const stale = { ...o, spec: { ...(o.spec as ServiceSpec), Labels: { [LABEL_SPEC_HASH]: 'old' } } };
    expect(specToSend(ctx, d, stale.spec).Labels?.[LABEL_SPEC_HASH]).toBe(d.spec.Labels?.[LABEL_SPEC_HASH]);
  });
});

describe('serviceChanges: where the observed spec hash is read', () => {
  it('from the spec labels when the object labels lack it: no change', () => {
    const { ctx, d, o } = setup();
    expect(serviceChanges(ctx, d, { ...o, labels: {} })).toEqual([]);
  });

  const LABELS = ['com.docker.stack.namespace', 'swarmkeeper.io/instance', 'swarmkeeper.io/owner'];
  const paths = (cs: { path: string }[]) => cs.map((c) => c.path);

  it('an observed service without spec: the whole desired spec is the change', () => {
    const { ctx, d, o } = setup();
    const changes = serviceChanges(ctx, d, { ...o, labels: {}, spec: undefined });
    expect(changes).toEqual([{ path: '', to: d.spec }]);
  });

  it('an observed spec without labels: every desired label is added (the hash is not compared)', () => {
    const { ctx, d, o } = setup();
    const bare = { ...o, labels: {}, spec: { ...(o.spec as ServiceSpec), Labels: undefined } };
    expect(paths(serviceChanges(ctx, d, bare))).toEqual(LABELS.map((l) => `Labels[${JSON.stringify(l)}]`));
  });

  it('a desired service without labels (no hash) is compared strictly: the observed labels go', () => {
    const { ctx, o } = setup();
    const bare: DesiredService = { ...web, spec: { ...web.spec, Labels: undefined } };
    const changes = serviceChanges(ctx, bare, o);
    expect(paths(changes)).toEqual(LABELS.map((l) => `Labels[${JSON.stringify(l)}]`));
    expect(changes.every((c) => c.to === undefined)).toBe(true);
  });

  it('an update with a label and another change is not labels only', () => {
    const env = { ...web, spec: { ...web.spec, Labels: { ...web.spec.Labels, team: 'dev' } } };
    env.spec.TaskTemplate = {
      ...env.spec.TaskTemplate,
      ContainerSpec: { ...env.spec.TaskTemplate.ContainerSpec, Env: ['A=2'] },
    };
    const u = plan(state(env), obs, opts()).actions[0] as UpdateAction;
    expect(u.changes.map((c) => c.path)).toContain('Labels.team');
    expect(u.labelsOnly).toBe(false);
  });
});
