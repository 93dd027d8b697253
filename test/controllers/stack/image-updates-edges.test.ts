// The reconcile's image update step at its edges: which rollbacks it reports, which observed object
// gives the running image, and which applied actions count as an image change.
import { describe, expect, it } from 'vitest';
import type { ImageUpdates } from '../../../controllers/stack/image-update-poller.js';
import { appliedImageChanges, updateImages } from '../../../controllers/stack/image-updates.js';
import type { ActionResult } from '../../../controllers/ports.js';
import type { DesiredState, ObservedObject } from '../../../reconciler/model/objects.js';
import { OWNER, svc } from '../../reconciler/plan/fixtures.js';

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
  const u: ImageUpdates = {
    watch: () => undefined,
    factsOf: () => ({ resolution: { ok: true, digest: D2, platforms: [] } }),
    warningsOf: () => [],
    rejected: () => new Set(),
    sent: (s, ref) => void sent.push(`${s} ${ref}`),
    rolledBack: (s) => void rolledBack.push(s),
  };
  return { u, rolledBack, sent };
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
