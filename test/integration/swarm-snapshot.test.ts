/**
 * The resync pass's shared snapshot against a real dockerd: for every query a reconcile makes, it
 * answers exactly what that reconcile's own observe would have read, in four list calls.
 */
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observe } from '../../controllers/docker/observe.js';
import { instrumentDocker } from '../../controllers/docker/swarm-adapter.js';
import { takeSnapshot, type SwarmSnapshot } from '../../controllers/docker/swarm-snapshot.js';
import { ownedServiceHealth } from '../../controllers/docker/health.js';
import type { ObservedState } from '../../reconciler/model/objects.js';
import { LABEL_STACK_NAMESPACE, ownerLabels } from '../../reconciler/model/ownership.js';
import type { ObserveQuery } from '../../reconciler/ports.js';
import { cleanupSwarm, engine, uniq } from './helpers/controller-swarm.js';

const P = uniq('sksnap');
const INSTANCE = `${P}-inst`;
const OTHER = `${P}-other`;
const A = { kind: 'SwarmStack', namespace: 'it', name: `${P}a` };
const B = { kind: 'SwarmStack', namespace: 'it', name: `${P}b` };
const keyOf = (o: typeof A) => `${o.kind}/${o.namespace}/${o.name}`;

let docker: Docker;
let snap: SwarmSnapshot;
const calls: string[] = [];
const extraServices: string[] = [];

/** A service that never starts a task (0 replicas, dnsrr): nothing to schedule. */
function service(name: string, labels: Record<string, string>, networks: string[] = []) {
  return {
    Name: name,
    Labels: labels,
    Mode: { Replicated: { Replicas: 0 } },
    EndpointSpec: { Mode: 'dnsrr' },
    TaskTemplate: {
      ContainerSpec: { Image: 'local/busybox:1', Args: ['sleep', '3600'] },
      ...(networks.length > 0 ? { Networks: networks.map((Target) => ({ Target })) } : {}),
    },
  };
}

const sorted = (s: ObservedState | undefined) =>
  [...(s?.objects ?? [])].sort((x, y) => `${x.kind}/${x.id}`.localeCompare(`${y.kind}/${y.id}`));

beforeAll(async () => {
  docker = engine();
  const a = { ...ownerLabels(A, INSTANCE), [LABEL_STACK_NAMESPACE]: `${P}a` };
  const b = { ...ownerLabels(B, INSTANCE), [LABEL_STACK_NAMESPACE]: `${P}b` };
  const net = await docker.createNetwork({ Name: `${P}a_net`, Driver: 'overlay', Labels: a });
  // an unowned network a service of A attaches to: only its name resolution needs it
  const free = await docker.createNetwork({ Name: `${P}free_net`, Driver: 'overlay', Attachable: true });
  extraServices.push(`${P}free_web`, `${P}adopt_web`, `${P}x_web`);
  await docker.createService(service(`${P}a_web`, a, [net.id, free.id]));
  await docker.createService(service(`${P}a_side`, a));
  await docker.createService(service(`${P}b_web`, b));
  await docker.createService(service(`${P}free_web`, {}));
  await docker.createService(service(`${P}adopt_web`, { [LABEL_STACK_NAMESPACE]: `${P}adopt` }));
  await docker.createService(service(`${P}x_web`, ownerLabels(A, OTHER)));
  await docker.createConfig({ Name: `${P}a_cfg-1`, Labels: a, Data: Buffer.from('c').toString('base64') });
  await docker.createSecret({ Name: `${P}a_sec-1`, Labels: a, Data: Buffer.from('s').toString('base64') });
  await docker.createConfig({ Name: `${P}free_cfg`, Labels: {}, Data: Buffer.from('f').toString('base64') });

  const counted = engine();
  instrumentDocker(counted, (method, route) => calls.push(`${method} ${route}`));
  snap = await takeSnapshot(counted, INSTANCE, '7');
}, 120_000);

afterAll(async () => {
  await cleanupSwarm(INSTANCE, { services: extraServices, networks: [`${P}free_net`] });
  for (const name of [`${P}free_cfg`, `${P}a_cfg-1`])
    await docker
      .getConfig(name)
      .remove()
      .catch(() => undefined);
  await docker
    .getSecret(`${P}a_sec-1`)
    .remove()
    .catch(() => undefined);
}, 120_000);

