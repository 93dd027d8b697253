import { describe, expect, it } from 'vitest';
import type { DesiredVolume, ObservedState } from '../../../reconciler/model/objects.js';
import { immutableChanges } from '../../../reconciler/plan/plan-objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import {
  cfg,
  deployed,
  front,
  mutate,
  net,
  ops,
  opts,
  OTHER_OWNER,
  stackDeployed,
  state,
  STACK_LABELS,
  svc,
  withNet,
} from './fixtures.js';

const vol = (patch: Partial<DesiredVolume['spec']> = {}): DesiredVolume => ({
  kind: 'volume',
  name: 'app_data',
  spec: { Name: 'app_data', Labels: { ...STACK_LABELS }, ...patch },
});
const changed = net('front', { Attachable: true, Internal: true });

describe('immutableChanges: every field the user did not set is compared (strict)', () => {
  it.each([
    [
      'a volume: driver options set outside',
      vol(),
      { Driver: 'local', DriverOpts: { type: 'tmpfs' } },
      [{ path: 'DriverOpts.type', from: 'tmpfs' }],
    ],
    ['a volume: the local driver is its default', vol(), { Driver: 'local' }, []],
    [
      'a network: a flag set outside',
      net('n'),
      { Driver: 'overlay', Attachable: true },
      [{ path: 'Attachable', from: true }],
    ],
  ])('%s', (_n, d, observed, want) => {
    const o = { ...observed, Name: d.name, Labels: { ...STACK_LABELS } };
    expect(immutableChanges(d, o)).toEqual(want);
  });
});

describe('plan: blocked and allowed recreates', () => {
  const web = withNet(svc('web'));
  const api = withNet(svc('api'));
  const obs = deployed(state(front, web, api));

  it('the message lists every change and every affected service', () => {
    const p = plan(state(changed, web, api), obs, opts());
    expect(p.blocked.map((b) => b.message)).toEqual([
      'network app_front must be recreated to change Attachable, Internal (networks are immutable) and recreatePolicy is Never; affected services: app_api, app_web; set recreatePolicy: Always to allow it',
    ]);
  });

  it('foreign users are named sorted, whatever order the Swarm lists them in', () => {
    const shared = deployed(
      { owner: OTHER_OWNER, objects: [withNet(svc('alpha')), withNet(svc('zed'))] },
      obs,
    );
    const reversed = { objects: [...shared.objects].reverse() };
    const p = plan(state(changed, web, api), reversed, opts({ recreatePolicy: 'Always' }));
    expect(p.blocked[0]?.message).toBe(
      'network app_front must be recreated to change Attachable, Internal, but services not owned by SwarmStack/ns/app use it: app_alpha, app_zed',
    );
  });

  it('a foreign service that does not use it, or a foreign object named like a user, blocks nothing', () => {
    const others = deployed({ owner: OTHER_OWNER, objects: [svc('other')] }, obs);
    const named = stackDeployed(
      [{ ...vol(), name: 'app_web', spec: { ...vol().spec, Name: 'app_web' } }],
      others,
    );
    const p = plan(state(changed, web, api), named, opts({ recreatePolicy: 'Always' }));
    expect(p.blocked).toEqual([]);
    expect(ops(p)).toEqual(['recreate network app_front']);
  });
});

describe('plan: unowned objects of the same stack that differ', () => {
  it.each([
    ['a network', net('front'), changed, 'network', 'Attachable, Internal'],
    [
      'a volume',
      vol(),
      vol({ DriverOpts: { type: 'tmpfs', o: 'size=1m' } }),
      'volume',
      'DriverOpts.o, DriverOpts.type',
    ],
  ])('%s is a conflict listing its changes', (_n, theirs, ours, kind, what) => {
    const p = plan(state(ours), stackDeployed([theirs]), opts());
    expect(p.actions).toEqual([]);
    expect(p.blocked.map((b) => b.message)).toEqual([
      `${kind} ${ours.name} exists and is not owned by SwarmStack/ns/app (owner: none); it differs from the desired ${kind} (${what}) and cannot be changed in place; remove or rename it`,
    ]);
  });

  it.each([
    ['without spec', undefined],
    ['without Data', {}],
  ])('a config whose content cannot be read (%s) is used as it is', (_n, spec) => {
    const c = cfg('c', 'x');
    const found: ObservedState = mutate(stackDeployed([c]), c.name, (o) => (o.spec = spec));
    expect(plan(state(c), found, opts())).toMatchObject({ actions: [], blocked: [] });
  });
});
