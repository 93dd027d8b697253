import { describe, expect, it } from 'vitest';
import type { ObservedObject, ObservedState } from '../../../reconciler/model/objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import { deployed, mutate, net, ops, opts, stackDeployed, state, withNet } from './fixtures.js';

/**
 * A swarm network the Swarm has not allocated yet: dockerd reports its Driver and IPAM driver as ""
 * and no Options or IPAM config until the allocator has run (just after `docker network create`,
 * or for ever when its subnet overlaps another network's). The adapter leaves those fields out and
 * names them in `unknownFields` (test/controllers/docker/observe.test.ts); the planner must not
 * read an unknown field as a difference.
 */
function unallocated(o: ObservedObject): void {
  const spec = o.spec as Record<string, unknown>;
  for (const k of ['Driver', 'IPAM', 'Options']) delete spec[k];
  o.unknownFields = ['Driver', 'IPAM', 'Options'];
}

const subnet = net('back', { IPAM: { Config: [{ Subnet: '10.99.0.0/24' }] } });
const service = withNet();

describe('plan: a network the Swarm has not allocated yet', () => {
  const cases: [string, ObservedState, Parameters<typeof opts>[0]][] = [
    ['owned, recreatePolicy Never', deployed(state(subnet)), {}],
    ['owned, recreatePolicy Always', deployed(state(subnet)), { recreatePolicy: 'Always' }],
    ['made by docker stack deploy, adopted', stackDeployed([subnet]), { adopt: true }],
    ['made by docker stack deploy, not adopted', stackDeployed([subnet]), {}],
  ];

  it.each(cases)('%s: no difference, nothing blocked, nothing recreated', (_n, observed, o) => {
    const found = mutate(observed, subnet.name, unallocated);
    const p = plan(state(subnet), found, opts(o));
    expect(p.blocked).toEqual([]);
    expect(ops(p).filter((x) => x.includes(subnet.name))).toEqual([]);
  });

  it('a service attached to it is created as usual', () => {
    const found = mutate(deployed(state(net('front'))), 'app_front', unallocated);
    const p = plan(state(net('front'), service), found, opts({ recreatePolicy: 'Always' }));
    expect(p.blocked).toEqual([]);
    expect(ops(p)).toEqual([`create service ${service.name}`]);
  });

  it('the fields it does report are still compared', () => {
    const found = mutate(deployed(state(subnet)), subnet.name, (o) => {
      unallocated(o);
      (o.spec as { Internal?: boolean }).Internal = true;
    });
    const p = plan(state(subnet), found, opts({ recreatePolicy: 'Always' }));
    expect(ops(p)).toEqual([`recreate network ${subnet.name}`]);
    const recreate = p.actions[0] as { changes: { path: string }[] };
    expect(recreate.changes.map((c) => c.path)).toEqual(['Internal']);
  });

  it('once allocated, a driver that differs is a difference again', () => {
    const found = mutate(deployed(state(subnet)), subnet.name, (o) => {
      (o.spec as { Driver?: string }).Driver = 'weave';
    });
    const p = plan(state(subnet), found, opts());
    expect(p.blocked.map((b) => b.changes?.map((c) => c.path))).toEqual([['Driver']]);
  });
});
