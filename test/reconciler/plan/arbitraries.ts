/** fast-check arbitraries: desired states of a stack, and Swarms that already hold things. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type {
  DesiredObject,
  DesiredService,
  DesiredState,
  ObservedState,
} from '../../../reconciler/model/objects.js';
import {
  LABEL_SPEC_HASH,
  LABEL_STACK_NAMESPACE,
  type OwnerRef,
} from '../../../reconciler/model/ownership.js';
import { Sensitive } from '../../../reconciler/model/sensitive.js';
import { plan } from '../../../reconciler/plan/plan.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { PlanOptions } from '../../../reconciler/plan/types.js';
import { INSTANCE, OTHER_OWNER, OWNER } from './fixtures.js';

const NETS = ['front', 'back'];
const CONFIGS = ['conf', 'tpl'];
const SECRETS = ['pw'];
const SERVICES = ['web', 'api', 'worker'];
const h8 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);

const labels = fc.dictionary(fc.constantFrom('x', 'y', 'tier'), fc.constantFrom('1', '2', ''), {
  maxKeys: 2,
});
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });

function network(stack: string, name: string): fc.Arbitrary<DesiredObject> {
  return fc
    .record({
      attachable: fc.boolean(),
      labels,
      subnet: opt(fc.integer({ min: 1, max: 3 })),
      encrypted: fc.boolean(),
    })
    .map(({ attachable, labels: l, subnet, encrypted }) => ({
      kind: 'network' as const,
      name: `${stack}_${name}`,
      spec: {
        Name: `${stack}_${name}`,
        Driver: 'overlay',
        Labels: { ...l, [LABEL_STACK_NAMESPACE]: stack },
        ...(attachable ? { Attachable: true } : {}),
        ...(encrypted ? { Options: { encrypted: '' } } : {}),
        ...(subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: `10.9${subnet}.0.0/24` }] } } : {}),
      },
    }));
}

function hashed(stack: string, kind: 'config' | 'secret', name: string): fc.Arbitrary<DesiredObject> {
  return fc.constantFrom('a', 'b', 'c').map((content) => {
    const logicalName = `${stack}_${name}`;
    const hash = h8(content);
    const full = `${logicalName}-${hash}`;
    const data = Buffer.from(content).toString('base64');
    const base = { name: full, logicalName, hash };
    const L = { [LABEL_STACK_NAMESPACE]: stack };
    return kind === 'config'
      ? { kind, ...base, spec: { Name: full, Labels: L, Data: data } }
      : { kind, ...base, spec: { Name: full, Labels: L, Data: new Sensitive(data) } };
  });
}

const file = (n: string) => ({ Name: `/run/${n}`, UID: '0', GID: '0', Mode: 0o444 });

function service(stack: string, name: string, deps: DesiredObject[]): fc.Arbitrary<DesiredService> {
  const nets = deps.filter((d) => d.kind === 'network').map((d) => d.name);
  const cfgs = deps.filter((d) => d.kind === 'config').map((d) => d.name);
  const secs = deps.filter((d) => d.kind === 'secret').map((d) => d.name);
  return fc
    .record({
      image: fc.constantFrom('img:1', 'img:2'),
      env: fc.array(fc.constantFrom('A=1', 'B=2', 'C=3'), { maxLength: 3 }),
      args: opt(fc.constantFrom<string[]>(['httpd', '-f'], ['sleep', '1'])),
      mode: fc.constantFrom<ServiceSpec['Mode'] | undefined>(
        undefined,
        { Replicated: { Replicas: 0 } },
        { Replicated: { Replicas: 2 } },
        { Global: {} },
      ),
      labels,
      cLabels: labels,
      nets: fc.subarray(nets),
      cfgs: fc.subarray(cfgs),
      secs: fc.subarray(secs),
      grace: opt(fc.constantFrom(10_000_000_000, 2_000_000_000)),
      restart: opt(fc.record({ Condition: fc.constantFrom('any' as const, 'on-failure' as const) })),
      port: opt(fc.constantFrom(8080, 8081)),
      user: opt(fc.constantFrom('nobody', '')),
      update: opt(fc.record({ Order: fc.constantFrom('stop-first' as const, 'start-first' as const) })),
    })
    .map((r) => {
      const spec: ServiceSpec = {
        Name: `${stack}_${name}`,
        Labels: { ...r.labels, [LABEL_STACK_NAMESPACE]: stack },
        TaskTemplate: {
          ContainerSpec: {
            Image: r.image,
            Labels: { ...r.cLabels, [LABEL_STACK_NAMESPACE]: stack },
            Env: r.env,
            ...(r.args ? { Args: r.args } : {}),
            ...(r.grace !== undefined ? { StopGracePeriod: r.grace } : {}),
            ...(r.user !== undefined ? { User: r.user } : {}),
            ...(r.cfgs.length ? { Configs: r.cfgs.map((c) => ({ ConfigName: c, File: file(c) })) } : {}),
            ...(r.secs.length ? { Secrets: r.secs.map((s) => ({ SecretName: s, File: file(s) })) } : {}),
          },
          ...(r.restart ? { RestartPolicy: r.restart } : {}),
          ...(r.nets.length ? { Networks: r.nets.map((n) => ({ Target: n, Aliases: [name] })) } : {}),
        },
        ...(r.mode ? { Mode: r.mode } : {}),
        ...(r.update ? { UpdateConfig: r.update } : {}),
        ...(r.port ? { EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: r.port }] } } : {}),
      };
      return { kind: 'service' as const, name: spec.Name, spec };
    });
}

const tupleOf = <T>(arbs: fc.Arbitrary<T>[]): fc.Arbitrary<T[]> =>
  arbs.length ? fc.tuple(...arbs) : fc.constant([]);

export function desiredState(owner: OwnerRef, stack = 'app'): fc.Arbitrary<DesiredState> {
  return fc
    .record({
      nets: fc.subarray(NETS),
      cfgs: fc.subarray(CONFIGS),
      secs: fc.subarray(SECRETS),
      svcs: fc.subarray(SERVICES),
    })
    .chain(({ nets, cfgs, secs, svcs }) =>
      tupleOf([
        ...nets.map((n) => network(stack, n)),
        ...cfgs.map((c) => hashed(stack, 'config', c)),
        ...secs.map((s) => hashed(stack, 'secret', s)),
      ]).chain((deps) =>
        tupleOf(svcs.map((s) => service(stack, s, deps))).map((ss) => ({ owner, objects: [...deps, ...ss] })),
      ),
    );
}

export const planOptions: fc.Arbitrary<PlanOptions> = fc.record({
  instanceId: fc.constant(INSTANCE),
  prune: fc.boolean(),
  adopt: fc.boolean(),
  recreatePolicy: fc.constantFrom('Never' as const, 'Always' as const),
  configRetention: fc.integer({ min: 0, max: 3 }),
  ignore: fc.subarray(['Mode.Replicated.Replicas', 'TaskTemplate.ContainerSpec.Env[*]', 'Labels.x']),
});

type Drift = 'image' | 'env' | 'replicas' | 'label' | 'unhash' | 'attachable';

/** A Swarm that holds earlier versions of this stack, another owner's objects, `docker stack deploy` objects and drift. */
export const startingSwarm: fc.Arbitrary<ObservedState> = fc
  .record({
    history: fc.array(desiredState(OWNER), { maxLength: 2 }),
    other: opt(fc.tuple(fc.constantFrom('app', 'oth'), fc.nat())),
    foreign: fc.array(fc.tuple(fc.constantFrom(...SERVICES, ...NETS), fc.constantFrom('app', 'B', '')), {
      maxLength: 3,
    }),
    drift: fc.array(
      fc.tuple(fc.constantFrom<Drift>('image', 'env', 'replicas', 'label', 'unhash', 'attachable'), fc.nat()),
      {
        maxLength: 3,
      },
    ),
  })
  .chain((r) =>
    (r.other ? desiredState(OTHER_OWNER, r.other[0]) : fc.constant(undefined)).map((other) => ({
      ...r,
      otherState: other,
    })),
  )
  .map(({ history, otherState, foreign, drift }) => {
    const sim = new SwarmSimulator(undefined, { clock: (n) => new Date(Date.UTC(2024, 0, 1) + n * 1000) });
    const base = {
      instanceId: INSTANCE,
      prune: true,
      adopt: false,
      recreatePolicy: 'Always' as const,
      configRetention: 9,
      ignore: [],
    };
    for (const h of history) sim.apply(plan(h, sim.observed(), base));
    if (otherState) sim.apply(plan(otherState, sim.observed(), { ...base, prune: false }));
    const names = new Set(sim.observed().objects.map((o) => `${o.kind}/${o.name}`));
    for (const [name, ns] of foreign) {
      const isNet = NETS.includes(name);
      const full = `app_${name}`;
      if (names.has(`${isNet ? 'network' : 'service'}/${full}`)) continue;
      names.add(`${isNet ? 'network' : 'service'}/${full}`);
      const L: Record<string, string> = ns ? { [LABEL_STACK_NAMESPACE]: ns } : {};
      const desired: DesiredObject = isNet
        ? { kind: 'network', name: full, spec: { Name: full, Driver: 'overlay', Labels: L } }
        : {
            kind: 'service',
            name: full,
            spec: { Name: full, Labels: L, TaskTemplate: { ContainerSpec: { Image: 'img:1', Labels: L } } },
          };
      sim.apply({
        owner: 'none',
        blocked: [],
        actions: [{ op: 'create', kind: desired.kind, name: full, desired }],
      });
    }
    const obs = sim.observed();
    for (const [kind, n] of drift) {
      const targets = obs.objects.filter((o) =>
        kind === 'attachable' ? o.kind === 'network' : o.kind === 'service',
      );
      const o = targets[n % Math.max(1, targets.length)];
      if (!o) continue;
      const spec = o.spec as ServiceSpec & { Attachable?: boolean };
      if (kind === 'image') spec.TaskTemplate.ContainerSpec.Image = 'drifted:9';
      if (kind === 'env')
        spec.TaskTemplate.ContainerSpec.Env = [...(spec.TaskTemplate.ContainerSpec.Env ?? []), 'D=4'];
      if (kind === 'replicas') spec.Mode = { Replicated: { Replicas: 9 } };
      if (kind === 'label') o.labels['x'] = spec.Labels!['x'] = 'drift';
      if (kind === 'unhash') {
        delete o.labels[LABEL_SPEC_HASH];
        delete spec.Labels?.[LABEL_SPEC_HASH];
      }
      if (kind === 'attachable') spec.Attachable = !spec.Attachable;
    }
    return obs;
  });
