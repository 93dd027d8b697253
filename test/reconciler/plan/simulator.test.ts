import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import { plan } from '../../../reconciler/plan/plan.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import { cfg, deploy, net, opts, sec, state, svc } from './fixtures.js';

const c = cfg('conf', 'x');
const web = svc(
  'web',
  {},
  { Configs: [{ ConfigName: c.name, File: { Name: '/c', UID: '0', GID: '0', Mode: 292 } }] },
);

describe('SwarmSimulator', () => {
  it('fills server defaults on services and ids/versions/createdAt on everything', () => {
    const sim = deploy(state(c, web, net('front')));
    const o = sim.observed().objects;
    const s = o.find((x) => x.kind === 'service');
    expect(s?.spec).toMatchObject({
      Mode: { Replicated: { Replicas: 1 } },
      TaskTemplate: {
        ContainerSpec: { StopGracePeriod: 10_000_000_000, Isolation: 'default', DNSConfig: {} },
        RestartPolicy: { Condition: 'any', Delay: 5_000_000_000, MaxAttempts: 0 },
        Runtime: 'container',
      },
      UpdateConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 5_000_000_000, Order: 'stop-first' },
    });
    const ref = (s?.spec as ServiceSpec).TaskTemplate.ContainerSpec.Configs?.[0];
    expect(ref?.ConfigID).toBe(o.find((x) => x.kind === 'config')?.id);
    expect(new Set(o.map((x) => x.id)).size).toBe(3);
    expect(o.every((x) => typeof x.createdAt === 'string')).toBe(true);
  });

  it('fills IPAM config and the vxlan option on overlay networks', () => {
    const n = deploy(state(net('front'))).observed().objects[0];
    expect(n?.spec).toMatchObject({
      Scope: 'swarm',
      IPAM: { Driver: 'default', Config: [{ Subnet: expect.any(String) }] },
      Options: { 'com.docker.network.driver.overlay.vxlanid_list': expect.any(String) },
    });
  });

  it('does not return secret data', () => {
    const s = deploy(state(sec('pw', 'x'))).observed().objects[0];
    expect(s?.spec).not.toHaveProperty('Data');
  });

  it('increments the version on update and refuses a stale one', () => {
    const sim = deploy(state(c, web));
    const before = sim.observed().objects.find((x) => x.kind === 'service');
    const p = plan(state(c, svc('web', {}, { Image: 'img:2' })), sim.observed(), opts());
    sim.apply(p);
    const after = sim.observed().objects.find((x) => x.kind === 'service');
    expect(after?.version).toBeGreaterThan(before?.version ?? Infinity);
    expect(after?.createdAt).toBe(before?.createdAt);
    expect(() => sim.apply(p)).toThrow(/out of sequence/);
  });

  it.each([
    [
      'a config a service uses',
      { op: 'remove', kind: 'config', why: 'pruned' } as const,
      /in use by service app_web/,
    ],
  ])('refuses to remove %s', (_n, a, err) => {
    const sim = deploy(state(c, web));
    const target = sim.observed().objects.find((x) => x.kind === a.kind);
    expect(() =>
      sim.apply({
        owner: 'x',
        blocked: [],
        actions: [{ ...a, name: target?.name ?? '', id: target?.id ?? '' }],
      }),
    ).toThrow(err);
  });

  it('refuses duplicate names and missing references', () => {
    const sim = deploy(state(c));
    expect(() => sim.apply(plan(state(c), { objects: [] }, opts()))).toThrow(/already exists/);
    expect(() => new SwarmSimulator().apply(plan(state(web), { objects: [] }, opts()))).toThrow(
      /config .* not found/,
    );
  });
});
