import { describe, expect, it } from 'vitest';
import { isSwarmkeeperError } from '../../../reconciler/errors.js';
import type { DesiredState } from '../../../reconciler/model/objects.js';
import { plan } from '../../../reconciler/plan/plan.js';
import { SwarmSimulator } from '../../../reconciler/plan/simulator.js';
import { cfg, opts, sec, stackDeployed, state, svc } from './fixtures.js';

const file = (n: string) => ({ Name: `/run/${n}`, UID: '0', GID: '0', Mode: 0o444 });
const c = cfg('c', 'x');
const pw = sec('pw', 'v');
const web = svc(
  'web',
  {},
  {
    Secrets: [{ SecretName: 'shared_pw', SecretID: '', File: file('pw') }],
    Configs: [{ ConfigName: c.name, ConfigID: '', File: file('c') }],
  },
);
const withExternal: DesiredState = {
  ...state(c, web),
  external: [
    { kind: 'secret', name: 'shared_pw', source: 'web/docker-compose.yml: secrets.pw' },
    { kind: 'network', name: 'host', source: 'web/docker-compose.yml: networks.hostnet' },
  ],
};

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('plan: external references', () => {
  it('a missing external object fails the plan, naming kind, name, user and compose key; nothing is planned', () => {
    const e = thrown(() => plan(withExternal, { objects: [] }, opts()));
    expect(isSwarmkeeperError(e) && e.code).toBe('SK_ERR_DEPENDENCY_NOT_READY');
    expect((e as Error).message).toBe(
      [
        'web/docker-compose.yml: secrets.pw: external secret "shared_pw" does not exist (used by service app_web); create it, or drop external: true so the stack creates it',
        'web/docker-compose.yml: networks.hostnet: external network "host" does not exist; create it, or drop external: true so the stack creates it',
      ].join('\n'),
    );
  });

  it('existing external objects (of any owner) are used and never touched; the next plan is empty', () => {
    const start = stackDeployed([
      { kind: 'network', name: 'host', spec: { Name: 'host', Driver: 'host' } },
      { ...pw, name: 'shared_pw', spec: { ...pw.spec, Name: 'shared_pw', Labels: {} } },
    ]);
    const p = plan(withExternal, start, opts({ prune: true }));
    expect(p.actions.map((a) => `${a.op} ${a.kind} ${a.name}`)).toEqual([
      `create config ${c.name}`,
      'create service app_web',
    ]);
    const sim = new SwarmSimulator(start);
    sim.apply(p);
    expect(plan(withExternal, sim.observed(), opts({ prune: true })).actions).toEqual([]);
  });
});

describe('plan: what satisfies an external reference', () => {
  it('an object of another kind with the name does not; the message without a source starts with the kind', () => {
    const d: DesiredState = { ...state(), external: [{ kind: 'network', name: 'shared' }] };
    const start = stackDeployed([{ ...pw, name: 'shared', spec: { ...pw.spec, Name: 'shared' } }]);
    expect((thrown(() => plan(d, start, opts())) as Error).message).toBe(
      'external network "shared" does not exist; create it, or drop external: true so the stack creates it',
    );
  });

  it('users are listed sorted; bind mounts and other kinds do not count as users', () => {
    const user = (n: string, mounts: { Type: 'volume' | 'bind'; Source: string }[]) =>
      svc(n, {}, { Mounts: mounts.map((m) => ({ ...m, Target: '/d' })) });
    const d: DesiredState = {
      ...state(
        user('zed', [{ Type: 'volume', Source: 'data' }]),
        user('alpha', [{ Type: 'volume', Source: 'data' }]),
        user('bind', [{ Type: 'bind', Source: 'data' }]),
      ),
      external: [{ kind: 'volume', name: 'data' }],
    };
    expect(() => plan(d, { objects: [] }, opts())).toThrow(
      'external volume "data" does not exist (used by service app_alpha, app_zed);',
    );
  });
});
