import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type { ObservedState } from '../../../reconciler/model/objects.js';
import { compileIgnore, isIgnored, overlayIgnored } from '../../../reconciler/plan/ignore.js';
import { plan } from '../../../reconciler/plan/plan.js';
import type { UpdateAction } from '../../../reconciler/plan/types.js';
import { deployed, mutate, opts, state, svc, web } from './fixtures.js';

const ENV = 'TaskTemplate.ContainerSpec.Env';
type Cs = { TaskTemplate: { ContainerSpec: Record<string, unknown> } };
const setEnv = (s: ObservedState, env: string[] | undefined) =>
  mutate(s, web.name, (o) => {
    (o.spec as Cs).TaskTemplate.ContainerSpec['Env'] = env;
  });

describe('compileIgnore: blank patterns', () => {
  it.each([[['']], [['  ']], [['', '\t', ' ']]])('drops blank patterns %j', (patterns) => {
    expect(compileIgnore(patterns)).toEqual([]);
    // a blank pattern would prefix-match every path and switch off all diffing
    expect(isIgnored('TaskTemplate.ContainerSpec.Image', compileIgnore(patterns))).toBe(false);
  });

  it('keeps the others, in order', () => {
    expect(compileIgnore(['', 'Mode', ' ', 'Labels.x'])).toEqual([['Mode'], ['Labels', 'x']]);
  });

  it('a blank ignore pattern leaves drift visible to the planner', () => {
    const drifted = setEnv(deployed(state(web)), ['A=2']);
    const p = plan(state(web), drifted, opts({ ignore: ['', ' '] }));
    expect((p.actions[0] as UpdateAction).changes).toEqual([{ path: `${ENV}[0]`, from: 'A=2', to: 'A=1' }]);
  });
});

describe('isIgnored', () => {
  it.each([
    [ENV, [`${ENV}[*]`], true],
    [`${ENV}[0]`, [`${ENV}[*]`], true],
    [`TaskTemplate.ContainerSpec`, [`${ENV}[*]`], false],
    ['TaskTemplate.ContainerSpec.Args', [`${ENV}[*]`], false],
    [ENV, [`${ENV}[0]`], false],
    [`${ENV}[0]`, [ENV], true],
    ['Labels', ['Labels.x'], false],
    ['Labels.x', ['Labels.y', 'Labels.x'], true],
    ['Mode', [], false],
  ])('%s under %j: %s', (path, patterns, want) => {
    expect(isIgnored(path, compileIgnore(patterns))).toBe(want);
  });

  it.each([
    ['removed outside', undefined],
    ['emptied outside', []],
    ['replaced outside', ['B=2', 'C=3']],
  ])('a pattern ending in [*] covers a change of the whole array (env %s)', (_n, env) => {
    const ignore = [`${ENV}[*]`];
    const drifted = setEnv(deployed(state(web), undefined, { ignore }), env);
    expect(plan(state(web), drifted, opts({ ignore })).actions).toEqual([]);
    expect(plan(state(web), drifted, opts()).actions).toHaveLength(1);
  });
});

describe('plan: ignored service labels', () => {
  it('a label under an ignore path that the desired spec also sets is no difference', () => {
    const labelled = { ...web, spec: { ...web.spec, Labels: { ...web.spec.Labels, x: '1' } } };
    const ignore = ['Labels.x'];
    const drifted = mutate(deployed(state(labelled), undefined, { ignore }), web.name, (o) => {
      o.labels['x'] = '2';
      (o.spec as { Labels: Record<string, string> }).Labels['x'] = '2';
    });
    expect(plan(state(labelled), drifted, opts({ ignore })).actions).toEqual([]);
    expect(plan(state(labelled), drifted, opts()).actions).toHaveLength(1);
  });
});