describe('takeSnapshot (real dockerd)', () => {
  it('reads the Swarm in four list calls, stamped with the epoch it was given', async () => {
    // plus, once per process, an inspect of each predefined network (host, bridge) a service uses:
    // services hold the swarm's ids of those, which no list returns
    const lists = calls.filter((c) => c !== 'GET /networks/{id}');
    expect(lists.sort()).toEqual(['GET /configs', 'GET /networks', 'GET /secrets', 'GET /services']);
    expect(calls.length - lists.length).toBeLessThanOrEqual(2);
    expect(snap.epoch).toBe('7');
    const again: string[] = [];
    const counted = engine();
    instrumentDocker(counted, (method, route) => again.push(`${method} ${route}`));
    await takeSnapshot(counted, INSTANCE, '8');
    expect(again.sort()).toEqual(['GET /configs', 'GET /networks', 'GET /secrets', 'GET /services']);
  });

  it.each<[string, () => ObserveQuery, string[]]>([
    [
      'one owner',
      () => ({ instanceId: INSTANCE, owner: keyOf(A) }),
      ['a_cfg-1', 'a_net', 'a_sec-1', 'a_side', 'a_web'],
    ],
    ['another owner', () => ({ instanceId: INSTANCE, owner: keyOf(B) }), ['b_web']],
    [
      'owner + unowned names (conflicts)',
      () => ({
        instanceId: INSTANCE,
        owner: keyOf(B),
        names: {
          service: [`${P}free_web`, `${P}a_web`],
          config: [`${P}free_cfg`],
          network: [`${P}free_net`],
        },
      }),
      ['a_web', 'b_web', 'free_cfg', 'free_net', 'free_web'],
    ],
    [
      'owner + a stack namespace (adoption)',
      () => ({ instanceId: INSTANCE, owner: keyOf(B), stackNamespaces: [`${P}adopt`] }),
      ['adopt_web', 'b_web'],
    ],
    [
      'several namespaces',
      () => ({ instanceId: INSTANCE, owner: keyOf(B), stackNamespaces: [`${P}adopt`, `${P}a`] }),
      ['a_cfg-1', 'a_net', 'a_sec-1', 'a_side', 'a_web', 'adopt_web', 'b_web'],
    ],
    ['an owner with nothing in the Swarm', () => ({ instanceId: INSTANCE, owner: 'SwarmStack/it/none' }), []],
  ])('%s: the same objects as observe', async (_n, q, names) => {
    const query = q();
    const direct = await observe(docker, query);
    expect(direct.objects.map((o) => o.name.slice(P.length)).sort()).toEqual(names);
    expect(sorted(snap.observe(query))).toEqual(sorted(direct));
  });

  it('resolves network targets to names, unowned networks included', () => {
    const web = snap
      .observe({ instanceId: INSTANCE, owner: keyOf(A) })
      ?.objects.find((o) => o.name === `${P}a_web`);
    const targets = (
      web?.spec as { TaskTemplate?: { Networks?: { Target: string }[] } }
    ).TaskTemplate?.Networks?.map((n) => n.Target);
    expect(targets).toEqual([`${P}a_net`, `${P}free_net`]);
  });

  it('does not answer a query for volumes (node-local, not in the snapshot)', () => {
    expect(snap.observe({ instanceId: INSTANCE, owner: keyOf(A), names: { volume: [] } })).toBeUndefined();
  });

  it('health per owner equals ownedServiceHealth, and ignores another instance', async () => {
    for (const o of [A, B])
      expect(snap.health(keyOf(o))).toEqual(await ownedServiceHealth(docker, keyOf(o), INSTANCE));
    expect(snap.health(keyOf(A)).map((h) => h.name)).toEqual([`${P}a_side`, `${P}a_web`]);
  });

  it('hands out copies: a reconcile that changes its objects changes no other', () => {
    const q = { instanceId: INSTANCE, owner: keyOf(A) };
    const first = snap.observe(q)!;
    first.objects[0]!.labels['changed'] = 'yes';
    expect(snap.observe(q)!.objects[0]!.labels['changed']).toBeUndefined();
  });
});
