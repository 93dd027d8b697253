import { describe, expect, it } from 'vitest';
import type { DesiredObject, ObservedState } from '../../../reconciler/model/objects.js';
import { LABEL_CONTENT_HASH, LABEL_LOGICAL_NAME, LABEL_OWNER } from '../../../reconciler/model/ownership.js';
import { plan } from '../../../reconciler/plan/plan.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import type { ServiceSpec } from '../../../reconciler/model/engine-types.js';
import { cfg, ops, opts, sec, stackDeployed, state, svc, STACK_LABELS } from './fixtures.js';

const file = (n: string) => ({ Name: `/run/${n}`, UID: '0', GID: '0', Mode: 0o444 });

/** A service using config `c` and secret `s` under the given Swarm names. */
function user(cfgName: string, secName: string) {
  return svc(
    'web',
    {},
    {
      Configs: [{ ConfigName: cfgName, ConfigID: '', File: file('c') }],
      Secrets: [{ SecretName: secName, SecretID: '', File: file('s') }],
    },
  );
}

/** What `docker stack deploy` made: config and secret under `<stack>_<key>`, a service using them. */
function dockerMade(content: string, value: string): ObservedState {
  const c = cfg('c', content);
  const s = sec('s', value);
  const objs: DesiredObject[] = [
    { ...c, name: c.logicalName, spec: { ...c.spec, Name: c.logicalName } },
    { ...s, name: s.logicalName, spec: { ...s.spec, Name: s.logicalName } },
    user(c.logicalName, s.logicalName),
  ];
  return stackDeployed(objs);
}

const desired = (content: string, value: string) => {
  const c = cfg('c', content);
  const s = sec('s', value);
  return state(c, s, user(c.name, s.name));
};

const specOf = (o: ObservedState, name: string) =>
  o.objects.find((x) => x.name === name)?.spec as ServiceSpec | undefined;

describe('plan: adopting configs and secrets docker stack deploy made', () => {
  it('adopts an equal config and the secret under their own names: label updates only, the task template unchanged', () => {
    const start = dockerMade('hello', 'pw');
    const p = plan(desired('hello', 'pw'), start, opts({ adopt: true }));
    expect(p.blocked).toEqual([]);
    expect(ops(p)).toEqual(['update config app_c', 'update secret app_s', 'update service app_web']);
    for (const a of p.actions) expect(a).toMatchObject({ adopt: true, labelsOnly: true });
    const sim = new SwarmSimulator(start);
    sim.apply(p);
    const after = sim.observed();
    expect(specOf(after, 'app_web')?.TaskTemplate).toEqual(specOf(start, 'app_web')?.TaskTemplate);
    const c = after.objects.find((o) => o.name === 'app_c')!;
    expect(c.labels).toMatchObject({
      ...STACK_LABELS,
      [LABEL_OWNER]: 'SwarmStack/ns/app',
      [LABEL_LOGICAL_NAME]: 'app_c',
      [LABEL_CONTENT_HASH]: cfg('c', 'hello').hash,
    });
    // adopted: the next plan (adopt or not) is empty
    expect(plan(desired('hello', 'pw'), after, opts()).actions).toEqual([]);
    expect(plan(desired('hello', 'pw'), after, opts({ adopt: true })).actions).toEqual([]);
  });

  it('rotates on the first real content change, and retires the adopted version past retention', () => {
    const sim = new SwarmSimulator(dockerMade('hello', 'pw'));
    sim.apply(plan(desired('hello', 'pw'), sim.observed(), opts({ adopt: true })));
    const p = plan(desired('bye', 'pw2'), sim.observed(), opts({ configRetention: 0 }));
    const c2 = cfg('c', 'bye').name;
    const s2 = sec('s', 'pw2').name;
    expect(ops(p)).toEqual([
      `create config ${c2}`,
      `create secret ${s2}`,
      'update service app_web',
      'remove secret app_s',
      'remove config app_c',
    ]);
    sim.apply(p);
    expect(plan(desired('bye', 'pw2'), sim.observed(), opts()).actions).toEqual([]);
  });

  it('does not adopt a config whose content differs: a hashed copy is created', () => {
    const p = plan(desired('changed', 'pw'), dockerMade('hello', 'pw'), opts({ adopt: true }));
    expect(ops(p)).toContain(`create config ${cfg('c', 'changed').name}`);
    expect(ops(p)).not.toContain('update config app_c');
    expect(ops(p)).toContain('update secret app_s');
  });

  it('without adopt, touches nothing docker made', () => {
    const start = dockerMade('hello', 'pw');
    const p = plan(desired('hello', 'pw'), start, opts());
    const ids = new Set(start.objects.map((o) => o.id));
    expect(p.actions.filter((a) => a.op !== 'create' && ids.has(a.id))).toEqual([]);
    expect(p.blocked.map((b) => b.name)).toEqual(['app_web']);
  });
});
