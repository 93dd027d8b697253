import { describe, expect, it } from 'vitest';
import { plan } from '../../../reconciler/plan/plan.js';
import { planToJSON, renderPlan, toJSONSafe } from '../../../reconciler/plan/render.js';
import type { Plan } from '../../../reconciler/plan/types.js';
import { deployed, net, opts, sec, stackDeployed, state, svc } from './fixtures.js';

const SECRET = 'hunter2-very-secret';
const b64 = Buffer.from(SECRET).toString('base64');

describe('renderPlan', () => {
  it('renders "No changes." for an empty plan', () => {
    expect(renderPlan({ owner: 'a/b/c', actions: [], blocked: [] })).toBe('No changes.');
  });

  it('renders every kind of line and the summary', () => {
    const p: Plan = {
      owner: 'SwarmStack/ns/app',
      actions: [
        { op: 'create', kind: 'network', name: 'app_front', desired: net('front') },
        {
          op: 'recreate',
          kind: 'network',
          name: 'app_back',
          id: 'n1',
          desired: net('back'),
          changes: [{ path: 'Attachable', to: true }],
          affectedServices: ['app_api', 'app_web'],
        },
        {
          op: 'update',
          kind: 'service',
          name: 'web_api',
          id: 's1',
          version: 3,
          desired: svc('api'),
          changes: [
            { path: 'TaskTemplate.ContainerSpec.Image', from: 'a:1', to: 'a:2' },
            { path: 'TaskTemplate.ContainerSpec.User', from: 'nobody' },
          ],
          labelsOnly: false,
        },
        { op: 'remove', kind: 'config', name: 'app_c-1', id: 'c1', why: 'retired' },
      ],
      blocked: [
        {
          kind: 'network',
          name: 'app_x',
          code: 'SK_ERR_OWNERSHIP_CONFLICT',
          message: 'network app_x exists',
        },
      ],
    };
    expect(renderPlan(p)).toBe(
      [
        '+ create network app_front',
        '-/+ recreate network app_back',
        '  Attachable: (absent) -> true',
        '  affects services: app_api, app_web',
        '~ update service web_api',
        '  TaskTemplate.ContainerSpec.Image: "a:1" -> "a:2"',
        '  TaskTemplate.ContainerSpec.User: "nobody" -> (absent)',
        '- remove config app_c-1 (retired)',
        '! blocked network app_x: SK_ERR_OWNERSHIP_CONFLICT: network app_x exists',
        '',
        'Plan: 1 to create, 1 to update, 1 to remove, 1 to recreate, 1 blocked.',
      ].join('\n'),
    );
  });

  it('marks an adoption as labels only', () => {
    const web = svc('web');
    const p = plan(state(web), stackDeployed([web]), opts({ adopt: true }));
    expect(renderPlan(p).split('\n')[0]).toBe(
      '~ update service app_web (adopt, labels only, no task restart)',
    );
  });
});

describe('secret redaction', () => {
  const d = state(sec('pw', SECRET));
  const p = plan(d, { objects: [] }, opts());

  it('never shows secret data in text or JSON', () => {
    const text = renderPlan(p);
    const json = JSON.stringify(planToJSON(p));
    for (const out of [text, json]) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain(b64);
    }
    expect(json).toContain('[redacted]');
  });

  it('planToJSON is plain data with a summary', () => {
    const j = planToJSON(p) as { actions: { desired: { spec: { Data: unknown } } }[]; summary: unknown };
    expect(j.actions[0]?.desired.spec.Data).toBe('[redacted]');
    expect(j.summary).toEqual({ create: 1, update: 0, remove: 0, recreate: 0, blocked: 0 });
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });

  it('a resync of a secret plans nothing (Data is not read back)', () => {
    expect(plan(d, deployed(d), opts()).actions).toEqual([]);
  });

  it('redacts Sensitive values inside field changes', async () => {
    const { Sensitive } = await import('../../../reconciler/model/sensitive.js');
    const withSecret: Plan = {
      owner: 'x/y/z',
      actions: [],
      blocked: [
        {
          kind: 'secret',
          name: 's',
          code: 'C',
          message: 'm',
          changes: [{ path: 'Data', to: new Sensitive(SECRET) }],
        },
      ],
    };
    expect(renderPlan(withSecret)).toContain('Data: (absent) -> "[redacted]"');
    expect(JSON.stringify(planToJSON(withSecret))).not.toContain(SECRET);
  });
});

