// The reconcile's image update step at its edges: which rollbacks it reports, which observed object
// gives the running image, and which applied actions count as an image change.
import { describe, expect, it } from 'vitest';
import type { ImageUpdates } from '../../../controllers/stack/image-update-poller.js';
import { appliedImageChanges, updateImages } from '../../../controllers/stack/image-updates.js';
import type { ActionResult } from '../../../controllers/ports.js';
import type { DesiredState, ObservedObject } from '../../../reconciler/model/objects.js';
import { OWNER, svc } from '../../reconciler/plan/fixtures.js';
import type { DesiredObject } from '../../../reconciler/model/objects.js';

const imageOf = (o: DesiredObject) =>
  o.kind === 'service' ? o.spec.TaskTemplate.ContainerSpec.Image : o.kind;

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const desired: DesiredState = {
  owner: OWNER,
  objects: [svc('web', {}, { Image: 'reg:5000/web:1' }), svc('db', {}, { Image: 'reg:5000/db:1' })],
  imageUpdates: { app_web: { kind: 'digest' } },
};

function recorder() {
  const rolledBack: string[] = [];
  const sent: string[] = [];
  const watched: string[] = [];
  const u: ImageUpdates = {
    watch: (key, ws) => void watched.push(...ws.map((w) => `${key} ${w.image} ${w.policy.kind}`)),
    factsOf: () => ({ resolution: { ok: true, digest: D2, platforms: [] } }),
    warningsOf: () => [],
    rejected: () => new Set(),
    sent: (s, ref) => void sent.push(`${s} ${ref}`),
    rolledBack: (s) => void rolledBack.push(s),
  };
  return { u, rolledBack, sent, watched };
}

const service = (name: string, image: string, state?: string): ObservedObject => ({
  kind: 'service',
  id: name,
  name,
  version: 1,
  labels: {},
  spec: { Name: name, TaskTemplate: { ContainerSpec: { Image: image } } },
  ...(state ? { updateStatus: { State: state as never } } : {}),
});

describe('updateImages: rollbacks', () => {
  it.each([
    ['a followed service rolled back', [service('app_web', 'w', 'rollback_completed')], ['app_web']],
    ['a rollback under way', [service('app_web', 'w', 'rollback_started')], ['app_web']],
    ['a rollback paused', [service('app_web', 'w', 'rollback_paused')], ['app_web']],
    ['an update completed', [service('app_web', 'w', 'completed')], []],
    ['no update status', [service('app_web', 'w')], []],
    ['a service without a policy', [service('app_db', 'd', 'rollback_completed')], []],
  ])('%s', (_n, observed, want) => {
    const r = recorder();
    updateImages(r.u, 'k', desired, observed);
    expect(r.rolledBack).toStrictEqual(want);
  });
});

describe('updateImages: the running image', () => {
  it('comes from the service of that name, not another kind of object so named', () => {
    const r = recorder();
    const net: ObservedObject = {
      kind: 'network',
      id: 'n',
      name: 'app_web',
      version: 1,
      labels: {},
      spec: {},
    };
    const step = updateImages(r.u, 'k', desired, [net, service('app_web', `reg:5000/web:1@${D1}`)]);
    const changes = appliedImageChanges(
      r.u,
      step,
      desired,
      [net, service('app_web', `reg:5000/web:1@${D1}`)],
      step.resolutions,
      [{ ok: true, action: { op: 'update', kind: 'service', name: 'app_web' } as ActionResult['action'] }],
      new Date(0),
    );
    expect(changes.map((c) => `${c.from} -> ${c.to}`)).toStrictEqual([
      `reg:5000/web:1@${D1} -> reg:5000/web:1@${D2}`,
    ]);
    expect(r.sent).toStrictEqual([`app_web reg:5000/web:1@${D2}`]);
  });
});

