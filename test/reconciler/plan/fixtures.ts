import { createHash } from 'node:crypto';
import type { ServiceSpec, NetworkSpec, TaskSpec } from '../../../reconciler/model/engine-types.js';
import type {
  DesiredConfig,
  DesiredNetwork,
  DesiredObject,
  DesiredSecret,
  DesiredService,
  DesiredState,
  ObservedObject,
  ObservedState,
} from '../../../reconciler/model/objects.js';
import { LABEL_STACK_NAMESPACE, ownerLabels, type OwnerRef } from '../../../reconciler/model/ownership.js';
import { Sensitive } from '../../../reconciler/model/sensitive.js';
import { plan } from '../../../reconciler/plan/plan.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { PlanOptions } from '../../../reconciler/plan/types.js';

export const OWNER: OwnerRef = { kind: 'SwarmStack', namespace: 'ns', name: 'app' };
export const OTHER_OWNER: OwnerRef = { kind: 'SwarmStack', namespace: 'ns', name: 'other' };
export const INSTANCE = 'i1';
export const STACK = 'app';
export const OWN = ownerLabels(OWNER, INSTANCE);
export const STACK_LABELS = { [LABEL_STACK_NAMESPACE]: STACK };

export const OPTS: PlanOptions = {
  instanceId: INSTANCE,
  prune: false,
  adopt: false,
  recreatePolicy: 'Never',
  configRetention: 2,
  ignore: [],
};

export function opts(patch: Partial<PlanOptions> = {}): PlanOptions {
  return { ...OPTS, ...patch };
}

export function svc(
  name: string,
  patch: Partial<ServiceSpec> = {},
  task: Partial<TaskSpec['ContainerSpec']> = {},
): DesiredService {
  const spec: ServiceSpec = {
    Name: `${STACK}_${name}`,
    Labels: { ...STACK_LABELS },
    TaskTemplate: { ContainerSpec: { Image: 'local/busybox:1', Labels: { ...STACK_LABELS }, ...task } },
    ...patch,
  };
  return { kind: 'service', name: spec.Name, spec };
}

export function net(name: string, patch: Partial<NetworkSpec> = {}): DesiredNetwork {
  const spec: NetworkSpec = {
    Name: `${STACK}_${name}`,
    Driver: 'overlay',
    Labels: { ...STACK_LABELS },
    ...patch,
  };
  return { kind: 'network', name: spec.Name, spec };
}

const hash8 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);

export function cfg(name: string, content: string): DesiredConfig {
  const logicalName = `${STACK}_${name}`;
  const hash = hash8(content);
  const full = `${logicalName}-${hash}`;
  const spec = { Name: full, Labels: { ...STACK_LABELS }, Data: Buffer.from(content).toString('base64') };
  return { kind: 'config', name: full, logicalName, hash, spec };
}

export function sec(name: string, value: string): DesiredSecret {
  const logicalName = `${STACK}_${name}`;
  const hash = hash8(value);
  const full = `${logicalName}-${hash}`;
  const spec = {
    Name: full,
    Labels: { ...STACK_LABELS },
    Data: new Sensitive(Buffer.from(value).toString('base64')),
  };
  return { kind: 'secret', name: full, logicalName, hash, spec };
}

export function state(...objects: DesiredObject[]): DesiredState {
  return { owner: OWNER, objects };
}

/** The Swarm after applying `d` to `start` (default: empty), as the simulator reports it. */
export function deploy(
  d: DesiredState,
  start: ObservedState = { objects: [] },
  o: Partial<PlanOptions> = {},
): SwarmSimulator {
  const sim = new SwarmSimulator(start);
  const p = plan(d, sim.observed(), opts(o));
  sim.apply(p);
  return sim;
}

export function deployed(
  d: DesiredState,
  start?: ObservedState,
  o: Partial<PlanOptions> = {},
): ObservedState {
  return deploy(d, start, o).observed();
}

/** Changes an observed object in place (drift made outside swarmkeeper). */
export function mutate(s: ObservedState, name: string, f: (o: ObservedObject) => void): ObservedState {
  const out = structuredClone(s);
  const o = out.objects.find((x) => x.name === name);
  if (!o) throw new Error(`no observed ${name}`);
  f(o);
  return out;
}

/** An object made by `docker stack deploy` (no swarmkeeper labels), read back via the simulator. */
export function stackDeployed(objs: DesiredObject[], start?: ObservedState): ObservedState {
  const sim = new SwarmSimulator(start, { clock: (n) => new Date(Date.UTC(2020, 0, 1) + n * 1000) });
  sim.apply({
    owner: 'none',
    blocked: [],
    actions: objs.map((d) => ({ op: 'create', kind: d.kind, name: d.name, desired: d })),
  });
  return sim.observed();
}

export function ops(p: { actions: { op: string; kind: string; name: string }[] }): string[] {
  return p.actions.map((a) => `${a.op} ${a.kind} ${a.name}`);
}

/** Shared desired objects of the planner tests. */
export const web = svc('web', {}, { Env: ['A=1'], Args: ['httpd', '-f'] });
export const front = net('front');
export const fileRef = (name: string) => ({
  ConfigName: name,
  File: { Name: '/etc/c', UID: '0', GID: '0', Mode: 0o444 },
});
export const withNet = (s = web) => ({
  ...s,
  spec: {
    ...s.spec,
    TaskTemplate: { ...s.spec.TaskTemplate, Networks: [{ Target: front.name, Aliases: ['web'] }] },
  },
});

/** Freezes a value and everything in it (what the controller's desired-state cache hands the planner). */
export function frozen<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) frozen(x);
  }
  return v;
}
