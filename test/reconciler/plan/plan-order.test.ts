import { describe, expect, it } from 'vitest';
import type { DesiredVolume, ObservedState } from '../../../reconciler/model/objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import {
  cfg,
  deployed,
  net,
  ops,
  opts,
  OTHER_OWNER,
  sec,
  stackDeployed,
  state,
  STACK_LABELS,
  svc,
} from './fixtures.js';

const vol = (name: string, patch: Partial<DesiredVolume['spec']> = {}): DesiredVolume => ({
  kind: 'volume',
  name: `app_${name}`,
  spec: { Name: `app_${name}`, Driver: 'local', Labels: { ...STACK_LABELS }, ...patch },
});
const reversed = (s: ObservedState): ObservedState => ({ objects: [...s.objects].reverse() });
const file = (n: string) => ({ Name: `/run/${n}`, UID: '0', GID: '0', Mode: 0o444 });

describe('plan: the order of actions does not depend on the order of the input', () => {
  it('creates networks, volumes, configs, secrets, each by name', () => {
    const d = state(sec('s', 'x'), cfg('c', 'x'), vol('b'), vol('a'), net('n'));
    expect(ops(plan(d, { objects: [] }, opts()))).toEqual([
      'create network app_n',
      'create volume app_a',
      'create volume app_b',
      `create config ${cfg('c', 'x').name}`,
      `create secret ${sec('s', 'x').name}`,
    ]);
  });

  it('recreates networks, then volumes, each by name', () => {
    const before = [vol('aaa'), net('c'), net('b')];
    const after = [
      vol('aaa', { DriverOpts: { type: 'tmpfs' } }),
      net('c', { Attachable: true }),
      net('b', { Attachable: true }),
    ];
    const p = plan(state(...after), deployed(state(...before)), opts({ recreatePolicy: 'Always' }));
    expect(ops(p)).toEqual(['recreate network app_b', 'recreate network app_c', 'recreate volume app_aaa']);
  });

  it('adopts configs, then secrets, each by name', () => {
    const asDocker = <T extends ReturnType<typeof cfg> | ReturnType<typeof sec>>(o: T): T => ({
      ...o,
      name: o.logicalName,
      spec: { ...o.spec, Name: o.logicalName },
    });
    const hashed = [sec('a', '1'), cfg('c', '2'), cfg('b', '3')];
    const p = plan(state(...hashed), stackDeployed(hashed.map((o) => asDocker(o))), opts({ adopt: true }));
    expect(ops(p)).toEqual(['update config app_b', 'update config app_c', 'update secret app_a']);
  });

  it('prunes services, then objects, each by name, whatever order the Swarm lists them in', () => {
    const obs = reversed(deployed(state(svc('a'), svc('b'), cfg('c1', 'x'), cfg('c2', 'x'))));
    expect(ops(plan(state(), obs, opts({ prune: true })))).toEqual([
      'remove service app_a',
      'remove service app_b',
      `remove config ${cfg('c1', 'x').name}`,
      `remove config ${cfg('c2', 'x').name}`,
    ]);
  });
});

describe('plan: what services still use after the plan', () => {
  const v1 = cfg('conf', '1');
  const v2 = cfg('conf', '2');
  const uses = (name: string, c = v1) =>
    svc(name, {}, { Configs: [{ ConfigName: c.name, File: file('c') }] });

  it('an object named like a service that uses an old version does not release it', () => {
    const theirs = deployed({ owner: OTHER_OWNER, objects: [uses('theirs')] }, deployed(state(v1)));
    const obs = deployed(state(net('theirs'), v2, uses('web', v2)), theirs, { configRetention: 99 });
    const p = plan(state(net('theirs'), v2, uses('web', v2)), obs, opts({ configRetention: 0, prune: true }));
    expect(ops(p)).toEqual([]);
  });

  it('what only a pruned service uses is removed with it', () => {
    const obs = deployed(state(v1, uses('old')));
    expect(ops(plan(state(), obs, opts({ prune: true })))).toEqual([
      'remove service app_old',
      `remove config ${v1.name}`,
    ]);
  });
});
