/**
 * A pure in-memory Swarm for tests: executes plans the way the Engine would (ids, version
 * indexes, creation times, server defaults, secrets without Data), and refuses what the Engine
 * refuses (duplicate names, stale versions, removing an object a service uses, missing references).
 */
import type { NetworkSpec, ServiceSpec, VolumeSpec } from '../model/engine-types.js';
import type { DesiredObject, ObjectKind, ObservedObject, ObservedState } from '../model/objects.js';
import { fillDefaults, SERVICE_DEFAULTS, VXLAN_OPTION } from './defaults.js';
import { clone } from './paths.js';
import { serviceRefs } from './refs.js';
import type { Action, Plan } from './types.js';

export interface SimulatorOptions {
  /** Creation time of the n-th object created (default: n seconds after 2100-01-01 or the newest initial object). */
  clock?: (n: number) => Date;
}

export class SwarmSimulator {
  #objects: ObservedObject[];
  #seq = 0;
  #ids = 0;
  #version = 1000;
  readonly #clock: (n: number) => Date;

  constructor(initial?: ObservedState, opts: SimulatorOptions = {}) {
    this.#objects = clone(initial?.objects ?? []);
    const latest = Math.max(
      Date.UTC(2100, 0, 1),
      ...this.#objects.map((o) => Date.parse(String(o.createdAt)) || 0),
    );
    this.#clock = opts.clock ?? ((n) => new Date(latest + n * 1000));
  }

  observed(): ObservedState {
    return { objects: clone(this.#objects) };
  }

  apply(plan: Plan): void {
    for (const a of plan.actions) this.#apply(a);
  }

  #apply(a: Action): void {
    switch (a.op) {
      case 'create':
        if (this.#find(a.kind, a.name)) throw new Error(`${a.kind} ${a.name} already exists`);
        this.#objects.push(this.#build(a.desired, undefined));
        return;
      case 'update': {
        const cur = this.#byId(a.id, a.kind);
        if (a.version !== cur.version) throw new Error(`update out of sequence: ${a.kind} ${a.name}`);
        // The Engine renames nothing: a service rename is refused, a config or secret updates labels only.
        if (cur.name !== a.desired.name) throw new Error(`${a.kind} ${cur.name} cannot be renamed`);
        const next = this.#build(a.desired, cur);
        this.#objects = this.#objects.map((o) => (o.id === a.id ? next : o));
        return;
      }
      case 'recreate': {
        const cur = this.#byId(a.id, a.kind);
        const next = this.#build(a.desired, undefined);
        this.#objects = this.#objects.map((o) => (o.id === cur.id ? next : o));
        return;
      }
      case 'remove': {
        const cur = this.#byId(a.id, a.kind);
        // serviceRefs of a spec without TaskTemplate (any other kind) is empty
        const users = this.#objects.filter((s) =>
          serviceRefs(s.spec as ServiceSpec).has(`${a.kind}/${cur.name}`),
        );
        if (users.length > 0)
          throw new Error(
            `${a.kind} ${cur.name} is in use by service ${users.map((u) => u.name).join(', ')}`,
          );
        this.#objects = this.#objects.filter((o) => o.id !== a.id);
        return;
      }
    }
  }

  #newId(kind: ObjectKind): string {
    for (;;) {
      const id = `${kind}${(++this.#ids).toString(36).padStart(8, '0')}`;
      if (!this.#objects.some((o) => o.id === id)) return id;
    }
  }

  #find(kind: ObjectKind, name: string | undefined): ObservedObject | undefined {
    return this.#objects.find((o) => o.kind === kind && o.name === name);
  }

  #byId(id: string, kind: ObjectKind): ObservedObject {
    const o = this.#objects.find((x) => x.id === id && x.kind === kind);
    if (!o) throw new Error(`${kind} ${id} not found`);
    return o;
  }

  #build(d: DesiredObject, current: ObservedObject | undefined): ObservedObject {
    const n = ++this.#seq;
    const id = current?.id ?? (d.kind === 'volume' ? d.name : this.#newId(d.kind));
    const base = {
      kind: d.kind,
      id,
      name: d.name,
      createdAt: current?.createdAt ?? this.#clock(n).toISOString(),
    };
    switch (d.kind) {
      case 'service': {
        const spec = this.#serviceSpec(d.spec);
        return { ...base, version: ++this.#version, labels: { ...(spec.Labels ?? {}) }, spec };
      }
      case 'network': {
        const spec = networkSpec(d.spec, n);
        return { ...base, labels: { ...(spec.Labels ?? {}) }, spec };
      }
      case 'volume': {
        const spec: VolumeSpec = { Driver: 'local', ...clone(d.spec), Labels: { ...(d.spec.Labels ?? {}) } };
        return { ...base, labels: { ...(spec.Labels ?? {}) }, spec };
      }
      case 'config':
        return {
          ...base,
          version: ++this.#version,
          labels: { ...(d.spec.Labels ?? {}) },
          spec: clone(d.spec),
        };
      case 'secret': {
        // Like the Engine, the secret's Data is never returned.
        const spec = { Name: d.spec.Name, Labels: { ...(d.spec.Labels ?? {}) } };
        return { ...base, version: ++this.#version, labels: { ...spec.Labels }, spec };
      }
    }
  }

  #serviceSpec(desired: ServiceSpec): ServiceSpec {
    const spec = fillDefaults(desired, SERVICE_DEFAULTS);
    spec.Labels ??= {};
    const t = spec.TaskTemplate;
    t.Resources ??= {};
    t.Placement ??= {};
    t.ContainerSpec.DNSConfig ??= {};
    for (const key of serviceRefs(spec)) {
      const [kind, name] = key.split('/') as [ObjectKind, string];
      if (kind !== 'volume' && !this.#find(kind, name))
        throw new Error(`service ${spec.Name}: ${kind} ${name} not found`);
    }
    for (const r of t.ContainerSpec.Configs ?? []) r.ConfigID = this.#find('config', r.ConfigName)?.id;
    for (const r of t.ContainerSpec.Secrets ?? []) r.SecretID = this.#find('secret', r.SecretName)?.id;
    return spec;
  }
}

function networkSpec(desired: NetworkSpec, n: number): NetworkSpec {
  const spec = clone(desired);
  spec.Driver ??= 'overlay';
  spec.Scope = 'swarm';
  spec.Labels ??= {};
  spec.IPAM = { Driver: 'default', ...(spec.IPAM ?? {}) };
  if (!spec.IPAM.Config?.length)
    spec.IPAM.Config = [{ Subnet: `10.${n % 250}.0.0/24`, Gateway: `10.${n % 250}.0.1` }];
  // The Engine picks the gateway of a user-set subnet.
  for (const c of spec.IPAM.Config)
    if (c.Subnet && !c.Gateway) c.Gateway = c.Subnet.replace(/\.0\/\d+/, '.1');
  if (spec.Driver === 'overlay') spec.Options = { ...(spec.Options ?? {}), [VXLAN_OPTION]: String(4096 + n) };
  return spec;
}
