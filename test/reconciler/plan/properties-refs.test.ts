/** Planner laws with references: external objects, and adoption of what `docker stack deploy` made. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import type { DesiredObject, DesiredState, ObservedState } from '../../../reconciler/model/objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import { desiredState, planOptions } from './arbitraries.js';
import { OWNER, sec, stackDeployed } from './fixtures.js';
import { propertyRuns } from '../../support/property-runs.js';

const RUNS = propertyRuns(150);
const TIMEOUT = 60_000;
const file = { Name: '/run/ext', UID: '0', GID: '0', Mode: 0o400 };

/** Every service also uses the external secret `shared_pw` and the external network `host`. */
function withExternal(d: DesiredState): DesiredState {
  const objects = d.objects.map((o): DesiredObject => {
    if (o.kind !== 'service') return o;
    const t = o.spec.TaskTemplate;
    const cs = t.ContainerSpec;
    const spec: ServiceSpec = {
      ...o.spec,
      TaskTemplate: {
        ...t,
        ContainerSpec: { ...cs, Secrets: [...(cs.Secrets ?? []), { SecretName: 'shared_pw', File: file }] },
        Networks: [...(t.Networks ?? []), { Target: 'host' }],
      },
    };
    return { ...o, spec };
  });
  return {
    ...d,
    objects,
    external: [
      { kind: 'secret', name: 'shared_pw' },
      { kind: 'network', name: 'host' },
    ],
  };
}

const shared = sec('x', 'v');
const externals = (): ObservedState =>
  stackDeployed([
    { kind: 'network', name: 'host', spec: { Name: 'host', Driver: 'host' } },
    { ...shared, name: 'shared_pw', spec: { ...shared.spec, Name: 'shared_pw', Labels: {} } },
  ]);

/** What `docker stack deploy` makes of `d`: configs and secrets under their logical names, no owner labels. */
function dockerMade(d: DesiredState): DesiredObject[] {
  const rename = new Map<string, string>();
  const out: DesiredObject[] = [];
  for (const o of d.objects) {
    if (o.kind === 'config' || o.kind === 'secret') {
      rename.set(`${o.kind}/${o.name}`, o.logicalName);
      out.push(
        o.kind === 'config'
          ? { ...o, name: o.logicalName, spec: { ...o.spec, Name: o.logicalName } }
          : { ...o, name: o.logicalName, spec: { ...o.spec, Name: o.logicalName } },
      );
    } else if (o.kind === 'service') {
      const cs = o.spec.TaskTemplate.ContainerSpec;
      const ContainerSpec = {
        ...cs,
        ...(cs.Configs
          ? { Configs: cs.Configs.map((r) => ({ ...r, ConfigName: rename.get(`config/${r.ConfigName}`) })) }
          : {}),
        ...(cs.Secrets
          ? { Secrets: cs.Secrets.map((r) => ({ ...r, SecretName: rename.get(`secret/${r.SecretName}`) })) }
          : {}),
      };
      out.push({ ...o, spec: { ...o.spec, TaskTemplate: { ...o.spec.TaskTemplate, ContainerSpec } } });
    } else out.push(o);
  }
  return out;
}

const templates = (s: ObservedState): Record<string, unknown> =>
  Object.fromEntries(
    s.objects.filter((o) => o.kind === 'service').map((o) => [o.name, (o.spec as ServiceSpec).TaskTemplate]),
  );

describe('planner laws with references', () => {
  it(
    'with existing external objects: plan, apply, plan again is empty, and no action touches them',
    () => {
      fc.assert(
        fc.property(desiredState(OWNER), planOptions, (d, opts) => {
          const desired = withExternal(d);
          const sim = new SwarmSimulator(externals());
          const ext = new Set(sim.observed().objects.map((o) => o.id));
          const first = plan(desired, sim.observed(), opts);
          for (const a of first.actions) if (a.op !== 'create') expect(ext.has(a.id)).toBe(false);
          sim.apply(first);
          expect(plan(desired, sim.observed(), opts).actions).toEqual([]);
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    'adopting what docker stack deploy made changes labels only, keeps every task template, and converges',
    () => {
      fc.assert(
        fc.property(desiredState(OWNER), planOptions, (d, o) => {
          const opts = { ...o, adopt: true };
          const start = stackDeployed(dockerMade(d));
          const p = plan(d, start, opts);
          expect(p.blocked).toEqual([]);
          for (const a of p.actions) expect(a).toMatchObject({ op: 'update', labelsOnly: true, adopt: true });
          const sim = new SwarmSimulator(start);
          sim.apply(p);
          expect(templates(sim.observed())).toEqual(templates(start));
          expect(plan(d, sim.observed(), { ...opts, adopt: false }).actions).toEqual([]);
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );
});