describe('appliedImageChanges: what counts as applied', () => {
  const action = (op: string, kind: string) => ({ op, kind, name: 'app_web' }) as ActionResult['action'];
  it.each<[string, ActionResult[], number]>([
    ['an update of the service', [{ ok: true, action: action('update', 'service') }], 1],
    ['a recreate of the service', [{ ok: true, action: action('recreate', 'service') }], 1],
    ['a failed update', [{ ok: false, action: action('update', 'service') }], 0],
    ['a removal', [{ ok: true, action: action('remove', 'service') }], 0],
    ['another kind so named', [{ ok: true, action: action('update', 'network') }], 0],
  ])('%s', (_n, results, n) => {
    const r = recorder();
    const observed = [service('app_web', `reg:5000/web:1@${D1}`)];
    const step = updateImages(r.u, 'k', desired, observed);
    expect(
      appliedImageChanges(r.u, step, desired, observed, step.resolutions, results, new Date(0)),
    ).toHaveLength(n);
    expect(r.sent).toHaveLength(n);
  });

  it('nothing without a poller', () => {
    const r = recorder();
    const observed = [service('app_web', `reg:5000/web:1@${D1}`)];
    const step = updateImages(r.u, 'k', desired, observed);
    const results = [{ ok: true, action: action('update', 'service') }];
    expect(
      appliedImageChanges(undefined, step, desired, observed, step.resolutions, results, new Date(0)),
    ).toStrictEqual([]);
  });
});

describe('updateImages: what the stack follows', () => {
  it('only its services with a policy are watched (not a network so named, not a service without one)', () => {
    const r = recorder();
    const d: DesiredState = {
      ...desired,
      objects: [{ kind: 'network', name: 'app_web', spec: { Name: 'app_web' } }, ...desired.objects],
    };
    updateImages(r.u, 'k', d, []);
    expect(r.watched).toStrictEqual(['k reg:5000/web:1 digest']);
  });

  it('a stack that follows no image reports no rollback', () => {
    const r = recorder();
    const d: DesiredState = { ...desired, objects: [svc('db', {}, { Image: 'reg:5000/db:1' })] };
    const step = updateImages(r.u, 'k', d, [service('app_web', 'w', 'rollback_completed')]);
    expect(r.rolledBack).toStrictEqual([]);
    expect(step.decided.size).toBe(0);
  });

  it('semver: the running tag of the service of that name is never moved back', () => {
    const r = recorder();
    r.u.factsOf = () => undefined;
    const d: DesiredState = { ...desired, imageUpdates: { app_web: { kind: 'semver', range: '^1' } } };
    const net: ObservedObject = {
      kind: 'network',
      id: 'n',
      name: 'app_web',
      version: 1,
      labels: {},
      spec: {},
    };
    const observed = [
      net,
      service('app_db', 'reg:5000/db:9'),
      service('app_web', `reg:5000/web:1.3.0@${D1}`),
    ];
    const step = updateImages(r.u, 'k', d, observed);
    expect(step.objects.map((o) => imageOf(o))).toStrictEqual(['reg:5000/web:1.3.0', 'reg:5000/db:1']);
  });

  it.each([
    ['without a task template', { Name: 'app_web' }],
    ['without a container (a plugin service)', { Name: 'app_web', TaskTemplate: {} }],
  ])('a running service %s has no running image', (_n, spec) => {
    const r = recorder();
    const running: ObservedObject = { ...service('app_web', 'x'), spec };
    const step = updateImages(r.u, 'k', desired, [running]);
    expect(step.decided).toStrictEqual(new Set(['app_web']));
  });
});

describe('appliedImageChanges: what a rollback would reject', () => {
  it('a change to a service without a policy is reported, not remembered', () => {
    const r = recorder();
    const observed = [service('app_web', `reg:5000/web:1@${D1}`)];
    const step = updateImages(r.u, 'k', desired, observed);
    const results = [
      { ok: true, action: { op: 'update', kind: 'service', name: 'app_web' } as ActionResult['action'] },
    ];
    const { imageUpdates: _, ...withoutPolicies } = desired;
    const changes = appliedImageChanges(
      r.u,
      step,
      withoutPolicies,
      observed,
      step.resolutions,
      results,
      new Date(0),
    );
    expect(changes.map((c) => c.service)).toStrictEqual(['app_web']);
    expect(r.sent).toStrictEqual([]);
  });
});
