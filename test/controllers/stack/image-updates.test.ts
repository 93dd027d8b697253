import { describe, expect, it } from 'vitest';
import type { ImageUpdates, ImageWatch } from '../../../controllers/stack/image-update-poller.js';
import {
  appliedImageChanges,
  mergeResolutions,
  updateImages,
} from '../../../controllers/stack/image-updates.js';
import { imagesEvent } from '../../../controllers/stack/stack-events.js';
import type {
  DesiredState,
  ObservedObject,
  ObservedUpdateStatus,
} from '../../../reconciler/model/objects.js';
import type { RegistryFacts } from '../../../reconciler/plan/image-update.js';
import type { ActionResult } from '../../../controllers/ports.js';
import { OWNER, svc } from '../../reconciler/plan/fixtures.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const ok = (digest: string) => ({ ok: true as const, digest, platforms: [] });

/** A stand-in poller: fixed facts, records what the reconcile tells it. */
function fakeUpdates(facts: RegistryFacts | undefined) {
  const rejected = new Set<string>();
  const sent = new Map<string, string>();
  const watched: Record<string, readonly ImageWatch[]> = {};
  const u: ImageUpdates = {
    watch: (key, w) => void (watched[key] = w),
    factsOf: () => facts,
    warningsOf: (w) => w.map((x) => `warn ${x.image}`),
    rejected: () => rejected,
    sent: (service, ref) => void sent.set(service, ref),
    rolledBack: (service) => {
      const ref = sent.get(service);
      if (ref) rejected.add(ref);
    },
  };
  return { u, rejected, sent, watched };
}

const desired: DesiredState = {
  owner: OWNER,
  objects: [svc('web', {}, { Image: 'reg:5000/web:1' }), svc('db', {}, { Image: 'reg:5000/db:1' })],
  imageUpdates: { app_web: { kind: 'digest' } },
};
const observed = (image: string, state?: ObservedUpdateStatus['State']): ObservedObject[] => [
  {
    kind: 'service',
    id: 'w',
    name: 'app_web',
    version: 3,
    labels: {},
    spec: { Name: 'app_web', TaskTemplate: { ContainerSpec: { Image: image } } },
    ...(state ? { updateStatus: { State: state } } : {}),
  },
];
const updatedWeb: ActionResult[] = [
  { ok: true, action: { op: 'update', kind: 'service', name: 'app_web' } as ActionResult['action'] },
];

describe('updateImages', () => {
  it('without a poller or policies, the desired objects as they are', () => {
    expect(updateImages(undefined, 'k', desired, []).objects).toBe(desired.objects);
    const f = fakeUpdates({ resolution: ok(D2) });
    const none = { ...desired, imageUpdates: undefined };
    expect(updateImages(f.u, 'k', none, []).decided.size).toBe(0);
    expect(f.watched['k']).toEqual([]);
  });

  it('follows the policy images, pins the polled digest and carries the poll warnings', () => {
    const f = fakeUpdates({ resolution: ok(D2) });
    const step = updateImages(f.u, 'k', desired, observed(`reg:5000/web:1@${D1}`));
    expect(f.watched['k']).toEqual([{ image: 'reg:5000/web:1', policy: { kind: 'digest' } }]);
    expect(step.resolutions).toEqual({ 'reg:5000/web:1': ok(D2) });
    expect([...step.decided]).toEqual(['app_web']);
    expect(step.warnings).toEqual(['warn reg:5000/web:1']);
  });

  it('after an applied change Swarm rolled back, that digest is not sent again', () => {
    const f = fakeUpdates({ resolution: ok(D2) });
    const step = updateImages(f.u, 'k', desired, observed(`reg:5000/web:1@${D1}`));
    const changes = appliedImageChanges(
      f.u,
      step,
      desired,
      observed(`reg:5000/web:1@${D1}`),
      step.resolutions,
      updatedWeb,
      new Date(0),
    );
    expect(changes).toEqual([
      {
        service: 'app_web',
        from: `reg:5000/web:1@${D1}`,
        to: `reg:5000/web:1@${D2}`,
        at: new Date(0).toISOString(),
      },
    ]);
    expect(f.sent.get('app_web')).toBe(`reg:5000/web:1@${D2}`);
    const after = updateImages(f.u, 'k', desired, observed(`reg:5000/web:1@${D1}`, 'rollback_completed'));
    expect([...f.rejected]).toEqual([`reg:5000/web:1@${D2}`]);
    expect(after.resolutions).toEqual({});
  });

  it('reports no change for a service the apply did not update', () => {
    const f = fakeUpdates({ resolution: ok(D2) });
    const step = updateImages(f.u, 'k', desired, observed(`reg:5000/web:1@${D1}`));
    const failed = [{ ...updatedWeb[0]!, ok: false }];
    expect(
      appliedImageChanges(
        f.u,
        step,
        desired,
        observed(`reg:5000/web:1@${D1}`),
        step.resolutions,
        failed,
        new Date(0),
      ),
    ).toEqual([]);
  });
});

describe('mergeResolutions', () => {
  it.each([
    ['the reconcile’s own wins', { a: ok(D1) }, { a: ok(D2) }, { a: ok(D2) }],
    ['a failed own keeps the poll’s', { a: ok(D1) }, { a: { ok: false as const } }, { a: ok(D1) }],
    ['a failed own without a poll is kept', {}, { a: { ok: false as const } }, { a: { ok: false } }],
    ['both kept', { a: ok(D1) }, { b: ok(D2) }, { a: ok(D1), b: ok(D2) }],
  ])('%s', (_, polled, own, want) => expect(mergeResolutions(polled, own)).toEqual(want));
});

describe('imagesEvent', () => {
  it('one Normal ImageUpdated Event naming each change; none without changes', () => {
    expect(imagesEvent('k', [])).toBeUndefined();
    expect(imagesEvent('k', [{ service: 's', from: 'a@1', to: 'a@2', at: 'now' }])).toEqual({
      key: 'k',
      type: 'Normal',
      reason: 'ImageUpdated',
      action: 'Reconcile',
      note: 's: a@1 -> a@2',
    });
  });
});