describe('toJSONSafe', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y?: number,
    ) {}
    norm(): number {
      return this.x;
    }
  }

  it.each<[string, unknown, unknown]>([
    [
      'undefined fields dropped, undefined items become null',
      { a: undefined, b: [1, undefined] },
      { b: [1, null] },
    ],
    ['a bigint becomes its digits', { n: 12n }, { n: '12' }],
    [
      'non-finite numbers become null',
      [Number.NaN, Number.POSITIVE_INFINITY, -Infinity, 1.5],
      [null, null, null, 1.5],
    ],
    ['functions are dropped', { f: () => 1, a: 1 }, { a: 1 }],
    ['class instances keep their own fields', { p: new Point(1) }, { p: { x: 1 } }],
    ['null stays null', { a: null }, { a: null }],
    ['scalars stay', ['s', true, 0], ['s', true, 0]],
  ])('%s', (_n, v, want) => {
    expect(toJSONSafe(v)).toStrictEqual(want);
  });
});

describe('renderPlan: notes, summary and blocked changes', () => {
  const upd = (labelsOnly: boolean, adopt?: boolean): Plan['actions'][number] => ({
    op: 'update',
    kind: 'service',
    name: 'app_web',
    id: 's1',
    version: 1,
    desired: svc('web'),
    changes: [],
    labelsOnly,
    ...(adopt === undefined ? {} : { adopt }),
  });

  it.each([
    [false, undefined, '~ update service app_web'],
    [true, undefined, '~ update service app_web (labels only, no task restart)'],
    [false, true, '~ update service app_web (adopt)'],
    [false, false, '~ update service app_web'],
  ])('labelsOnly %s, adopt %s', (labelsOnly, adopt, line) => {
    expect(renderPlan({ owner: 'o', actions: [upd(labelsOnly, adopt)], blocked: [] }).split('\n')[0]).toBe(
      line,
    );
  });

  it('counts each kind of action, lists blocked changes and a recreate without services', () => {
    const p: Plan = {
      owner: 'o',
      actions: [
        upd(false),
        upd(true),
        { op: 'remove', kind: 'service', name: 'a', id: 'x', why: 'pruned' },
        {
          op: 'recreate',
          kind: 'volume',
          name: 'v',
          id: 'v',
          desired: net('v'),
          changes: [],
          affectedServices: [],
        },
      ],
      blocked: [
        {
          kind: 'network',
          name: 'n',
          code: 'C',
          message: 'm',
          changes: [{ path: 'Attachable', from: false, to: true }],
        },
        { kind: 'network', name: 'm', code: 'C', message: 'm2' },
      ],
    };
    expect(renderPlan(p).split('\n')).toEqual([
      '~ update service app_web',
      '~ update service app_web (labels only, no task restart)',
      '- remove service a (pruned)',
      '-/+ recreate volume v',
      '! blocked network n: C: m',
      '  Attachable: false -> true',
      '! blocked network m: C: m2',
      '',
      'Plan: 0 to create, 2 to update, 1 to remove, 1 to recreate, 2 blocked.',
    ]);
  });

  it('a plan with only blocked changes is not "No changes."', () => {
    const p: Plan = {
      owner: 'o',
      actions: [],
      blocked: [{ kind: 'network', name: 'n', code: 'C', message: 'm' }],
    };
    expect(renderPlan(p)).toBe(
      '! blocked network n: C: m\n\nPlan: 0 to create, 0 to update, 0 to remove, 0 to recreate, 1 blocked.',
    );
  });
});
