import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assemble,
  type RawConfig,
  type RawNetwork,
  type RawService,
} from '../../../controllers/docker/observe.js';
import { snapshotOf } from '../../../controllers/docker/swarm-snapshot.js';
import type { ServiceListEntry } from '../../../controllers/docker/health.js';
import type { ObserveQuery } from '../../../reconciler/ports.js';
import { propertyRuns } from '../../support/property-runs.js';

const I = 'swarmkeeper.io/instance';
const O = 'swarmkeeper.io/owner';
const NS = 'com.docker.stack.namespace';

// small pools, so that owners, names and namespaces collide often
const names = fc.constantFrom('a_web', 'a_db', 'b_web', 'c', 'a_web2');
const owners = fc.constantFrom('SwarmStack/d/a', 'SwarmStack/d/b', 'SwarmNetwork/d/n');
const labels = fc.record(
  {
    [I]: fc.constantFrom('i1', 'i2'),
    [O]: owners,
    [NS]: fc.constantFrom('a', 'b'),
  },
  { requiredKeys: [] },
);
const swarmObjects = fc.array(fc.record({ name: names, labels }), { maxLength: 12 });
const query: fc.Arbitrary<ObserveQuery> = fc.record(
  {
    instanceId: fc.constantFrom('i1', 'i2'),
    owner: owners,
    names: fc.record(
      {
        service: fc.array(names, { maxLength: 3 }),
        network: fc.array(names, { maxLength: 2 }),
        config: fc.array(names, { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
    stackNamespaces: fc.array(fc.constantFrom('a', 'b', 'z'), { maxLength: 2 }),
  },
  { requiredKeys: ['instanceId'] },
);

function lists(s: { name: string; labels: Record<string, string> }[][]) {
  const [svcs = [], nets = [], cfgs = [], secs = []] = s;
  const services = svcs.map((o, i): RawService & ServiceListEntry => ({
    ID: `s${i}`,
    Version: { Index: i },
    Spec: {
      Name: o.name,
      Labels: o.labels,
      TaskTemplate: { ContainerSpec: { Image: 'x' }, Networks: [{ Target: `n${i % 3}` }] },
    },
  }));
  const networks = nets.map((o, i): RawNetwork => ({ Id: `n${i}`, Name: o.name, Labels: o.labels }));
  const cfg = (o: { name: string; labels: Record<string, string> }, i: number): RawConfig => ({
    ID: `c${i}`,
    Spec: { Name: o.name, Labels: o.labels },
  });
  return { services, networks, configs: cfgs.map(cfg), secrets: secs.map(cfg) };
}

describe('snapshotOf', () => {
  it('answers every query exactly as a scan of all the lists would (the index changes nothing)', () => {
    fc.assert(
      fc.property(fc.tuple(swarmObjects, swarmObjects, swarmObjects, swarmObjects), query, (objs, q) => {
        const l = lists(objs);
        const snap = snapshotOf(l, 'i1', '0', 0);
        const netNames = new Map(l.networks.map((n) => [n.Id, n.Name]));
        expect(snap.observe(q)).toEqual(assemble({ ...l, volumes: [] }, netNames, q));
      }),
      propertyRuns(500),
    );
  });

  it.each<[string, ObserveQuery, boolean]>([
    ['a query naming volumes is not answered', { instanceId: 'i1', names: { volume: [] } }, false],
    ['a query without volumes is', { instanceId: 'i1', names: { service: [] } }, true],
  ])('%s', (_n, q, answered) => {
    expect(snapshotOf(lists([]), 'i1', '0', 0).observe(q) !== undefined).toBe(answered);
  });

  it('health groups this instance’s services by owner', () => {
    const l = lists([
      [
        { name: 'a_web', labels: { [I]: 'i1', [O]: 'SwarmStack/d/a' } },
        { name: 'x_web', labels: { [I]: 'i2', [O]: 'SwarmStack/d/a' } },
      ],
    ]);
    l.services[0]!.ServiceStatus = { RunningTasks: 1, DesiredTasks: 2 };
    const snap = snapshotOf(l, 'i1', '0', 0);
    expect(snap.health('SwarmStack/d/a')).toEqual([
      { name: 'a_web', image: 'x', mode: 'replicated', desiredReplicas: 2, runningReplicas: 1 },
    ]);
    expect(snap.health('SwarmStack/d/b')).toEqual([]);
  });

  it('each answer is a copy: a reconcile that changes what it observed changes no other answer', () => {
    const l = lists([[{ name: 'a_web', labels: { [I]: 'i1', [O]: 'SwarmStack/d/a' } }]]);
    l.services[0]!.ServiceStatus = { RunningTasks: 1, DesiredTasks: 1 };
    const snap = snapshotOf(l, 'i1', '0', 0);
    const q: ObserveQuery = { instanceId: 'i1', owner: 'SwarmStack/d/a', names: { service: ['a_web'] } };
    const first = snap.observe(q)!;
    const before = structuredClone(first);
    const svc = first.objects[0]!;
    (svc.spec as { Labels: Record<string, string> }).Labels['x'] = 'changed';
    svc.labels['x'] = 'changed';
    first.objects.push({ ...svc, name: 'extra' });
    expect(snap.observe(q)).toEqual(before);
    snap.health('SwarmStack/d/a')[0]!.runningReplicas = 99;
    expect(snap.health('SwarmStack/d/a')[0]!.runningReplicas).toBe(1);
  });
});