describe('overlayIgnored', () => {
  const d = { Env: ['A', 'B'], Ports: [{ Target: 80, Published: 80 }], Mode: { Replicas: 1 }, N: 5 };

  it('returns the desired value itself without patterns', () => {
    expect(overlayIgnored(d, {}, [])).toBe(d);
  });

  it.each([
    ['Env[1]', { Env: ['A', 'X'] }, { ...d, Env: ['A', 'X'] }],
    ['Env[1]', { Env: ['A'] }, { ...d, Env: ['A'] }],
    ['Env[*]', { Env: ['Z'] }, { ...d, Env: ['Z'] }],
    ['Env[0]', { Env: ['Z'] }, { ...d, Env: ['Z', 'B'] }],
    ['Env[*]', {}, { Ports: d.Ports, Mode: d.Mode, N: 5 }],
    [
      'Ports[*].Published',
      { Ports: [{ Target: 80, Published: 8080 }] },
      { ...d, Ports: [{ Target: 80, Published: 8080 }] },
    ],
    ['Ports[*].Published', {}, { ...d, Ports: [{ Target: 80 }] }],
    ['Mode.Replicas', { Mode: { Replicas: 3, Other: 1 } }, { ...d, Mode: { Replicas: 3 } }],
    ['N.x', { N: { x: 1 } }, d],
    ['Extra.Deep.Key', { Extra: { Other: 1 } }, d],
    ['Extra.Key', { Extra: { Key: 2 } }, { ...d, Extra: { Key: 2 } }],
  ])('pattern %s over observed %j', (pattern, observed, want) => {
    expect(overlayIgnored(d, observed, compileIgnore([pattern]))).toEqual(want);
  });

  it('an ignored value is a copy of the observed one, not the object itself', () => {
    const observed = { Mode: { Replicas: 3 } };
    const out = overlayIgnored(d, observed, compileIgnore(['Mode']));
    expect(out.Mode).toEqual({ Replicas: 3 });
    expect(out.Mode).not.toBe(observed.Mode);
  });

  it('does not change the desired value it is given', () => {
    const before = structuredClone(d);
    overlayIgnored(d, { Env: ['Z'], Mode: { Replicas: 9 } }, compileIgnore(['Env[*]', 'Mode.Replicas']));
    expect(d).toEqual(before);
  });
});

describe('overlayIgnored: array items', () => {
  it('an ignored item the observed value lacks (no array there) is dropped', () => {
    const d = { Env: ['A', 'B'] };
    expect(overlayIgnored(d, { Env: 'not a list' }, compileIgnore(['Env[0]']))).toStrictEqual({ Env: ['B'] });
    expect(overlayIgnored(d, {}, compileIgnore(['Env[0]']))).toStrictEqual({ Env: ['B'] });
  });

  it('an ignored field of items the desired value lacks adds no item', () => {
    const observed = { Ports: [{ Target: 80, Published: 8080 }] };
    const out = overlayIgnored({}, observed, compileIgnore(['Ports[*].Published'])) as { Ports?: unknown[] };
    expect(out.Ports ?? []).toEqual([]);
  });
});

describe('plan: an ignored list item another tool appended', () => {
  it('is kept when the service is updated for another change', () => {
    const one = (patch = {}) => svc('web', {}, { Env: ['A=1'], ...patch });
    const obs = mutate(deployed(state(one())), 'app_web', (o) => {
      (o.spec as ServiceSpec).TaskTemplate.ContainerSpec.Env = ['A=1', 'Y=2'];
    });
    const ignore = ['TaskTemplate.ContainerSpec.Env[1]'];
    const u = plan(state(one({ Image: 'img:2' })), obs, opts({ ignore })).actions[0] as UpdateAction;
    expect(u.changes.map((c) => c.path)).toEqual(['TaskTemplate.ContainerSpec.Image']);
    expect(u.desired.spec).toMatchObject({ TaskTemplate: { ContainerSpec: { Env: ['A=1', 'Y=2'] } } });
  });
});
